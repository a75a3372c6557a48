from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "bianmin.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from bianmin.core.workdays import register_calendar_change_handler
        from bianmin.org.services import register_site_move_handler

        from .access import cases_at_sites_refresh
        from .services import cases_recompute_deadlines

        register_calendar_change_handler(cases_recompute_deadlines)
        register_site_move_handler(cases_at_sites_refresh)
