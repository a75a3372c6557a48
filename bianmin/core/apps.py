from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bianmin.core"
    verbose_name = _("Calendar and audit")

    def ready(self) -> None:
        from . import queries  # noqa: F401 (registers the lookup in_constants)
