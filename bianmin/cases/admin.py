"""Cases in the admin are read-only: every change goes through the workbench, the API or a command."""

from django.contrib import admin

from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.org.selectors import user_scope

from .models import Case, Inquiry, Notice
from .selectors import cases_visible_to


class ReadOnlyAdmin(ConfigurationAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # A town's centre administrator sees the cases of their town, as on the workbench; another town's case is
        # not found by id either.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return self.scoped(queryset, request.user)

    def scoped(self, queryset, user):
        return queryset.filter(pk__in=cases_visible_to(user).values("pk"))


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "tracking_number",
        "item",
        "status",
        "channel",
        "receiving_site",
        "current_site",
        "received_at",
        "promised_due",
    ]
    list_filter = ["status", "channel", "department"]
    search_fields = ["tracking_number", "item__code"]
    list_select_related = ["item", "receiving_site", "current_site"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "case", "issued_at", "is_repeat"]
    list_filter = ["kind", "is_repeat"]
    search_fields = ["number", "case__tracking_number"]
    list_select_related = ["case"]

    def scoped(self, queryset, user):
        return queryset.filter(case__in=cases_visible_to(user).values("pk"))


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    list_display = ["asked_by", "site", "owner", "state", "logged_at"]
    list_filter = ["state"]

    def scoped(self, queryset, user):
        return queryset.filter(user_scope(user).site_filter("site__"))
