"""The audit chain's status page: every verification (scheduled task, "verify now", the command) is recorded, the
page shows the latest and the last 20 runs, and a broken chain turns it red."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bianmin.core.audit import audit_checkpoint_write, verify_audit_chain_task
from bianmin.core.models import AuditEvent, AuditHead, AuditVerification
from bianmin.core.testing import audit_tamper, logged_in, page_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


def tamper_with(sequence: int) -> None:
    audit_tamper(f"UPDATE {TABLE} SET payload = %s WHERE sequence = %s", ['{"forged": true}', sequence])


def test_the_scheduled_task_records_one_intact_run(county):
    head = AuditHead.objects.get().last_sequence

    outcome = verify_audit_chain_task.enqueue().return_value

    run = AuditVerification.objects.get()
    assert (run.is_intact, run.events_checked, run.first_bad_sequence, run.code, run.reason) == (
        True,
        head,
        None,
        "ok",
        "",
    )
    assert run.duration_ms >= 0
    assert outcome["ok"] is True and outcome["verified_at"] == run.ran_at.isoformat()


def test_a_tampered_chain_is_recorded_as_broken_and_the_page_turns_red(county):
    head = AuditHead.objects.get().last_sequence
    tamper_with(head - 1)

    verify_audit_chain_task.enqueue()

    run = AuditVerification.objects.get()
    assert (run.is_intact, run.events_checked, run.first_bad_sequence, run.code) == (
        False,
        head - 2,
        head - 1,
        "row_edited",
    )
    page = logged_in("supervisor", language="en").get("/supervision/audit/")
    body = page_text(page)
    assert page.context["latest"] == run
    assert 'id="chain-broken"' in body
    assert f"The first bad event is no. {head - 1}." in body
    assert "The row was edited: its contents do not match its hash." in body


def test_the_command_records_its_run_too(county, capsys):
    call_command("audit", "verify")
    tamper_with(1)
    with pytest.raises(CommandError):
        call_command("audit", "verify")

    assert list(AuditVerification.objects.order_by("pk").values_list("is_intact", "first_bad_sequence")) == [
        (True, None),
        (False, 1),
    ]


def test_the_page_shows_the_latest_run_the_last_twenty_and_the_head(county, django_assert_max_num_queries):
    base = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    AuditVerification.objects.bulk_create(
        AuditVerification(
            ran_at=base + datetime.timedelta(hours=hour),
            is_intact=True,
            events_checked=1000 + hour,
            duration_ms=40 + hour,
        )
        for hour in range(25)
    )
    client = logged_in("supervisor", language="en")

    with django_assert_max_num_queries(10):
        page = client.get("/supervision/audit/")

    body = page_text(page)
    assert page.status_code == 200
    assert page.context["latest"].events_checked == 1024
    assert len(page.context["runs"]) == 20
    assert "2026-10-02 08:00:00" in body  # the latest run, 00:00 UTC + 24 h, in Beijing time
    assert "64 ms" in body
    assert f"The chain's head is event no. {AuditHead.objects.get().last_sequence}." in body
    assert 'id="chain-broken"' not in body


def test_verify_now_queues_the_task_and_the_page_shows_its_run(county):
    client = logged_in("centre_admin", language="en")
    assert "The chain has not been verified yet." in page_text(client.get("/supervision/audit/"))

    response = client.post("/supervision/audit/verify/")

    assert response.status_code == 302 and response["Location"] == "/supervision/audit/"
    assert AuditVerification.objects.count() == 1  # the immediate backend of the tests runs it at once
    assert "Intact" in page_text(client.get("/supervision/audit/"))


@pytest.mark.parametrize("username", ["county_clerk", "market_head", "baisha_agent"])
def test_other_staff_do_not_see_the_audit_page(county, username):
    client = logged_in(username, language="en")
    assert client.get("/supervision/audit/").status_code == 403
    assert client.post("/supervision/audit/verify/").status_code == 403
    assert AuditVerification.objects.count() == 0


def test_the_page_shows_the_latest_checkpoint_signed_outside_the_database(county):
    client = logged_in("supervisor", language="en")
    assert 'id="latest-checkpoint">No checkpoint has been signed yet.' in page_text(client.get("/supervision/audit/"))
    head = AuditHead.objects.get().last_sequence

    audit_checkpoint_write(now=datetime.datetime(2026, 10, 1, 2, 30, tzinfo=datetime.UTC))

    page = page_text(client.get("/supervision/audit/"))
    assert f"The latest checkpoint, signed outside the database at 2026-10-01 10:30:00, is event no. {head}." in page
