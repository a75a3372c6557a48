"""The append-only, hash-chained audit log: append an event, read an object's events, verify the chain.

Every write service calls ``audit_record`` inside its own transaction. Each event's ``hash`` is the SHA-256
of a canonical serialisation of its fields and the previous event's hash, and the single ``AuditHead`` row
holds the last sequence and hash. Editing, deleting, inserting or reordering rows therefore breaks the
chain at a row ``verify_chain`` can name, and deleting rows from the end disagrees with the head.

The chain alone is unkeyed: whoever can write to the database can rewrite an event and recompute every
later hash and the head. So the chain is also anchored outside the database: ``audit_checkpoint_write``
signs the last event's sequence and hash with HMAC-SHA256 under ``AUDIT_CHECKPOINT_KEY`` (held by the
application, never by the database) and appends the checkpoint to a file in ``AUDIT_CHECKPOINT_DIR``;
``verify_chain`` checks every checkpoint's signature and that its event still has the signed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from bianmin.core.models import AuditEvent, AuditHead, AuditVerification

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

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
    normalised_payload = _normalise_payload(payload)

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


def verify_chain(*, chunk_size: int = 5000) -> VerifyResult:
    """Walk the whole chain once, in sequence order, and report the first row at which it breaks; then check
    every checkpoint kept outside the database (``verify_checkpoints``).

    Rows are streamed (a server-side cursor on PostgreSQL), so time is O(n) and memory O(1). The head is
    read after the rows: if appends committed meanwhile, the head is ahead of the walk, and the walk
    continues with the new rows; a head still ahead when no new rows appear means rows were deleted.
    """
    walk = _ChainWalk()
    while True:
        rows_before = walk.count
        for row in _rows_after(walk.last_sequence, chunk_size):
            failure = walk.check(row)
            if failure is not None:
                return failure
        head = AuditHead.objects.filter(id=HEAD_ID).values_list("last_sequence", "last_hash").first()
        caught_up = head is None or head[0] <= walk.last_sequence
        if caught_up or walk.count == rows_before:
            failure = walk.check_head(head)
            if failure is not None:
                return failure
            return verify_checkpoints(events_intact=walk.count)


# --- Checkpoints: the chain anchored outside the database ------------------------------------------------------

CHECKPOINT_FILE_NAME = "checkpoints.jsonl"
# Signed together with each checkpoint, so a MAC made with the same key for another purpose never passes.
_CHECKPOINT_DOMAIN = "bianmin.audit.checkpoint.v1"
# Checkpoints compared with their events per query.
_CHECKPOINT_BATCH = 1000


@dataclass(frozen=True)
class Checkpoint:
    """One line of the checkpoint file: the chain's event ``sequence`` had ``hash`` at ``signed_at`` (UTC)."""

    sequence: int
    hash: str
    signed_at: str
    mac: str

    def line(self) -> str:
        return _canonical_json(asdict(self)) + "\n"

    @property
    def signed_at_time(self) -> datetime:
        return datetime.strptime(self.signed_at, _UTC_FORMAT).replace(tzinfo=UTC)


class CheckpointRefused(Exception):
    """The events since the last checkpoint do not extend it: signing the chain now would vouch for a rewrite."""

    def __init__(self, result: VerifyResult) -> None:
        super().__init__(result.reason)
        self.result = result


def _checkpoint_key() -> bytes:
    key = getattr(settings, "AUDIT_CHECKPOINT_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "AUDIT_CHECKPOINT_KEY is not set: the audit chain's checkpoints cannot be signed or checked."
        )
    return key.encode("utf-8")


def checkpoint_path() -> Path:
    """The file the checkpoints are appended to, one JSON object per line."""
    return Path(settings.AUDIT_CHECKPOINT_DIR) / CHECKPOINT_FILE_NAME


def _checkpoint_mac(key: bytes, *, sequence: int, event_hash: str, signed_at: str) -> str:
    message = _canonical_json([_CHECKPOINT_DOMAIN, sequence, event_hash, signed_at])
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _parse_checkpoint(line: str) -> Checkpoint | None:
    try:
        fields = json.loads(line)
        checkpoint = Checkpoint(
            sequence=fields["sequence"], hash=fields["hash"], signed_at=fields["signed_at"], mac=fields["mac"]
        )
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(checkpoint.sequence, int) or not all(
        isinstance(value, str) for value in (checkpoint.hash, checkpoint.signed_at, checkpoint.mac)
    ):
        return None
    try:
        checkpoint.signed_at_time  # noqa: B018  (a time the status page can show)
    except ValueError:
        return None
    return checkpoint


def _is_signed(key: bytes, checkpoint: Checkpoint) -> bool:
    expected = _checkpoint_mac(
        key, sequence=checkpoint.sequence, event_hash=checkpoint.hash, signed_at=checkpoint.signed_at
    )
    return hmac.compare_digest(expected, checkpoint.mac)


def _checkpoint_lines() -> Iterator[tuple[int, str]]:
    path = checkpoint_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield number, line


def _checkpoint_failure(
    events_intact: int, code: str, reason: str, sequence: int | None = None, row_id: int | None = None
) -> VerifyResult:
    return VerifyResult(
        ok=False, count=events_intact, first_bad_sequence=sequence, reason=reason, code=code, first_bad_id=row_id
    )


def _signed_checkpoints(key: bytes, events_intact: int) -> tuple[list[Checkpoint], VerifyResult | None]:
    checkpoints = []
    for number, line in _checkpoint_lines():
        checkpoint = _parse_checkpoint(line)
        if checkpoint is None:
            return checkpoints, _checkpoint_failure(
                events_intact,
                "checkpoint_unreadable",
                _("Line %(line)d of the checkpoint file cannot be read.") % {"line": number},
            )
        if not _is_signed(key, checkpoint):
            return checkpoints, _checkpoint_failure(
                events_intact,
                "checkpoint_forged",
                _(
                    "The checkpoint of event no. %(sequence)d (signed at %(signed_at)s) does not carry a valid "
                    "signature: it was not written with this deployment's checkpoint key."
                )
                % {"sequence": checkpoint.sequence, "signed_at": checkpoint.signed_at},
                checkpoint.sequence,
            )
        checkpoints.append(checkpoint)
    return checkpoints, None


def _mismatch(checkpoint: Checkpoint, stored: tuple[str, int] | None, events_intact: int) -> VerifyResult | None:
    values = {"sequence": checkpoint.sequence, "signed_at": checkpoint.signed_at}
    if stored is None:
        return _checkpoint_failure(
            events_intact,
            "checkpoint_event_missing",
            _(
                "Event no. %(sequence)d, checkpointed at %(signed_at)s, is missing: events were deleted, or the "
                "database was restored from a backup older than the checkpoint."
            )
            % values,
            checkpoint.sequence,
        )
    event_hash, row_id = stored
    if event_hash != checkpoint.hash:
        return _checkpoint_failure(
            events_intact,
            "checkpoint_mismatch",
            _(
                "Event no. %(sequence)d no longer has the hash checkpointed at %(signed_at)s: the chain was "
                "rewritten and its hashes recomputed."
            )
            % values,
            checkpoint.sequence,
            row_id,
        )
    return None


def verify_checkpoints(*, events_intact: int = 0) -> VerifyResult:
    """Every checkpoint in the file carries a valid HMAC and its event still has the checkpointed hash.

    ``events_intact`` is the count of the chain walk that ran before, reported back in the result.
    """
    key = _checkpoint_key()
    checkpoints, failure = _signed_checkpoints(key, events_intact)
    if failure is not None:
        return failure
    for start in range(0, len(checkpoints), _CHECKPOINT_BATCH):
        batch = checkpoints[start : start + _CHECKPOINT_BATCH]
        stored = {
            sequence: (event_hash, row_id)
            for sequence, event_hash, row_id in AuditEvent.objects.filter(
                sequence__in={checkpoint.sequence for checkpoint in batch}
            ).values_list("sequence", "hash", "id")
        }
        for checkpoint in batch:
            failure = _mismatch(checkpoint, stored.get(checkpoint.sequence), events_intact)
            if failure is not None:
                return failure
    return VerifyResult(
        ok=True,
        count=events_intact,
        first_bad_sequence=None,
        reason="",
        checkpoints=len(checkpoints),
        last_checkpoint_sequence=max((checkpoint.sequence for checkpoint in checkpoints), default=None),
    )


def checkpoint_latest() -> Checkpoint | None:
    """The last checkpoint written (the file's last line), unchecked; None when there is none yet."""
    path = checkpoint_path()
    if not path.exists():
        return None
    with path.open("rb") as handle:
        # The last line is short: read the file's tail rather than the whole year of checkpoints.
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - 4096))
        lines = handle.read().decode("utf-8", errors="replace").splitlines()
    for line in reversed(lines):
        if line.strip():
            return _parse_checkpoint(line)
    return None


def _extends_last_checkpoint(key: bytes, up_to: int) -> VerifyResult | None:
    """None when the events up to ``up_to`` extend the last checkpoint (its event unchanged, then a valid chain)."""
    walk = _ChainWalk()
    last = checkpoint_latest()
    if last is not None:
        if not _is_signed(key, last):
            return _checkpoint_failure(
                0,
                "checkpoint_forged",
                _("The last checkpoint does not carry a valid signature: no new checkpoint is signed."),
                last.sequence,
            )
        stored = AuditEvent.objects.filter(sequence=last.sequence).values_list("hash", "id").first()
        failure = _mismatch(last, stored, 0)
        if failure is not None:
            return failure
        walk.last_sequence, walk.last_hash = last.sequence, last.hash
    for row in _rows_after(walk.last_sequence, 5000, up_to=up_to):
        failure = walk.check(row)
        if failure is not None:
            return failure
    return None


def audit_checkpoint_write(*, now: datetime | None = None) -> Checkpoint | None:
    """Sign the chain's last event (sequence and hash, HMAC-SHA256) and append it to the checkpoint file.

    The events since the last checkpoint are checked first (O(new events)): a chain rewritten since then is
    refused with ``CheckpointRefused`` rather than signed. Returns None when there is nothing new to sign.
    """
    key = _checkpoint_key()
    latest = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    if latest is None:
        return None
    last = checkpoint_latest()
    if last is not None and (last.sequence, last.hash) == latest:
        return None
    failure = _extends_last_checkpoint(key, up_to=latest[0])
    if failure is not None:
        raise CheckpointRefused(failure)
    signed_at = _utc_iso(now or timezone.now())
    sequence, event_hash = latest
    checkpoint = Checkpoint(
        sequence=sequence,
        hash=event_hash,
        signed_at=signed_at,
        mac=_checkpoint_mac(key, sequence=sequence, event_hash=event_hash, signed_at=signed_at),
    )
    path = checkpoint_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # One write of one short line with O_APPEND: concurrent writers never interleave within a line.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, checkpoint.line().encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return checkpoint


@task()
def audit_checkpoint_task() -> dict | None:
    """Sign a checkpoint of the chain's head (every 10 minutes in the worker, ``settings.PERIODIC_TASKS``)."""
    try:
        checkpoint = audit_checkpoint_write()
    except CheckpointRefused as refused:
        logger.error(
            "Audit checkpoint refused at sequence %s (%s): %s",
            refused.result.first_bad_sequence,
            refused.result.code,
            refused.result.reason,
        )
        return {"ok": False, **asdict(refused.result)}
    return asdict(checkpoint) if checkpoint is not None else None


def verify_and_record(*, now: datetime | None = None) -> tuple[VerifyResult, AuditVerification]:
    """Verify the chain and keep the outcome as one ``AuditVerification`` row (the audit status page reads them).

    The row is written after the walk, in its own short transaction, so the walk holds no lock on anything.
    """
    ran_at = now or timezone.now()
    started = time.monotonic()
    result = verify_chain()
    duration_ms = round((time.monotonic() - started) * 1000)
    verification = AuditVerification.objects.create(
        ran_at=ran_at,
        is_intact=result.ok,
        events_checked=result.count,
        first_bad_sequence=result.first_bad_sequence,
        code=result.code,
        reason=result.reason,
        duration_ms=duration_ms,
    )
    return result, verification


def verify_and_checkpoint() -> tuple[VerifyResult, AuditVerification, Checkpoint | None]:
    """Verify and record the run; when the chain is intact, sign a checkpoint of its head (the command, the task)."""
    result, verification = verify_and_record()
    if not result.ok:
        return result, verification, None
    try:
        return result, verification, audit_checkpoint_write()
    except CheckpointRefused as refused:
        # An event appended after the walk does not extend the chain: broken all the same.
        return refused.result, verification, None


@task()
def verify_audit_chain_task() -> dict:
    """Verify the audit chain in the worker, record the run (``AuditVerification``) and log the outcome.

    The returned dict ``{ok, count, first_bad_sequence, first_bad_id, code, reason, verified_at}`` is also
    kept as this task's result by the database task backend. Neither is written to the audit chain, which
    must not change while it is verified.
    """
    result, verification, _checkpoint = verify_and_checkpoint()
    outcome = {**asdict(result), "verified_at": verification.ran_at.isoformat()}
    if result.ok:
        logger.info("Audit chain intact: %d events.", result.count)
    else:
        logger.error(
            "Audit chain broken at sequence %s (id %s, %s): %s",
            result.first_bad_sequence,
            result.first_bad_id,
            result.code,
            result.reason,
        )
    return outcome
