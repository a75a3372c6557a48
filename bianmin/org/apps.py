from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "bianmin.org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from bianmin.core.admin_site import register_configuration_admin_check
        from bianmin.core.workdays import register_calendar_manager_check

        from .permissions import holds_centre_admin, holds_centre_admin_at_root

        register_configuration_admin_check(holds_centre_admin)
        register_calendar_manager_check(holds_centre_admin_at_root)
