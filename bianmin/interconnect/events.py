"""The public shape of an audit event for other systems: the event feed (``GET /api/v1/events``) answers it and the
webhooks deliver it, so a consumer parses one format whichever way the events reach it.

Only the object types in ``FEED_OBJECT_TYPES`` leave the platform; the events of accounts, roles and the
configuration stay inside. ``id`` is the event's place in the audit chain, the cursor a consumer resumes after.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bianmin.core.models import AuditEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The audit chain's object type → the name other systems see.
FEED_OBJECT_TYPES: dict[str, str] = {"cases.case": "case"}


def event_body(event: AuditEvent) -> dict:
    """One event as other systems receive it: ``{"id", "type", "occurred_at", "object": {"type", "id"}, "data"}``.

    ``data`` is the event's payload as the audit chain holds it (for a case: its ``status`` after the move and
    what the move recorded)."""
    return {
        "id": event.sequence,
        "type": event.action,
        "occurred_at": event.occurred_at.astimezone(SHANGHAI).isoformat(),
        "object": {"type": FEED_OBJECT_TYPES[event.object_type], "id": event.object_id},
        "data": dict(event.payload),
    }
