from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bianmin.core"
    verbose_name = _("Calendar and audit")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import queries  # noqa: F401 (registers the lookup in_constants)

        post_migrate.connect(_statistics_complete, sender=self)


def _statistics_complete(sender, using: str = "default", **kwargs) -> None:
    """After ``migrate`` (once: this app's signal), the new indexes of an analysed SQLite database get their figures."""
    from .queries import sqlite_statistics_complete

    sqlite_statistics_complete(using)
