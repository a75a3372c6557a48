"""Delivery to the reference receiver running in a thread: at least once, never twice at the receiver, retried with
backoff while it is down, dead-lettered after the last attempt and re-sent by staff; signatures; reconciliation;
webhooks."""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request

import pytest
import time_machine
from django.utils import timezone

from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, delivered, received, role_holder, user
from bianmin.interconnect.delivery import (
    MESSAGE_ID_HEADER,
    SIGNATURE_HEADER,
    body_bytes,
    deliveries_send_due,
    delivery_resend,
    signed_headers,
)
from bianmin.interconnect.models import Delivery, Reconciliation
from bianmin.interconnect.receiver import ReferenceReceiver
from bianmin.interconnect.reconciliation import reconcile_day
from bianmin.interconnect.reporting import report_collect
from bianmin.interconnect.webhooks import webhook_register, webhooks_collect
from bianmin.supervision.models import InboxMessage

pytestmark = pytest.mark.django_db
SECRET = "upward-secret-for-the-tests-0123456789"


@pytest.fixture
def receiver(settings):
    server = ReferenceReceiver(secret=SECRET).start()
    settings.INTERCONNECT_UPWARD_URL = server.url
    settings.INTERCONNECT_UPWARD_SECRET = SECRET
    settings.INTERCONNECT_MAX_ATTEMPTS = 3
    settings.INTERCONNECT_BACKOFF_SECONDS = 30
    yield server
    server.stop()


def states() -> dict[str, int]:
    found: dict[str, int] = {}
    for state in Delivery.objects.values_list("state", flat=True):
        found[state] = found.get(state, 0) + 1
    return found


def test_every_message_reaches_the_receiver_once_and_is_acknowledged(county, receiver):
    delivered("SJ-0004", "YX", now=at(2026, 3, 3))
    report_collect()

    assert deliveries_send_due() == {"acknowledged": 9}

    ids = set(Delivery.objects.values_list("message_id", flat=True))
    assert set(receiver.store.messages) == ids and receiver.store.duplicates == 0
    assert receiver.store.messages[min(ids, key=lambda i: int(i.split("-")[2]))] == ("2026-03-03", "case_basic/02")
    attempt = Delivery.objects.order_by("pk").first().attempt_log.get()
    assert (attempt.status_code, attempt.error) == (200, "")
    assert deliveries_send_due() == {}  # nothing is due any more


def test_a_receiver_down_then_back_gets_everything_once(county, receiver):
    delivered("SJ-0004", "YX", now=at(2026, 3, 3))
    report_collect()
    receiver.stop()  # down: connection refused
    start = timezone.now()

    # One refused connection: the destination's other deliveries wait with it, without an attempt of their own.
    assert deliveries_send_due(now=start) == {"pending": 1}
    failed = Delivery.objects.get(attempts=1)
    assert "refused" in failed.last_error.lower()
    assert set(Delivery.objects.values_list("next_attempt_at", flat=True)) == {start + datetime.timedelta(seconds=30)}
    assert deliveries_send_due(now=start + datetime.timedelta(seconds=10)) == {}

    receiver.start()  # back, on the same port, with what it had
    receiver.failing = True  # … but answering 503 for a while
    assert deliveries_send_due(now=start + datetime.timedelta(seconds=45)) == {"pending": 1}
    assert failed.attempt_log.count() == 2  # the oldest is tried first, its backoff doubled
    assert set(Delivery.objects.values_list("next_attempt_at", flat=True)) == {start + datetime.timedelta(seconds=105)}
    receiver.failing = False
    assert deliveries_send_due(now=start + datetime.timedelta(minutes=5)) == {"acknowledged": 9}

    assert states() == {"acknowledged": 9}
    assert len(receiver.store.messages) == 9 and receiver.store.duplicates == 0


def test_a_message_sent_twice_is_stored_once_at_the_receiver(county, receiver):
    received("SJ-0004", "YX", now=at(2026, 3, 3))
    report_collect()
    deliveries_send_due()
    delivery = Delivery.objects.get()

    delivery_resend(actor=user("admin"), delivery=delivery)
    assert deliveries_send_due() == {"acknowledged": 1}

    assert len(receiver.store.messages) == 1 and receiver.store.duplicates == 1
    event = AuditEvent.objects.filter(action="delivery.resend").get()
    assert (event.actor.username, event.payload["before"], event.payload["message_id"]) == (
        "admin",
        "acknowledged",
        delivery.message_id,
    )


def test_after_the_last_attempt_a_delivery_is_a_dead_letter_until_staff_send_it_again(county, receiver):
    received("SJ-0004", "YX", now=at(2026, 3, 3))
    report_collect()
    receiver.failing = True
    moment = timezone.now()
    for _attempt in range(3):
        deliveries_send_due(now=moment)
        moment += datetime.timedelta(hours=1)

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at, delivery.last_error) == (
        "dead",
        3,
        None,
        "HTTP 503",
    )
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, 503, 503]
    assert deliveries_send_due(now=moment + datetime.timedelta(days=1)) == {}  # a dead letter is not retried

    receiver.failing = False
    delivery_resend(actor=user("centre_admin"), delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("pending", 0, "")
    assert deliveries_send_due() == {"acknowledged": 1}
    assert list(receiver.store.messages) == [delivery.message_id]


def test_a_town_administrator_may_not_resend(county, receiver):
    from django.core.exceptions import PermissionDenied

    received("SJ-0004", "YX", now=at(2026, 3, 3))
    report_collect()
    delivery = Delivery.objects.get()
    town_admin = role_holder("baisha_admin", "centre_admin", site="BS")
    before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        delivery_resend(actor=town_admin, delivery=delivery)

    assert AuditEvent.objects.count() == before and Delivery.objects.get().state == "pending"


def _post(receiver: ReferenceReceiver, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(f"{receiver.url}/messages", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_receiver_refuses_a_tampered_message_a_wrong_secret_and_an_invalid_body(county, receiver):
    received("SJ-0004", "YX", now=at(2026, 3, 3))
    report_collect()
    message = Delivery.objects.get().body
    body = body_bytes(message)
    now = timezone.now()
    headers = signed_headers(SECRET, message["message_id"], body, now)

    tampered = body.replace("张三".encode(), "李四".encode())
    assert _post(receiver, tampered, headers) == 401
    assert _post(receiver, body, signed_headers("another-secret", message["message_id"], body, now)) == 401
    assert _post(receiver, body, {**headers, MESSAGE_ID_HEADER: "another-id"}) == 401
    old = signed_headers(SECRET, message["message_id"], body, now - datetime.timedelta(minutes=10))
    assert _post(receiver, body, old) == 401
    invalid = body_bytes({**message, "channel": "fax"})
    assert _post(receiver, invalid, signed_headers(SECRET, message["message_id"], invalid, now)) == 422
    assert receiver.store.messages == {}

    assert _post(receiver, body, headers) == 200
    assert list(receiver.store.messages) == [message["message_id"]]
    assert headers[SIGNATURE_HEADER].startswith("v1=")


def test_reconciliation_balances_and_finds_a_message_the_receiver_lost(county, receiver):
    delivered("SJ-0004", "YX", now=at(2026, 3, 3))
    report_collect()
    deliveries_send_due()

    balanced = reconcile_day(datetime.date(2026, 3, 3))
    assert (balanced.is_balanced, balanced.differences, balanced.error) == (True, [], "")
    assert balanced.ours == balanced.theirs
    assert balanced.ours["case_step/10"]["count"] == 4 and len(balanced.ours) == 5
    assert not InboxMessage.objects.exists()

    lost = Delivery.objects.get(message_type="case_step", body__step_name="制证")
    receiver.store.forget(lost.message_id)
    run = reconcile_day(datetime.date(2026, 3, 3))

    assert run.is_balanced is False
    assert [(d["key"], d["ours"]["count"], d["theirs"]["count"]) for d in run.differences] == [("case_step/10", 4, 3)]
    note = InboxMessage.objects.get()
    assert (note.recipient.username, note.url) == ("centre_admin", "/workbench/interconnect/")
    assert "2026-03-03" in note.subject

    # Re-sent, the receiver has it again and the day balances.
    delivery_resend(actor=user("centre_admin"), delivery=lost)
    deliveries_send_due()
    assert reconcile_day(datetime.date(2026, 3, 3)).is_balanced is True
    assert Reconciliation.objects.count() == 3


def test_reconciliation_with_a_receiver_that_does_not_answer_is_recorded_as_not_compared(county, receiver):
    receiver.stop()
    run = reconcile_day(datetime.date(2026, 3, 3))
    assert run.is_balanced is False and run.differences == [] and "refused" in run.error.lower()
    assert InboxMessage.objects.filter(recipient__username="centre_admin").count() == 1


def test_a_webhook_endpoint_down_for_a_while_gets_every_event_once(county, settings):
    hook = ReferenceReceiver(secret="unused").start()
    settings.INTERCONNECT_MAX_ATTEMPTS = 8
    settings.INTERCONNECT_BACKOFF_SECONDS = 30
    try:
        with time_machine.travel(at(2026, 3, 3, 9), tick=False) as clock:
            endpoint, secret = webhook_register(
                actor=user("centre_admin"),
                name="12345 热线",
                url=f"{hook.url}/events",
                event_types=["case.submit", "case.accept"],
            )
            hook.event_secrets[endpoint.destination] = secret
            hook.stop()  # down for a while
            clock.move_to(at(2026, 3, 3, 10))
            cases = [received("SJ-0004", "YX"), received("SJ-0003", "YX")]
            from bianmin.cases import services

            services.case_accept(actor=user("admin"), case=cases[0])
            assert webhooks_collect() == 3
            assert deliveries_send_due() == {"pending": 1}
            assert deliveries_send_due() == {}
            assert list(Delivery.objects.order_by("pk").values_list("state", "attempts")) == [
                ("pending", 1),
                ("pending", 0),
                ("pending", 0),
            ]
            # A minute later it is back; the backoff moves the next attempts ahead.
            clock.move_to(at(2026, 3, 3, 10) + datetime.timedelta(minutes=1))
            hook.start()
            assert deliveries_send_due() == {"acknowledged": 3}
            clock.move_to(at(2026, 3, 3, 11))
            assert deliveries_send_due() == {}
    finally:
        hook.stop()

    expected = {
        f"bianmin-event-{event.sequence}-webhook-{endpoint.pk}": event.action
        for event in AuditEvent.objects.filter(action__in=["case.submit", "case.accept"], sequence__gt=0).order_by(
            "sequence"
        )
        if event.occurred_at >= at(2026, 3, 3, 9)
    }
    assert {key: body["type"] for key, body in hook.store.events.items()} == expected
    assert hook.store.duplicates == 0 and len(expected) == 3
    first = hook.store.events[min(expected)]
    assert set(first) == {"id", "type", "occurred_at", "object", "data"}
    assert json.dumps(first, ensure_ascii=False)


def test_a_switched_off_endpoint_gets_nothing_new_and_its_pending_deliveries_wait_without_attempts(county, settings):
    from bianmin.interconnect.webhooks import webhook_set_active

    endpoint, _secret = webhook_register(
        actor=user("centre_admin"), name="银行", url="http://127.0.0.1:9/events", event_types=["case.submit"]
    )
    received("SJ-0004", "YX")
    assert webhooks_collect() == 1
    webhook_set_active(actor=user("centre_admin"), endpoint=endpoint, is_active=False)
    received("SJ-0003", "YX")

    assert webhooks_collect() == 0
    deliveries_send_due()
    waiting = Delivery.objects.get()
    assert (waiting.state, waiting.attempts, waiting.last_error) == ("pending", 0, "destination is off")
    assert not waiting.attempt_log.exists()
    assert AuditEvent.objects.filter(action="webhook.deactivate", object_id=str(endpoint.pk)).count() == 1


def test_the_worker_tasks_collect_send_and_reconcile(county, receiver):
    from bianmin.interconnect.tasks import reconcile_upward, send_outbound

    with time_machine.travel(at(2026, 3, 3, 10), tick=False) as clock:
        received("SJ-0004", "YX")
        outcome = send_outbound.enqueue().return_value
        assert outcome == {"queued": {"cases": 1, "alerts": 0, "webhooks": 0}, "sent": {"acknowledged": 1}}
        clock.move_to(at(2026, 3, 4, 1))
        assert reconcile_upward.enqueue().return_value == {"2026-03-03": {"differences": 0, "error": ""}}
        # A day that did not balance is compared again the next days, until it does (or a week has passed).
        receiver.store.forget(Delivery.objects.get().message_id)
        reconcile_day(datetime.date(2026, 3, 3))
        clock.move_to(at(2026, 3, 5, 1))
        assert reconcile_upward.enqueue().return_value == {
            "2026-03-03": {"differences": 1, "error": ""},
            "2026-03-04": {"differences": 0, "error": ""},
        }
        clock.move_to(at(2026, 3, 12, 1))
        assert list(reconcile_upward.enqueue().return_value) == ["2026-03-11"]


def test_the_reference_receiver_command_needs_a_secret(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.INTERCONNECT_UPWARD_SECRET = ""
    with pytest.raises(CommandError, match="secret"):
        call_command("reference_receiver", "--port", "0")


def test_every_demo_case_reaches_the_receiver_and_every_day_reconciles_to_zero(county, receiver):
    from bianmin.cases.models import Case
    from bianmin.demo.cases import load_demo_cases
    from bianmin.interconnect.reporting import alerts_collect
    from bianmin.supervision.sweep import sweep

    load_demo_cases(today=datetime.date(2026, 3, 20))
    sweep_now = at(2026, 3, 20)
    sweep(now=sweep_now)
    while report_collect(batch=500):
        pass
    alerts_collect(now=sweep_now + datetime.timedelta(hours=1))
    while deliveries_send_due(limit=1000):
        pass

    assert set(Delivery.objects.values_list("state", flat=True)) == {"acknowledged"}
    reported_cases = {d.body["case"]["case_id"] for d in Delivery.objects.filter(message_type="case_basic")}
    assert reported_cases == set(Case.objects.exclude(status="draft").values_list("pk", flat=True))
    assert len(reported_cases) > 0 and receiver.store.duplicates == 0
    assert len(receiver.store.messages) == Delivery.objects.count()
    days = sorted(set(Delivery.objects.values_list("day", flat=True)))
    assert [reconcile_day(day).differences for day in days] == [[] for _day in days]
