"""Complaints in the admin are read-only and never show the complainant's identity (only the complaint's page does,
to those who may see it, and logs it): every change goes through the workbench, the API or the hotline's import."""

from django.contrib import admin

from bianmin.core.admin_site import ConfigurationAdmin

from .models import Complaint
from .selectors import complaints_visible_to


@admin.register(Complaint)
class ComplaintAdmin(ConfigurationAdmin):
    list_display = ["number", "hotline_number", "kind", "subject", "state", "site", "department", "received_at", "due"]
    list_filter = ["state", "kind", "channel"]
    search_fields = ["number", "hotline_number"]
    list_select_related = ["site", "department"]
    exclude = ["name", "phone", "id_number", "query_code"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # A town's centre administrator sees their town's complaints, as on the workbench; another town's is not found.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=complaints_visible_to(request.user).values("pk"))
