from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "apps.incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from apps.incidents.attack import catalogue_after_migrate

        # The ATT&CK catalogue is there after any migrate, never loaded on a read.
        post_migrate.connect(catalogue_after_migrate, sender=self)
