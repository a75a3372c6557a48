"""The hash chain of audit events: append an event, read an object's events, walk the chain.

Every write service calls ``audit_record`` inside its own transaction. Each event's ``hash`` is the SHA-256
of a canonical serialisation of its fields and the previous event's hash, and the single ``AuditHead`` row
holds the last sequence and hash. Editing, deleting, inserting or reordering rows therefore breaks the
chain at a row ``verify_chain`` (in ``bianmin.core.audit``) can name, and deleting rows from the end disagrees
with the head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core.models import AuditEvent, AuditHead

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


GENESIS_HASH = "0" * 64
_UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
HEAD_ID = 1
SYSTEM_ACTOR_LABEL = "system"

# The order of the columns verify_chain streams; _event_hash takes the same fields by name.
_CHAIN_FIELDS = (
    "id",
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "payload",
    "prev_hash",
    "hash",
)


# Who an event came through, when it is not the actor alone: a system token sets {"token": id, "system": code} for
# its request (bianmin/api_tokens.py), and every event written meanwhile carries it in its payload as "via". A
# middleware (core.middleware.AuditAttributionMiddleware) clears it at the end of each request.
_audit_via: ContextVar[dict | None] = ContextVar("audit_via", default=None)


def audit_via_set(via: dict | None) -> None:
    """Attribute every audit event written from now on in this request (or task) to ``via``."""
    _audit_via.set(via)


@contextmanager
def audit_via_cleared() -> Iterator[None]:
    """Run a request with no attribution, and leave none behind for the next request on the thread."""
    reset = _audit_via.set(None)
    try:
        yield
    finally:
        _audit_via.reset(reset)


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _integral_floats_as_int(value: Any) -> Any:
    # PostgreSQL's jsonb keeps numbers as numeric: a float such as 1e16 comes back as the integer
    # 10000000000000000, so the hash treats an integral float and the equal integer alike.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_floats_as_int(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_int(item) for item in value]
    return value


def _normalise_payload(payload: dict | None) -> dict:
    """The payload as the database will give it back: plain JSON types (Decimal and dates become strings)."""
    normalised = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder, ensure_ascii=False, allow_nan=False))
    if not isinstance(normalised, dict):
        raise TypeError("An audit payload must be a JSON object (a dict).")
    return normalised


def _utc_iso(moment: datetime) -> str:
    # Always with microseconds (isoformat drops them when they are zero) and always in UTC, so the value
    # written and the value read back from either database serialise identically.
    return moment.astimezone(UTC).strftime(_UTC_FORMAT)


def _event_hash(
    *,
    sequence: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: dict,
    prev_hash: str,
) -> str:
    canonical = _canonical_json(
        [
            sequence,
            _utc_iso(occurred_at),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            _integral_floats_as_int(payload),
            prev_hash,
        ]
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _locked_head() -> AuditHead:
    """The head row, locked for this transaction; created on first use without two writers both inserting."""
    head = AuditHead.objects.select_for_update().filter(id=HEAD_ID).first()
    if head is not None:
        return head
    try:
        # A savepoint, so losing the race to another first writer leaves our transaction usable: on
        # PostgreSQL the second INSERT waits for the first to commit and then fails on the primary key.
        with transaction.atomic():
            AuditHead.objects.create(id=HEAD_ID, last_sequence=0, last_hash=GENESIS_HASH)
    except IntegrityError:
        pass
    return AuditHead.objects.select_for_update().get(id=HEAD_ID)


def _object_reference(obj: models.Model | None, object_type: str | None, object_id: str | None) -> tuple[str, str]:
    if obj is not None:
        if obj.pk is None:
            raise ValueError("Cannot audit an unsaved object: it has no primary key yet.")
        object_type = object_type if object_type is not None else obj._meta.label_lower
        object_id = object_id if object_id is not None else str(obj.pk)
    if not object_type or object_id is None:
        raise ValueError("An audit event needs obj, or object_type and object_id.")
    return object_type, object_id


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    payload: dict | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the audit chain; call it inside the transaction of the write it records.

    ``actor`` is a user, or None for the system and the worker. ``occurred_at`` is injected by tests;
    it defaults to now and must be timezone-aware.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record() must run inside transaction.atomic(), with the write it records.")
    object_type, object_id = _object_reference(obj, object_type, object_id)
    if occurred_at is None:
        occurred_at = timezone.now()
    elif timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be timezone-aware.")
    actor_id = actor.pk if actor is not None else None
    actor_label = actor.get_username() if actor is not None else SYSTEM_ACTOR_LABEL
    via = _audit_via.get()
    normalised_payload = _normalise_payload({**(payload or {}), "via": via} if via else payload)

    head = _locked_head()
    sequence = head.last_sequence + 1
    event_hash = _event_hash(
        sequence=sequence,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        payload=normalised_payload,
        prev_hash=head.last_hash,
    )
    event = AuditEvent.objects.create(
        sequence=sequence,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        payload=normalised_payload,
        prev_hash=head.last_hash,
        hash=event_hash,
    )
    AuditHead.objects.filter(id=HEAD_ID).update(last_sequence=sequence, last_hash=event_hash)
    return event


def audit_events_for(obj: models.Model) -> QuerySet[AuditEvent]:
    """An object's audit events, oldest first (served by the object_type/object_id/sequence index)."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("sequence")


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of verify_chain.

    ``count`` is the number of events found intact (all of them when ``ok``). On failure,
    ``first_bad_sequence`` is the first sequence at which the chain is wrong, ``first_bad_id`` the id of
    that row when it exists (None for rows deleted from the end), ``code`` a stable machine code and
    ``reason`` a translated sentence. Checkpoints are checked after the chain, so a chain that was
    rewritten and recomputed by someone without the checkpoint key is reported at the first checkpoint
    whose event no longer has the signed hash.
    """

    ok: bool
    count: int
    first_bad_sequence: int | None
    reason: str
    code: str = "ok"
    first_bad_id: int | None = None
    # Checkpoints found valid (signature and event hash), and the sequence of the latest of them.
    checkpoints: int = 0
    last_checkpoint_sequence: int | None = None


class _ChainWalk:
    """The state carried from row to row while streaming the chain: O(1) memory whatever its length."""

    def __init__(self) -> None:
        self.count = 0
        self.last_sequence = 0
        self.last_hash = GENESIS_HASH

    def check(self, row: tuple) -> VerifyResult | None:
        fields = dict(zip(_CHAIN_FIELDS, row, strict=True))
        row_id, sequence, stored_hash = fields.pop("id"), fields["sequence"], fields.pop("hash")
        expected = self.last_sequence + 1
        if sequence != expected:
            if sequence > expected:
                return self._failure(sequence, row_id, "row_missing", _("A row is missing before this one."))
            return self._failure(sequence, row_id, "sequence_out_of_order", _("The sequence is out of order."))
        if fields["prev_hash"] != self.last_hash:
            return self._failure(
                sequence,
                row_id,
                "prev_hash_mismatch",
                _("Previous-hash mismatch: this row does not follow the row before it."),
            )
        if _event_hash(**fields) != stored_hash:
            return self._failure(
                sequence, row_id, "row_edited", _("The row was edited: its contents do not match its hash.")
            )
        self.count += 1
        self.last_sequence = sequence
        self.last_hash = stored_hash
        return None

    def check_head(self, head: tuple[int, str] | None) -> VerifyResult | None:
        last_sequence, last_hash = head if head is not None else (0, GENESIS_HASH)
        if (last_sequence, last_hash) == (self.last_sequence, self.last_hash):
            return None
        if last_sequence > self.last_sequence:
            return self._failure(
                self.last_sequence + 1,
                None,
                "rows_deleted_from_end",
                _(
                    "Rows were deleted from the end of the chain: the head records %(head)d events "
                    "but the last row is %(last)d."
                )
                % {"head": last_sequence, "last": self.last_sequence},
            )
        if last_sequence < self.last_sequence:
            return self._failure(
                last_sequence + 1,
                None,
                "rows_past_head",
                _("Rows were added past the head of the chain: the head records %(head)d events.")
                % {"head": last_sequence},
            )
        return self._failure(
            last_sequence, None, "head_mismatch", _("The chain head's hash does not match the last row.")
        )

    def _failure(self, sequence: int, row_id: int | None, code: str, reason: str) -> VerifyResult:
        return VerifyResult(
            ok=False,
            count=self.count,
            first_bad_sequence=sequence,
            reason=reason,
            code=code,
            first_bad_id=row_id,
        )


def _rows_after(sequence: int, chunk_size: int, up_to: int | None = None) -> Iterable[tuple]:
    rows = AuditEvent.objects.filter(sequence__gt=sequence)
    if up_to is not None:
        rows = rows.filter(sequence__lte=up_to)
    return rows.order_by("sequence").values_list(*_CHAIN_FIELDS).iterator(chunk_size=chunk_size)
