from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext

from bianmin.core.errors import PermissionDenied

# Whether a person holds the role that configures the platform (centre administrator). Roles live in org, above
# core, so org registers the answer (OrgConfig.ready); until it has, nobody but a superuser enters the admin.
_configuration_role_checks: list[Callable[..., bool]] = []


def register_configuration_admin_check(check: Callable[..., bool]) -> None:
    _configuration_role_checks[:] = [check]


def is_configuration_admin(user) -> bool:
    """Centre administrators and superusers configure the platform in the admin; nobody else enters it."""
    return bool(user.is_active and (user.is_superuser or any(check(user) for check in _configuration_role_checks)))


class BianminAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return is_configuration_admin(request.user)

    def password_change(self, request, extra_context=None):
        # One's own password is changed on the staff page, through accounts.services (audited), not by Django's view.
        return redirect("accounts:password_change")


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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The services decide who may write; a refusal rolls the whole form back (Django runs the POST in one
        # transaction) and comes back as the service's message, never as a server error.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal.message), messages.ERROR)
            self.message_user(request, gettext("Nothing was saved."), messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
