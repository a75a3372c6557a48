"""The audit log in the admin: readable by those with the view permission, writable by nobody."""

from __future__ import annotations

import json

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.core.models import AuditEvent, OutboundMessage


@admin.register(AuditEvent)
class AuditEventAdmin(ConfigurationAdmin):
    list_display = ["sequence", "occurred_at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action"]
    # Exact match on object_id: a substring search would scan the whole append-only table.
    search_fields = ["action", "=object_id"]
    ordering = ["-sequence"]
    # The chain grows without bound; skip the unfiltered COUNT(*) on every filtered page.
    show_full_result_count = False
    fields = [
        "sequence",
        "occurred_at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "payload_pretty",
        "prev_hash",
        "hash",
    ]
    readonly_fields = fields

    # The chain is append-only: even superusers may not add, change or delete a row here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    @admin.display(description=_("payload"))
    def payload_pretty(self, obj: AuditEvent) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, ensure_ascii=False, indent=2, sort_keys=True))


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ConfigurationAdmin):
    """The notification outbox, read-only: what was sent to whom, and what failed."""

    list_display = ["created_at", "channel", "recipient", "event", "sent_at", "attempts", "last_error"]
    list_filter = ["channel", "event"]
    search_fields = ["recipient", "object_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
