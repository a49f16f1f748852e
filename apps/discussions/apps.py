from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "apps.discussions"
    verbose_name = _("Discussions")

    def ready(self):
        from apps.discussions.selectors import incident_text_source
        from apps.incidents.search import register_text_source

        register_text_source(incident_text_source)
