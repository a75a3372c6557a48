"""Webhooks: outside systems registered by the county's administrators receive the events of the types they chose,
in the feed's shape (``events.event_body``), through the one delivery mechanism (``delivery``).

``webhooks_collect`` reads the audit chain after its cursor and queues one delivery per event and endpoint whose
types include it; the delivery's message id (the idempotency key the endpoint dedupes by) is the event id and the
endpoint: ``<deployment>-event-<sequence>-webhook-<endpoint id>``. An endpoint receives the events from its
registration on.
"""

from __future__ import annotations

import datetime
import secrets
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError
from bianmin.core.models import AuditEvent

from . import national_codes as codes
from .access import may_manage_interconnect
from .delivery import deliveries_enqueue, webhook_secret
from .events import FEED_OBJECT_TYPES, event_body
from .models import WebhookEndpoint
from .reporting import cursor_locked

SHANGHAI = ZoneInfo("Asia/Shanghai")
BATCH = 2000
# The event types an endpoint may choose: every move of a case the audit chain records.
WEBHOOK_EVENT_TYPES: tuple[str, ...] = tuple(sorted({*codes.STEP_OF_ACTION, *codes.NOT_A_STEP}))

__all__ = ["WEBHOOK_EVENT_TYPES", "webhook_register", "webhook_secret", "webhook_set_active", "webhooks_collect"]


def _require_manager(actor: User | None) -> None:
    if actor is not None and not may_manage_interconnect(actor):
        raise PermissionDenied


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError(_("Enter the endpoint's address, starting with https:// or http://."), code="webhook_url")
    return url


def _clean_types(event_types: list[str]) -> list[str]:
    chosen = sorted(set(event_types or []))
    if not chosen:
        raise DomainError(_("Choose at least one event type."), code="webhook_event_types")
    unknown = [value for value in chosen if value not in WEBHOOK_EVENT_TYPES]
    if unknown:
        raise DomainError(
            _("There is no event type %(types)s.") % {"types": ", ".join(unknown)}, code="webhook_event_types"
        )
    return chosen


@transaction.atomic
def webhook_register(
    *, actor: User | None, name: str, url: str, event_types: list[str], now: datetime.datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """Register an outside system's endpoint; the secret it verifies signatures with is returned once, here."""
    _require_manager(actor)
    if not (name or "").strip():
        raise DomainError(_("Name the system that receives the events."), code="webhook_name")
    endpoint = WebhookEndpoint.objects.create(
        name=name.strip(),
        url=_clean_url(url),
        event_types=_clean_types(event_types),
        secret_salt=secrets.token_hex(16),
        created_at=now or timezone.now(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="webhook.register",
        obj=endpoint,
        payload={"name": endpoint.name, "url": endpoint.url, "event_types": endpoint.event_types},
        occurred_at=endpoint.created_at,
    )
    return endpoint, webhook_secret(endpoint)


@transaction.atomic
def webhook_set_active(
    *, actor: User | None, endpoint: WebhookEndpoint, is_active: bool, now: datetime.datetime | None = None
) -> WebhookEndpoint:
    """Switch an endpoint off (its pending deliveries wait, and nothing new is queued for it) or on again."""
    _require_manager(actor)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if locked.is_active != is_active:
        locked.is_active = is_active
        locked.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="webhook.activate" if is_active else "webhook.deactivate",
            obj=locked,
            payload={"name": locked.name},
            occurred_at=now,
        )
    return locked


@transaction.atomic
def webhooks_collect(*, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """Queue the new events (after the cursor) for the active endpoints of their type; the number queued."""
    now = now or timezone.now()
    cursor = cursor_locked("webhooks")
    events = list(
        AuditEvent.objects.filter(sequence__gt=cursor.last_sequence, object_type__in=list(FEED_OBJECT_TYPES)).order_by(
            "sequence"
        )[:batch]
    )
    if not events:
        return 0
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    deployment = settings.INTERCONNECT_DEPLOYMENT
    queued = 0
    for endpoint in endpoints:
        wanted = set(endpoint.event_types)
        messages = [
            {
                "message_id": f"{deployment}-event-{event.sequence}-webhook-{endpoint.pk}",
                "message_type": event.action,
                "day": event.occurred_at.astimezone(SHANGHAI).date().isoformat(),
                "code": "",
                "body": event_body(event),
            }
            for event in events
            if event.action in wanted and event.occurred_at >= endpoint.created_at
        ]
        queued += deliveries_enqueue(messages, destination=endpoint.destination, now=now)
    cursor.last_sequence = events[-1].sequence
    cursor.save(update_fields=["last_sequence"])
    return queued
