"""Cases in the admin are read-only: every change goes through the workbench, the API or a command."""

from django.contrib import admin

from bianmin.core.admin_site import ConfigurationAdmin

from .models import Case, Inquiry, Notice


class ReadOnlyAdmin(ConfigurationAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["tracking_number", "item", "status", "channel", "receiving_site", "current_site", "received_at",
                    "promised_due"]
    list_filter = ["status", "channel", "department"]
    search_fields = ["tracking_number", "item__code"]
    list_select_related = ["item", "receiving_site", "current_site"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "case", "issued_at", "is_repeat"]
    list_filter = ["kind", "is_repeat"]
    search_fields = ["number", "case__tracking_number"]
    list_select_related = ["case"]


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    list_display = ["asked_by", "site", "owner", "state", "logged_at"]
    list_filter = ["state"]
