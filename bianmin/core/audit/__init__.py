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

The chain is ``audit.chain``, the checkpoints ``audit.checkpoints``; the verification that walks both and the
worker's tasks are here (the tasks' names, ``bianmin.core.audit.*``, are what the schedule and the task queue
keep).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from datetime import datetime

from django.utils import timezone
from django_tasks import task

from bianmin.core.models import AuditHead, AuditVerification

from .chain import (
    GENESIS_HASH,
    HEAD_ID,
    SYSTEM_ACTOR_LABEL,
    VerifyResult,
    _ChainWalk,
    _rows_after,
    audit_events_for,
    audit_record,
    audit_via_cleared,
    audit_via_set,
)
from .checkpoints import (
    CHECKPOINT_FILE_NAME,
    Checkpoint,
    CheckpointRefused,
    audit_checkpoint_write,
    checkpoint_latest,
    checkpoint_path,
    verify_checkpoints,
)

__all__ = [
    "CHECKPOINT_FILE_NAME",
    "GENESIS_HASH",
    "SYSTEM_ACTOR_LABEL",
    "Checkpoint",
    "CheckpointRefused",
    "VerifyResult",
    "audit_checkpoint_task",
    "audit_checkpoint_write",
    "audit_events_for",
    "audit_record",
    "audit_via_cleared",
    "audit_via_set",
    "checkpoint_latest",
    "checkpoint_path",
    "verify_and_checkpoint",
    "verify_and_record",
    "verify_audit_chain_task",
    "verify_chain",
    "verify_checkpoints",
]

logger = logging.getLogger(__name__)


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
