"""The audit chain: appending, tamper detection row by row, the command, the task and the admin."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import translation

from bianmin.core import audit as audit_module
from bianmin.core.audit import (
    GENESIS_HASH,
    VerifyResult,
    audit_events_for,
    audit_record,
    verify_audit_chain_task,
    verify_chain,
)
from bianmin.core.models import AuditEvent, AuditHead
from bianmin.core.testing import audit_tamper

pytestmark = pytest.mark.usefixtures("english")

T0 = datetime(2025, 3, 1, 2, 0, 0, tzinfo=UTC)
TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


def expected_hash(
    *, sequence, occurred_at, actor_id, actor_label, action, object_type, object_id, payload, prev_hash
) -> str:
    """The documented canonical form, written out independently so a format change fails loudly.

    External verifiers (the change feed of roadmap item 7) will recompute hashes from this definition.
    """
    canonical = json.dumps(
        [
            sequence,
            occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            payload,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user(username="clerk01", password="not-used-here-1")


def append(count: int, *, actor=None, start: int = 0) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit_record(
                actor=actor,
                action="case.accept",
                object_type="cases.case",
                object_id=str(100 + start + index),
                payload={"step": start + index, "note": "受理"},
                occurred_at=T0 + timedelta(minutes=start + index),
            )
            for index in range(count)
        ]


def raw_sql(sql: str, params: list | None = None) -> None:
    audit_tamper(sql, params)


def failure(sequence, row_id, code, reason, *, count) -> VerifyResult:
    return VerifyResult(
        ok=False, count=count, first_bad_sequence=sequence, reason=reason, code=code, first_bad_id=row_id
    )


# --- appending ---------------------------------------------------------------------------------------


def test_appends_form_a_valid_chain(clerk):
    events = append(3, actor=clerk)

    assert [event.sequence for event in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    head = AuditHead.objects.get()
    assert (head.id, head.last_sequence, head.last_hash) == (1, 3, events[2].hash)
    assert verify_chain() == VerifyResult(ok=True, count=3, first_bad_sequence=None, reason="")


def test_hash_follows_the_documented_canonical_form(clerk):
    with transaction.atomic():
        event = audit_record(
            actor=clerk,
            action="item.publish",
            object_type="catalog.item",
            object_id="7",
            payload={"b": 1, "a": "事项"},
            occurred_at=T0,
        )

    assert event.hash == expected_hash(
        sequence=1,
        occurred_at=T0,
        actor_id=clerk.pk,
        actor_label="clerk01",
        action="item.publish",
        object_type="catalog.item",
        object_id="7",
        payload={"a": "事项", "b": 1},
        prev_hash=GENESIS_HASH,
    )


def test_obj_gives_object_type_and_id_and_actor_gives_label(clerk):
    other = get_user_model().objects.create_user(username="clerk02", password="not-used-here-2")
    with transaction.atomic():
        first = audit_record(actor=clerk, action="user.update", obj=other, occurred_at=T0)
        system = audit_record(actor=None, action="user.lock", obj=other, occurred_at=T0)
        audit_record(actor=None, action="user.lock", obj=clerk, occurred_at=T0)

    assert (first.object_type, first.object_id) == ("accounts.user", str(other.pk))
    assert (first.actor_id, first.actor_label) == (clerk.pk, "clerk01")
    assert (system.actor_id, system.actor_label) == (None, "system")
    assert list(audit_events_for(other)) == [first, system]


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_raises():
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        audit_record(actor=None, action="case.accept", object_type="cases.case", object_id="1")

    assert AuditEvent.objects.count() == 0
    assert not AuditHead.objects.exists()


def test_audit_record_refuses_naive_time_and_unsaved_objects(db):
    unsaved = get_user_model()(username="ghost")
    with transaction.atomic():
        with pytest.raises(ValueError, match="timezone-aware"):
            audit_record(
                actor=None,
                action="x",
                object_type="cases.case",
                object_id="1",
                occurred_at=datetime(2025, 3, 1, 10, 0),  # naive on purpose
            )
        with pytest.raises(ValueError, match="unsaved"):
            audit_record(actor=None, action="x", obj=unsaved)
        with pytest.raises(ValueError, match="needs obj"):
            audit_record(actor=None, action="x")

    assert AuditEvent.objects.count() == 0


def test_payload_with_decimal_date_and_chinese_round_trips_and_verifies(db):
    payload = {
        "fee": Decimal("12.50"),
        "due": date(2025, 3, 7),
        "applicant": "张三",
        "nested": {"items": ["营业执照", 3, 0.1, True, None]},
        "large_float": 1e16,
        "large_int": 2**62,
    }
    with transaction.atomic():
        event = audit_record(actor=None, action="case.submit", object_type="cases.case", object_id="9", payload=payload)

    stored = AuditEvent.objects.get(pk=event.pk).payload
    assert stored["fee"] == "12.50"
    assert stored["due"] == "2025-03-07"
    assert stored["applicant"] == "张三"
    assert stored["nested"] == {"items": ["营业执照", 3, 0.1, True, None]}
    assert stored["large_int"] == 2**62
    assert stored["large_float"] == 1e16
    assert verify_chain().ok is True


def test_occurred_at_with_microseconds_in_local_time_hashes_the_same_when_read_back(db):
    local_moment = datetime(2025, 3, 1, 10, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    with transaction.atomic():
        event = audit_record(actor=None, action="x", object_type="cases.case", object_id="1", occurred_at=local_moment)
        audit_record(actor=None, action="x", object_type="cases.case", object_id="1", occurred_at=T0)  # microsecond 0

    assert AuditEvent.objects.get(pk=event.pk).occurred_at == local_moment
    assert verify_chain() == VerifyResult(ok=True, count=2, first_bad_sequence=None, reason="")


# --- verification ------------------------------------------------------------------------------------


def test_verify_on_an_empty_chain_is_ok(db):
    assert verify_chain() == VerifyResult(ok=True, count=0, first_bad_sequence=None, reason="")
    AuditHead.objects.create(id=1)
    assert verify_chain() == VerifyResult(ok=True, count=0, first_bad_sequence=None, reason="")


def test_verify_streams_in_small_chunks(db):
    append(7)

    assert verify_chain(chunk_size=2) == VerifyResult(ok=True, count=7, first_bad_sequence=None, reason="")


def test_edited_payload_is_caught_at_that_row(db):
    events = append(5)
    raw_sql(f"UPDATE {TABLE} SET payload = %s WHERE sequence = 2", ['{"step": 1, "note": "不予受理"}'])

    assert verify_chain() == failure(
        2, events[1].pk, "row_edited", "The row was edited: its contents do not match its hash.", count=1
    )


def test_edited_row_with_a_recomputed_hash_is_caught_at_the_next_row(db):
    events = append(5)
    edited = events[1]
    new_hash = expected_hash(
        sequence=2,
        occurred_at=edited.occurred_at,
        actor_id=None,
        actor_label="system",
        action="case.reject",
        object_type=edited.object_type,
        object_id=edited.object_id,
        payload=edited.payload,
        prev_hash=edited.prev_hash,
    )
    raw_sql(f"UPDATE {TABLE} SET action = 'case.reject', hash = %s WHERE sequence = 2", [new_hash])

    assert verify_chain() == failure(
        3,
        events[2].pk,
        "prev_hash_mismatch",
        "Previous-hash mismatch: this row does not follow the row before it.",
        count=2,
    )


def test_deleted_middle_row_is_caught_at_the_row_after_the_gap(db):
    events = append(5)
    raw_sql(f"DELETE FROM {TABLE} WHERE sequence = 3")

    assert verify_chain() == failure(4, events[3].pk, "row_missing", "A row is missing before this one.", count=2)


def test_deleted_last_row_disagrees_with_the_head(db):
    append(5)
    raw_sql(f"DELETE FROM {TABLE} WHERE sequence = 5")

    assert verify_chain() == failure(
        5,
        None,
        "rows_deleted_from_end",
        "Rows were deleted from the end of the chain: the head records 5 events but the last row is 4.",
        count=4,
    )


def test_every_row_deleted_disagrees_with_the_head(db):
    append(2)
    raw_sql(f"DELETE FROM {TABLE}")

    result = verify_chain()

    assert (result.ok, result.first_bad_sequence, result.code, result.count) == (
        False,
        1,
        "rows_deleted_from_end",
        0,
    )


def test_forged_row_with_a_valid_hash_in_the_middle_is_caught_at_the_next_row(db):
    events = append(5)
    # The forger removes row 3 and writes their own row 3, correctly hashed onto row 2.
    forged = {
        "sequence": 3,
        "occurred_at": T0 + timedelta(minutes=2),
        "actor_id": None,
        "actor_label": "system",
        "action": "case.accept",
        "object_type": "cases.case",
        "object_id": "999",
        "payload": {"step": 2, "note": "伪造"},
        "prev_hash": events[1].hash,
    }
    raw_sql(f"DELETE FROM {TABLE} WHERE sequence = 3")
    with transaction.atomic():
        AuditEvent.objects.create(**forged, hash=expected_hash(**forged))

    assert verify_chain() == failure(
        4,
        events[3].pk,
        "prev_hash_mismatch",
        "Previous-hash mismatch: this row does not follow the row before it.",
        count=3,
    )


def test_swapped_sequences_are_caught_at_the_first_swapped_row(db):
    events = append(5)
    raw_sql(f"UPDATE {TABLE} SET sequence = 1000 WHERE sequence = 2")
    raw_sql(f"UPDATE {TABLE} SET sequence = 2 WHERE sequence = 4")
    raw_sql(f"UPDATE {TABLE} SET sequence = 4 WHERE sequence = 1000")

    assert verify_chain() == failure(
        2,
        events[3].pk,
        "prev_hash_mismatch",
        "Previous-hash mismatch: this row does not follow the row before it.",
        count=1,
    )


def test_row_forged_past_the_head_is_caught(db):
    events = append(5)
    forged = {
        "sequence": 6,
        "occurred_at": T0 + timedelta(minutes=9),
        "actor_id": None,
        "actor_label": "system",
        "action": "case.accept",
        "object_type": "cases.case",
        "object_id": "999",
        "payload": {},
        "prev_hash": events[4].hash,
    }
    with transaction.atomic():
        AuditEvent.objects.create(**forged, hash=expected_hash(**forged))

    assert verify_chain() == failure(
        6,
        None,
        "rows_past_head",
        "Rows were added past the head of the chain: the head records 5 events.",
        count=6,
    )


def test_head_with_a_wrong_hash_is_caught(db):
    append(5)
    AuditHead.objects.update(last_hash="a" * 64)

    assert verify_chain() == failure(
        5, None, "head_mismatch", "The chain head's hash does not match the last row.", count=5
    )


def test_verify_catches_up_with_events_appended_while_it_reads(db, monkeypatch):
    # Simulates an append that commits after the rows were streamed but before the head is read.
    append(3)
    stream = audit_module._rows_after
    calls = []

    def rows_then_concurrent_append(sequence, chunk_size):
        yield from stream(sequence, chunk_size)
        if not calls:
            calls.append(sequence)
            append(2, start=3)

    monkeypatch.setattr(audit_module, "_rows_after", rows_then_concurrent_append)

    assert verify_chain() == VerifyResult(ok=True, count=5, first_bad_sequence=None, reason="")


# --- the command -------------------------------------------------------------------------------------


def test_verify_command_prints_the_count_when_intact(db, capsys):
    append(5)

    call_command("audit", "verify")

    assert capsys.readouterr().out == (
        "Audit chain intact: 5 events.\nCheckpoints valid: 0.\nCheckpoint signed at event no. 5.\n"
    )


def test_verify_command_speaks_the_active_language(db, capsys):
    events = append(5)

    with translation.override("zh-hans"):
        call_command("audit", "verify")
        raw_sql(f"DELETE FROM {TABLE} WHERE sequence = 3")
        with pytest.raises(CommandError) as raised:
            call_command("audit", "verify")

    assert capsys.readouterr().out == "审计链完整：共 5 条记录。\n有效检查点：0 个。\n已在第 5 条记录处签署检查点。\n"
    assert str(raised.value) == f"审计链在第 4 条记录（ID {events[3].pk}）处断裂：此条记录之前缺失记录。"


def test_verify_command_fails_naming_the_bad_row(db):
    events = append(5)
    raw_sql(f"UPDATE {TABLE} SET payload = %s WHERE sequence = 2", ["{}"])

    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")

    assert raised.value.returncode == 1
    assert str(raised.value) == (
        f"Audit chain broken at event #2 (id {events[1].pk}): The row was edited: its contents do not match its hash."
    )


def test_verify_command_names_the_missing_sequence_when_rows_are_deleted_from_the_end(db):
    append(5)
    raw_sql(f"DELETE FROM {TABLE} WHERE sequence >= 4")

    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")

    assert raised.value.returncode == 1
    assert str(raised.value) == (
        "Audit chain broken at sequence 4: Rows were deleted from the end of the chain: "
        "the head records 5 events but the last row is 3."
    )


def test_tail_command_prints_the_last_events_oldest_first(db, capsys):
    append(3)

    call_command("audit", "tail", "-n", "2")

    assert capsys.readouterr().out == (
        '#2 2025-03-01T10:01:00+08:00 system case.accept cases.case:101 {"note":"受理","step":1}\n'
        '#3 2025-03-01T10:02:00+08:00 system case.accept cases.case:102 {"note":"受理","step":2}\n'
    )


def test_tail_command_rejects_a_count_below_one(db):
    with pytest.raises(CommandError, match="0 is not a positive whole number"):
        call_command("audit", "tail", "-n", "0")


# --- the task ----------------------------------------------------------------------------------------


def test_task_returns_the_verification_as_its_stored_result(db, caplog):
    append(2)

    result = verify_audit_chain_task.enqueue()

    outcome = result.return_value
    assert outcome.pop("verified_at")
    assert outcome == {
        "ok": True,
        "count": 2,
        "first_bad_sequence": None,
        "reason": "",
        "code": "ok",
        "first_bad_id": None,
        "checkpoints": 0,
        "last_checkpoint_sequence": None,
    }
    assert "Audit chain intact: 2 events." in caplog.text


def test_task_logs_an_error_when_the_chain_is_broken(db, caplog):
    append(3)
    raw_sql(f"DELETE FROM {TABLE} WHERE sequence = 2")

    outcome = verify_audit_chain_task.enqueue().return_value

    assert (outcome["ok"], outcome["first_bad_sequence"], outcome["code"]) == (False, 3, "row_missing")
    assert [record.levelname for record in caplog.records if record.name == "bianmin.core.audit"] == ["ERROR"]


# --- the admin ---------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    admin_user = get_user_model().objects.create_superuser(username="root", password="not-used-here-3")
    client.force_login(admin_user)
    return client


def test_admin_lists_and_shows_events_but_nobody_may_write(superuser_client):
    event = append(1)[0]
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])

    listing = superuser_client.get(reverse("admin:core_auditevent_changelist"))
    detail = superuser_client.get(change_url)
    add = superuser_client.get(reverse("admin:core_auditevent_add"))
    post = superuser_client.post(change_url, {"action": "case.reject"})
    delete = superuser_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})

    assert listing.status_code == 200
    assert "case.accept" in listing.text
    assert detail.status_code == 200
    assert "<pre>{\n  &quot;note&quot;: &quot;受理&quot;,\n  &quot;step&quot;: 0\n}</pre>" in detail.text
    assert 'name="_save"' not in detail.text
    assert (add.status_code, post.status_code, delete.status_code) == (403, 403, 403)
    assert AuditEvent.objects.get().action == "case.accept"
    assert verify_chain().ok is True


# --- concurrency (PostgreSQL) -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises every writer on one file lock.")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for index in range(50):
                with transaction.atomic():
                    audit_record(actor=None, action="load.test", object_type="test.writer", object_id=f"{name}{index}")
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, 101))
    assert AuditEvent.objects.filter(object_id__startswith="a").count() == 50
    assert verify_chain() == VerifyResult(ok=True, count=100, first_bad_sequence=None, reason="")
