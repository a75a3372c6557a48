"""The audit chain anchored outside the database: signed checkpoints, their verification, the append-only table."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from bianmin.core.audit import VerifyResult, audit_checkpoint_write, checkpoint_path, verify_chain
from bianmin.core.models import AuditEvent, AuditHead
from bianmin.core.testing import audit_tamper
from bianmin.core.tests.test_audit import append, expected_hash

TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)
HEAD_TABLE = connection.ops.quote_name(AuditHead._meta.db_table)
T1 = datetime(2025, 3, 1, 4, 0, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def checkpoint_lines() -> list[dict]:
    return [json.loads(line) for line in checkpoint_path().read_text().splitlines()]


def rewrite_as_an_attacker(sequence: int, payload: dict) -> None:
    """Change one event's payload, then recompute its hash, every later event's and the head's, as anyone with
    write access to the database (but without the checkpoint key) can: the chain itself is unkeyed."""
    prev_hash = AuditEvent.objects.get(sequence=sequence).prev_hash
    for event in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
        new_payload = payload if event.sequence == sequence else event.payload
        new_hash = expected_hash(
            sequence=event.sequence,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            payload=new_payload,
            prev_hash=prev_hash,
        )
        audit_tamper(
            f"UPDATE {TABLE} SET payload = %s, prev_hash = %s, hash = %s WHERE sequence = %s",
            [json.dumps(new_payload, ensure_ascii=False), prev_hash, new_hash, event.sequence],
        )
        prev_hash = new_hash
    audit_tamper(f"UPDATE {HEAD_TABLE} SET last_hash = %s", [prev_hash])


def test_a_checkpoint_is_the_last_events_hash_signed_with_the_key(settings):
    append(3)
    head = AuditEvent.objects.get(sequence=3)

    checkpoint = audit_checkpoint_write(now=T1)

    line = {"sequence": 3, "hash": head.hash, "signed_at": "2025-03-01T04:00:00.000000Z"}
    message = json.dumps(["bianmin.audit.checkpoint.v1", 3, head.hash, line["signed_at"]], separators=(",", ":"))
    mac = hmac.new(settings.AUDIT_CHECKPOINT_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()
    assert checkpoint_lines() == [{**line, "mac": mac}]
    assert (checkpoint.sequence, checkpoint.mac) == (3, mac)
    assert oct(checkpoint_path().stat().st_mode & 0o777) == "0o600"


def test_checkpoints_are_appended_only_when_the_chain_grew(capsys):
    append(2)

    call_command("audit", "checkpoint")
    call_command("audit", "checkpoint")
    append(2, start=2)
    call_command("audit", "checkpoint")

    assert [line["sequence"] for line in checkpoint_lines()] == [2, 4]
    assert capsys.readouterr().out == (
        "Checkpoint signed at event no. 2.\n"
        "No new events since the last checkpoint.\n"
        "Checkpoint signed at event no. 4.\n"
    )


def test_verify_checks_every_checkpoint_and_signs_a_new_one(capsys):
    append(3)
    audit_checkpoint_write()
    append(2, start=3)

    call_command("audit", "verify")

    assert capsys.readouterr().out == (
        "Audit chain intact: 5 events.\nCheckpoints valid: 1.\nCheckpoint signed at event no. 5.\n"
    )
    assert [line["sequence"] for line in checkpoint_lines()] == [3, 5]
    assert verify_chain() == VerifyResult(
        ok=True, count=5, first_bad_sequence=None, reason="", checkpoints=2, last_checkpoint_sequence=5
    )


def test_a_rewritten_and_recomputed_chain_is_caught_at_the_first_checkpoint_after_the_edit():
    events = append(4)
    audit_checkpoint_write()
    append(4, start=4)
    audit_checkpoint_write()

    rewrite_as_an_attacker(3, {"step": 2, "note": "不予受理"})

    assert AuditEvent.objects.get(sequence=3).payload == {"step": 2, "note": "不予受理"}
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1
    assert str(raised.value) == (
        f"Audit chain broken at event #4 (id {events[3].pk}): Event no. 4 no longer has the hash checkpointed at "
        f"{checkpoint_lines()[0]['signed_at']}: the chain was rewritten and its hashes recomputed."
    )
    result = verify_chain()
    assert (result.ok, result.code, result.first_bad_sequence, result.count) == (False, "checkpoint_mismatch", 4, 8)


def test_no_checkpoint_is_signed_over_a_rewritten_chain():
    append(4)
    audit_checkpoint_write()
    rewrite_as_an_attacker(2, {"forged": True})
    append(1, start=4)
    before = checkpoint_path().read_text()

    with pytest.raises(CommandError) as raised:
        call_command("audit", "checkpoint")

    assert raised.value.returncode == 1
    assert "Event no. 4 no longer has the hash checkpointed at" in str(raised.value)
    assert checkpoint_path().read_text() == before


def test_a_checkpoint_signed_with_another_key_is_a_break_at_its_sequence():
    append(3)
    with override_settings(AUDIT_CHECKPOINT_KEY="a-key-that-is-not-this-deployments-key"):
        audit_checkpoint_write(now=T1)

    result = verify_chain()

    assert result == VerifyResult(
        ok=False,
        count=3,
        first_bad_sequence=3,
        reason=(
            "The checkpoint of event no. 3 (signed at 2025-03-01T04:00:00.000000Z) does not carry a valid "
            "signature: it was not written with this deployment's checkpoint key."
        ),
        code="checkpoint_forged",
    )


def test_a_checkpoint_edited_to_match_a_rewritten_event_fails_its_signature():
    append(3)
    audit_checkpoint_write(now=T1)
    rewrite_as_an_attacker(3, {"forged": True})
    line = checkpoint_lines()[0]
    line["hash"] = AuditEvent.objects.get(sequence=3).hash
    checkpoint_path().write_text(json.dumps(line) + "\n")

    result = verify_chain()

    assert (result.ok, result.code, result.first_bad_sequence) == (False, "checkpoint_forged", 3)


def test_events_missing_past_a_checkpoint_are_reported():
    append(5)
    audit_checkpoint_write(now=T1)
    audit_tamper(f"DELETE FROM {TABLE} WHERE sequence > 3")
    third = AuditEvent.objects.get(sequence=3).hash
    audit_tamper(f"UPDATE {HEAD_TABLE} SET last_sequence = 3, last_hash = %s", [third])

    result = verify_chain()

    assert (result.ok, result.code, result.first_bad_sequence, result.first_bad_id) == (
        False,
        "checkpoint_event_missing",
        5,
        None,
    )
    assert result.reason == (
        "Event no. 5, checkpointed at 2025-03-01T04:00:00.000000Z, is missing: events were deleted, or the database "
        "was restored from a backup older than the checkpoint."
    )


def test_an_unreadable_checkpoint_line_is_reported_by_line(capsys):
    append(2)
    audit_checkpoint_write()
    with checkpoint_path().open("a") as handle:
        handle.write("not json\n")

    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")

    assert str(raised.value) == "Audit chain broken: Line 2 of the checkpoint file cannot be read."


def test_the_scheduler_signs_checkpoints_every_ten_minutes(settings):
    append(2)

    call_command("scheduler", "--once", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert ("bianmin.core.audit.audit_checkpoint_task", 600) in settings.PERIODIC_TASKS
    assert [line["sequence"] for line in checkpoint_lines()] == [2]


def test_an_empty_chain_has_nothing_to_sign():
    assert audit_checkpoint_write() is None
    assert not checkpoint_path().exists()


@pytest.mark.parametrize("statement", ["UPDATE {table} SET action = 'case.reject'", "DELETE FROM {table}"])
def test_postgresql_refuses_to_update_or_delete_audit_events(statement):
    if connection.vendor != "postgresql":
        pytest.skip("The append-only trigger exists on PostgreSQL only: SQLite has no roles to keep it from.")
    append(2, start=0)
    before = list(AuditEvent.objects.values_list("sequence", "action", "hash"))

    with (
        pytest.raises(DatabaseError, match="audit events are append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=TABLE))

    assert list(AuditEvent.objects.values_list("sequence", "action", "hash")) == before
    assert verify_chain().ok is True


def test_production_refuses_to_start_without_a_checkpoint_key():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bianmin.settings.production",
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "bianmin.example.gov.cn",
            "AUDIT_CHECKPOINT_KEY": "",
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "AUDIT_CHECKPOINT_KEY must be set" in result.stderr


def test_the_demo_generates_its_checkpoint_key_once_under_var(tmp_path):
    script = "import django; django.setup(); from django.conf import settings as s; print(s.AUDIT_CHECKPOINT_KEY)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bianmin.settings.demo",
        "BIANMIN_VAR_DIR": str(tmp_path),
        "AUDIT_CHECKPOINT_KEY": "",
    }

    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)

    assert first.stdout == second.stdout == (tmp_path / "audit_checkpoint_key").read_text() + "\n"
    assert len(first.stdout.strip()) >= 32
