"""The one outbound delivery mechanism, for the upward report and the webhooks alike: a ``Delivery`` row per message
per destination, sent by the worker, signed, retried with exponential backoff, dead-lettered after
``INTERCONNECT_MAX_ATTEMPTS`` failures, re-sent by staff.

At least once: a delivery is ``sent`` only after the receiver's 2xx (``acknowledged`` when the answer names the
message id back, as the upper platform does), so a worker that dies mid-send sends it again; the receiver dedupes by
the message id. A delivery is claimed before it is sent (its next attempt moved a lease ahead), so two workers do not
send the same one at the same moment.

The signature (HMAC-SHA256 under the destination's secret) covers the timestamp, the message id and the exact body:
``X-Bianmin-Signature: v1=<hex of HMAC(secret, "<timestamp>.<message id>.<body>")>``, with ``X-Bianmin-Message-Id``
and ``X-Bianmin-Timestamp`` (Unix seconds); a receiver refuses a signature older than five minutes.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record

from .access import may_manage_interconnect
from .models import UPWARD, Delivery, DeliveryAttempt, WebhookEndpoint

SIGNATURE_HEADER = "X-Bianmin-Signature"
MESSAGE_ID_HEADER = "X-Bianmin-Message-Id"
TIMESTAMP_HEADER = "X-Bianmin-Timestamp"
SIGNATURE_TOLERANCE_SECONDS = 300
# While a worker sends a claimed delivery, no other worker takes it.
CLAIM_LEASE = datetime.timedelta(minutes=2)
BACKOFF_CAP_SECONDS = 6 * 3600
DESTINATION_OFF_WAIT = datetime.timedelta(hours=1)


def body_bytes(body: dict) -> bytes:
    """The exact bytes sent and signed: compact, keys in order, UTF-8 (Chinese as itself)."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature_compute(secret: str, timestamp: int, message_id: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.{message_id}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def signature_verify(
    secret: str, *, signature: str, timestamp: str, message_id: str, body: bytes, now: float | None = None
) -> bool:
    """Whether the headers sign this body with this secret, within the tolerance (a receiver's check)."""
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - moment) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature or "", signature_compute(secret, moment, message_id, body))


def signed_headers(secret: str, message_id: str, body: bytes, now: datetime.datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json; charset=utf-8",
        MESSAGE_ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_compute(secret, timestamp, message_id, body),
    }


def webhook_secret(endpoint: WebhookEndpoint) -> str:
    """A webhook endpoint's signing secret, derived from its salt under SECRET_KEY (never stored)."""
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"bianmin.webhook.{endpoint.secret_salt}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Target:
    url: str
    secret: str


def destination_target(destination: str) -> Target | None:
    """Where a destination's deliveries go and the secret they are signed with; None while it is off (no upward URL
    configured, the webhook endpoint deactivated or gone)."""
    if destination == UPWARD:
        url = settings.INTERCONNECT_UPWARD_URL
        return Target(url.rstrip("/") + "/messages", settings.INTERCONNECT_UPWARD_SECRET) if url else None
    if destination.startswith("webhook:"):
        endpoint = WebhookEndpoint.objects.filter(pk=int(destination.split(":", 1)[1]), is_active=True).first()
        return Target(endpoint.url, webhook_secret(endpoint)) if endpoint else None
    return None


def deliveries_enqueue(messages: Iterable[dict], *, destination: str, now: datetime.datetime) -> int:
    """Queue messages for a destination in the caller's transaction; a message id already queued there is skipped
    (the collectors may read an event twice). Each message carries ``message_id``, ``message_type``, ``day`` and
    ``code`` (webhook events: see webhooks.py)."""
    messages = list(messages)
    known = set(
        Delivery.objects.filter(
            destination=destination, message_id__in=[message["message_id"] for message in messages]
        ).values_list("message_id", flat=True)
    )
    rows = [
        Delivery(
            message_id=message["message_id"],
            destination=destination,
            message_type=message["message_type"],
            day=datetime.date.fromisoformat(message["day"]),
            code=message.get("code") or "",
            body=message.get("body", message),
            created_at=now,
            next_attempt_at=now,
        )
        for message in messages
        if message["message_id"] not in known
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def backoff_seconds(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failures: the base doubled each time, at most six hours."""
    return min(settings.INTERCONNECT_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)


def _post(target: Target, delivery: Delivery, now: datetime.datetime) -> tuple[int | None, str, dict, str]:
    """One HTTP POST: (status, error, the answer's JSON, the signature sent)."""
    payload = body_bytes(delivery.body)
    headers = signed_headers(target.secret, delivery.message_id, payload, now)
    request = urllib.request.Request(target.url, data=payload, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.INTERCONNECT_TIMEOUT_SECONDS) as response:
            raw = response.read(65536)
            status = response.status
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}", {}, headers[SIGNATURE_HEADER]
    except (urllib.error.URLError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc))[:300], {}, headers[SIGNATURE_HEADER]
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    return status, "", answer if isinstance(answer, dict) else {}, headers[SIGNATURE_HEADER]


def _claim(delivery_id: int, now: datetime.datetime) -> Delivery | None:
    """Take a due delivery for this worker (None if another worker took it or it is no longer due)."""
    taken = Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + CLAIM_LEASE
    )
    return Delivery.objects.get(pk=delivery_id) if taken else None


def delivery_send(delivery: Delivery, *, now: datetime.datetime | None = None) -> Delivery:
    """Send one claimed delivery and record the attempt: sent/acknowledged on a 2xx, otherwise the next attempt after
    the backoff, or the dead-letter list after the last allowed attempt."""
    now = now or timezone.now()
    target = destination_target(delivery.destination)
    if target is None:
        # Switched off (no upward URL, a deactivated endpoint): it waits, without spending its attempts.
        delivery.next_attempt_at, delivery.last_error = now + DESTINATION_OFF_WAIT, "destination is off"
        delivery.save(update_fields=["next_attempt_at", "last_error"])
        return delivery
    clock = time.perf_counter()
    status, error, answer, signature = _post(target, delivery, now)
    elapsed = round((time.perf_counter() - clock) * 1000)
    is_success = status is not None and 200 <= status < 300
    with transaction.atomic():
        DeliveryAttempt.objects.create(delivery=delivery, at=now, status_code=status, error=error, duration_ms=elapsed)
        delivery.attempts += 1
        delivery.signature = signature
        if is_success:
            acknowledged = answer.get("acknowledged") == delivery.message_id
            delivery.state = Delivery.State.ACKNOWLEDGED if acknowledged else Delivery.State.SENT
            delivery.sent_at, delivery.next_attempt_at, delivery.last_error = now, None, ""
        else:
            delivery.last_error = error or f"HTTP {status}"
            if delivery.attempts >= settings.INTERCONNECT_MAX_ATTEMPTS:
                delivery.state, delivery.next_attempt_at = Delivery.State.DEAD, None
            else:
                delivery.next_attempt_at = now + datetime.timedelta(seconds=backoff_seconds(delivery.attempts))
        delivery.save(update_fields=["attempts", "signature", "state", "sent_at", "next_attempt_at", "last_error"])
    return delivery


def deliveries_send_due(*, now: datetime.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """The worker's round: send the due deliveries, oldest first; what became of them, by state."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcome: dict[str, int] = {}
    # A destination that fails in this round is not tried again until its failed delivery is: a receiver that is down
    # costs one attempt (and one timeout) per backoff, and its other deliveries wait with it without an attempt.
    failed: dict[str, datetime.datetime | None] = {}
    for delivery_id in due:
        delivery = _claim(delivery_id, now)
        if delivery is None:
            continue
        if delivery.destination in failed:
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=failed[delivery.destination])
            continue
        delivery = delivery_send(delivery, now=now)
        if delivery.state in (Delivery.State.PENDING, Delivery.State.DEAD):
            failed[delivery.destination] = delivery.next_attempt_at or now
        outcome[delivery.state] = outcome.get(delivery.state, 0) + 1
    return outcome


@transaction.atomic
def delivery_resend(*, actor: User | None, delivery: Delivery, now: datetime.datetime | None = None) -> Delivery:
    """Staff send a delivery again (a dead letter, or one the receiver says it lost): it is due now, with a fresh
    count of attempts; the receiver dedupes it by its message id if it had it after all."""
    if actor is not None and not may_manage_interconnect(actor):
        raise PermissionDenied
    now = now or timezone.now()
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    before = locked.state
    locked.state, locked.attempts, locked.next_attempt_at, locked.last_error = Delivery.State.PENDING, 0, now, ""
    locked.save(update_fields=["state", "attempts", "next_attempt_at", "last_error"])
    audit_record(
        actor=actor,
        action="delivery.resend",
        obj=locked,
        payload={"message_id": locked.message_id, "destination": locked.destination, "before": before},
        occurred_at=now,
    )
    return locked
