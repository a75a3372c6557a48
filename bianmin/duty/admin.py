"""The roster in the admin is read-only: every change goes through the week view's services (audited)."""

from django.contrib import admin

from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.org.selectors import user_scope

from .models import DutyShift, DutySwap


class _ReadOnlyScoped(ConfigurationAdmin):
    site_field = "site__"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # A town's centre administrator sees their town's roster only; another town's shift is not found by id.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user_scope(request.user).site_filter(self.site_field))


@admin.register(DutyShift)
class DutyShiftAdmin(_ReadOnlyScoped):
    list_display = ["date", "period", "site", "cadre_name", "phone"]
    list_filter = ["period"]
    search_fields = ["cadre_name", "site__name"]
    list_select_related = ["site"]
    date_hierarchy = "date"


@admin.register(DutySwap)
class DutySwapAdmin(_ReadOnlyScoped):
    site_field = "shift__site__"
    list_display = ["recorded_at", "shift", "previous_name", "new_name", "approved_by"]
    list_select_related = ["shift__site", "approved_by"]
