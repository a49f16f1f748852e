from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself: shared template tags and the commands that span all apps."""

    name = "portal"
    verbose_name = "Renkei"
