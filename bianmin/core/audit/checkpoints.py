"""Checkpoints: the chain anchored outside the database.

The chain alone is unkeyed: whoever can write to the database can rewrite an event and recompute every
later hash and the head. So ``audit_checkpoint_write`` signs the last event's sequence and hash with
HMAC-SHA256 under ``AUDIT_CHECKPOINT_KEY`` (held by the application, never by the database) and appends the
checkpoint to a file in ``AUDIT_CHECKPOINT_DIR``; ``verify_checkpoints`` checks every checkpoint's signature
and that its event still has the signed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core.models import AuditEvent

from .chain import _UTC_FORMAT, VerifyResult, _canonical_json, _ChainWalk, _rows_after, _utc_iso

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
