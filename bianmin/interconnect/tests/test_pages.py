"""The staff pages of interconnection: the outbound queue and dead letters, a delivery's attempts and re-send, the
reconciliations, the webhook endpoints."""

from __future__ import annotations

import datetime

import pytest

from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, logged_in, page_text, role_holder
from bianmin.interconnect.delivery import webhook_secret
from bianmin.interconnect.models import UPWARD, Delivery, DeliveryAttempt, Reconciliation, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def delivery(number: int, *, state: str = "pending", destination: str = UPWARD) -> Delivery:
    return Delivery.objects.create(
        message_id=f"bianmin-1-{number}-step",
        destination=destination,
        message_type="case_step",
        code="08",
        day=datetime.date(2026, 3, 3),
        body={"message_id": f"bianmin-1-{number}-step", "applicant_name": "张三"},
        state=state,
        attempts=8 if state == "dead" else 0,
        last_error="HTTP 503" if state == "dead" else "",
        created_at=at(2026, 3, 3, 10) + datetime.timedelta(minutes=number),
        next_attempt_at=None if state == "dead" else at(2026, 3, 3, 10),
    )


def test_the_queue_lists_a_page_filtered_by_destination_and_state(county, django_assert_num_queries):
    for number in range(3):
        delivery(number)
    dead = delivery(3, state="dead")
    Reconciliation.objects.create(
        day=datetime.date(2026, 3, 3),
        ran_at=at(2026, 3, 4, 1),
        differences=[{"key": "case_step/10", "ours": {"count": 4}, "theirs": {"count": 3}}],
    )
    client = logged_in("centre_admin", language="en")
    client.get("/workbench/interconnect/")  # the session and the menu's caches warm

    with django_assert_num_queries(11):
        response = client.get("/workbench/interconnect/", {"destination": UPWARD, "state": "dead"})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row[0].pk for row in rows] == [dead.pk]
    text = page_text(response)
    assert "bianmin-1-3-step" in text and "bianmin-1-2-step" not in text
    assert "case_step/10: we sent 4, the receiver holds 3" in text
    everything = client.get("/workbench/interconnect/")
    assert [row[0].message_id for row in everything.context["rows"]] == [f"bianmin-1-{n}-step" for n in (3, 2, 1, 0)]


def test_a_delivery_shows_its_attempts_and_is_sent_again_from_its_page(county):
    dead = delivery(1, state="dead")
    DeliveryAttempt.objects.create(delivery=dead, at=at(2026, 3, 3, 10), status_code=503, error="HTTP 503")
    client = logged_in("centre_admin", language="en")

    page = client.get(f"/workbench/interconnect/{dead.pk}/")
    assert page.status_code == 200
    assert "HTTP 503" in page_text(page) and 'id="resend"' in page.content.decode()

    response = client.post(f"/workbench/interconnect/{dead.pk}/resend/")

    assert response.status_code == 302 and response["Location"] == f"/workbench/interconnect/{dead.pk}/"
    dead.refresh_from_db()
    assert (dead.state, dead.attempts, dead.last_error) == ("pending", 0, "")
    assert AuditEvent.objects.filter(action="delivery.resend", object_id=str(dead.pk)).count() == 1


def test_the_county_supervisor_reads_but_does_not_resend_and_a_town_administrator_sees_nothing(county):
    dead = delivery(1, state="dead")
    Delivery.objects.filter(pk=dead.pk).update(
        body={**dead.body, "applicant_id_type": "resident_id", "applicant_id_number": "420222199001011237"}
    )
    supervisor = logged_in("supervisor")
    page = supervisor.get(f"/workbench/interconnect/{dead.pk}/")
    assert page.status_code == 200 and 'id="resend"' not in page.content.decode()
    shown = page.content.decode()
    assert "张三" not in shown and "420222199001011237" not in shown and "张*" in shown
    full = logged_in("centre_admin").get(f"/workbench/interconnect/{dead.pk}/").content.decode()
    assert "张三" in full and "420222199001011237" in full
    assert supervisor.post(f"/workbench/interconnect/{dead.pk}/resend/").status_code == 403

    role_holder("baisha_admin", "centre_admin", site="BS")
    town = logged_in("baisha_admin")
    assert town.get("/workbench/interconnect/").status_code == 403
    assert town.get("/workbench/interconnect/webhooks/").status_code == 403
    dead.refresh_from_db()
    assert dead.state == "dead" and not AuditEvent.objects.filter(action="delivery.resend").exists()


def test_an_endpoint_is_registered_and_its_secret_shown_once(county):
    client = logged_in("centre_admin", language="en")

    response = client.post(
        "/workbench/interconnect/webhooks/",
        {"name": "12345 热线", "url": "https://hotline.example/hooks", "event_types": ["case.accept", "case.deliver"]},
    )

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.name, endpoint.url, endpoint.event_types, endpoint.is_active) == (
        "12345 热线",
        "https://hotline.example/hooks",
        ["case.accept", "case.deliver"],
        True,
    )
    secret = webhook_secret(endpoint)
    assert secret in response.content.decode() and secret not in str(WebhookEndpoint.objects.values().get())
    assert secret not in client.get("/workbench/interconnect/webhooks/").content.decode()
    event = AuditEvent.objects.get(action="webhook.register")
    assert event.payload == {
        "name": "12345 热线",
        "url": "https://hotline.example/hooks",
        "event_types": ["case.accept", "case.deliver"],
    }

    client.post(f"/workbench/interconnect/webhooks/{endpoint.pk}/toggle/")
    endpoint.refresh_from_db()
    assert endpoint.is_active is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "url": "ftp://x.example/", "event_types": ["case.accept"]}, "starting with https://"),
        ({"name": "x", "url": "https://x.example/", "event_types": []}, "Choose at least one event type."),
        ({"name": "x", "url": "https://x.example/", "event_types": ["case.nothing"]}, "no event type case.nothing"),
        ({"name": " ", "url": "https://x.example/", "event_types": ["case.accept"]}, "Name the system"),
    ],
)
def test_a_wrong_registration_is_refused_with_its_reason_and_changes_nothing(county, data, message):
    response = logged_in("centre_admin", language="en").post("/workbench/interconnect/webhooks/", data)

    assert response.status_code == 400 and message in page_text(response)
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action="webhook.register").exists()


def test_the_menu_links_the_queue_for_the_county_administrator_and_supervisor_only(county):
    assert 'href="/workbench/interconnect/"' in logged_in("centre_admin").get("/workbench/").content.decode()
    assert 'href="/workbench/interconnect/"' in logged_in("supervisor").get("/workbench/").content.decode()
    assert 'href="/workbench/interconnect/"' not in logged_in("county_clerk").get("/workbench/").content.decode()


def test_the_refusal_is_in_chinese_by_default(county):
    data = {"name": "x", "url": "https://x.example/", "event_types": []}
    response = logged_in("centre_admin").post("/workbench/interconnect/webhooks/", data)
    assert response.status_code == 400 and "请至少选择一种事件类型。" in page_text(response)
