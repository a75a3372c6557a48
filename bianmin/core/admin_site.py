from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


def is_configuration_admin(user) -> bool:
    """Centre administrators and superusers configure the platform in the admin; nobody else enters it."""
    from bianmin.org.models import Role
    from bianmin.org.selectors import user_scope

    return bool(user.is_active and (user.is_superuser or Role.CENTRE_ADMIN in user_scope(user).roles))


class BianminAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return is_configuration_admin(request.user)


class BianminAdminConfig(AdminConfig):
    default_site = "bianmin.core.admin_site.BianminAdminSite"


class ConfigurationAdmin(admin.ModelAdmin):
    """Model permissions follow the role, not Django's per-model permission table."""

    def has_module_permission(self, request) -> bool:
        return is_configuration_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_configuration_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return is_configuration_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_configuration_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Records are deactivated, never deleted: cases and the audit chain refer to them.
        return False
