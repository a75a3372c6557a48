"""The supervision side over the REST API: alerts, orders, accountability and the audit chain's status, read through
the pages' selectors and changed through the pages' services, with the same permissions."""

import json

import pytest
import time_machine
from django.test import Client

from bianmin.core.audit import audit_events_for
from bianmin.core.models import AuditEvent, AuditHead
from bianmin.core.testing import at, logged_in, overdue, user
from bianmin.org.models import Department
from bianmin.supervision.models import AccountabilityRecord, Alert, RuleSetting, SupervisionOrder
from bianmin.supervision.services.alerts import rule_setting_update
from bianmin.supervision.sweep import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOW = at(2026, 3, 11)
API = "/api/v1/supervision/"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def get(client: Client, path: str, **params):
    return client.get(API + path, params)


def post(client: Client, path: str, body=None):
    return client.post(API + path, json.dumps(body or {}), content_type="application/json")


def problem(response) -> tuple[int, str, str]:
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    return response.status_code, response.json()["code"], response.json()["detail"]


def two_overdue_cases() -> tuple[Alert, Alert]:
    """Two SJ cases at the county centre overdue on 03-11: each has its promised deadline alert."""
    RuleSetting.objects.create(rule="duty_missing", mode="off", level="warning")
    RuleSetting.objects.create(rule="step_overdue", mode="off", level="warning")
    first, second = overdue("SJ-0004", "YX"), overdue("SJ-0004", "YX")
    sweep(now=NOW)
    return Alert.objects.get(case=first), Alert.objects.get(case=second)


# --- Alerts ------------------------------------------------------------------------------------------------------


def test_the_alert_list_pages_with_a_cursor_and_filters(county, clock, django_assert_num_queries):
    first, second = two_overdue_cases()
    supervisor = logged_in("supervisor", language="en")

    with django_assert_num_queries(6):  # the session, the user, their roles, the count, the page, its cases
        listing = get(supervisor, "alerts").json()
    assert (listing["count"], [row["id"] for row in listing["items"]]) == (2, [second.pk, first.pk])
    row = listing["items"][1]
    assert {key: row[key] for key in ("rule", "level", "state", "case_id", "site_code", "department_code")} == {
        "rule": "case_overdue_promised",
        "level": first.level,
        "state": "open",
        "case_id": first.case_id,
        "site_code": "YX",
        "department_code": "SJ",
    }
    assert row["tracking_number"] == first.case.tracking_number

    page = get(supervisor, "alerts", limit=1).json()
    assert ([row["id"] for row in page["items"]], page["previous"]) == ([second.pk], None)
    page = get(supervisor, "alerts", limit=1, cursor=page["next"]).json()
    assert ([row["id"] for row in page["items"]], page["next"]) == ([first.pk], None)
    back = get(supervisor, "alerts", limit=1, cursor=page["previous"]).json()
    assert [row["id"] for row in back["items"]] == [second.pk]

    assert get(supervisor, "alerts", department="ZR").json()["count"] == 0
    assert get(supervisor, "alerts", department="SJ", state="live", site="YX").json()["count"] == 2
    assert get(supervisor, "alerts", state="closed").json()["count"] == 0
    assert get(supervisor, "alerts", raised_from="2026-03-12").json()["count"] == 0
    assert get(supervisor, "alerts", raised_until="2026-03-11").json()["count"] == 2

    for _ in range(3):
        overdue("SJ-0004", "YX")
    sweep(now=NOW)
    with django_assert_num_queries(6):
        assert len(get(supervisor, "alerts").json()["items"]) == 5


def test_who_reads_alerts(county, clock):
    alert, _other = two_overdue_cases()
    Alert.objects.filter(pk=_other.pk).update(department=Department.objects.get(code="ZR"))

    assert problem(get(logged_in("county_clerk", language="en"), "alerts")) == (
        403,
        "permission_denied",
        "Only supervisors and department leads read the alerts.",
    )
    assert problem(get(logged_in("county_clerk", language="en"), f"alerts/{alert.pk}"))[:2] == (404, "not_found")
    head = logged_in("market_head", language="en")
    assert [row["id"] for row in get(head, "alerts").json()["items"]] == [alert.pk]
    assert get(head, f"alerts/{_other.pk}").status_code == 404
    assert get(head, f"alerts/{alert.pk}").json()["actions"] == []
    assert get(logged_in("supervisor"), f"alerts/{alert.pk}").json()["actions"] == ["resolve", "dismiss"]


def test_a_supervisor_confirms_and_resolves_an_alert_and_others_change_nothing(county, clock):
    rule_setting_update(actor=user("supervisor"), rule="case_overdue_promised", mode="manual", level="yellow")
    RuleSetting.objects.create(rule="duty_missing", mode="off", level="warning")
    overdue("SJ-0004", "YX")
    sweep(now=NOW)
    alert = Alert.objects.get(rule="case_overdue_promised")
    assert alert.state == "pending"
    events = AuditEvent.objects.count()

    head = logged_in("market_head", language="en")
    assert problem(post(head, f"alerts/{alert.pk}/confirm")) == (
        403,
        "permission_denied",
        "Only a supervisor may do this.",
    )
    assert (Alert.objects.get(pk=alert.pk).state, AuditEvent.objects.count()) == ("pending", events)

    supervisor = logged_in("supervisor", language="en")
    confirmed = post(supervisor, f"alerts/{alert.pk}/confirm")
    assert (confirmed.status_code, confirmed.json()["state"], confirmed.json()["actions"]) == (
        200,
        "open",
        ["resolve", "dismiss"],
    )
    assert problem(post(supervisor, f"alerts/{alert.pk}/confirm")) == (
        409,
        "transition_not_allowed",
        "Only an alert awaiting review can be confirmed.",
    )
    assert problem(post(supervisor, f"alerts/{alert.pk}/resolve", {"note": ""}))[:2] == (422, "invalid_input")
    resolved = post(supervisor, f"alerts/{alert.pk}/resolve", {"note": "已督促办结。"}).json()
    assert (resolved["state"], resolved["close_reason"], resolved["note"], resolved["actions"]) == (
        "closed",
        "resolved",
        "已督促办结。",
        [],
    )
    assert [event.action for event in audit_events_for(alert)][-2:] == ["alert.confirm", "alert.resolve"]


# --- Supervision orders ------------------------------------------------------------------------------------------


def test_an_order_goes_through_its_life_over_the_api(county, clock, django_assert_num_queries):
    supervisor, head = logged_in("supervisor", language="en"), logged_in("market_head", language="en")

    issued = post(supervisor, "orders", {"instruction": "请核查超期原因。", "due_days": 5, "department": "SJ"})
    assert issued.status_code == 201
    order = issued.json()
    assert {key: order[key] for key in ("number", "state", "department_code", "site_code", "due", "actions")} == {
        "number": "DB-2026-00001",
        "state": "issued",
        "department_code": "SJ",
        "site_code": "YX",
        "due": "2026-03-18",
        "actions": ["withdraw"],
    }
    path = f"orders/{order['id']}"
    assert get(head, path).json()["actions"] == ["respond"]
    assert problem(post(supervisor, f"{path}/respond", {"text": "已整改。"}))[:2] == (403, "permission_denied")

    responded = post(head, f"{path}/respond", {"text": "已整改。"}).json()
    assert (responded["state"], [r["text"] for r in responded["responses"]]) == ("responded", ["已整改。"])
    returned = post(supervisor, f"{path}/return", {"note": "未说明原因。", "due_days": 2}).json()
    assert (returned["state"], returned["due"], returned["responses"][0]["verdict"]) == (
        "returned",
        "2026-03-13",
        "returned",
    )
    post(head, f"{path}/respond", {"text": "原因：材料积压。"})
    accepted = post(supervisor, f"{path}/accept", {}).json()
    assert (accepted["state"], [r["verdict"] for r in accepted["responses"]]) == ("accepted", ["returned", "accepted"])
    assert problem(post(supervisor, f"{path}/withdraw", {"reason": "x"}))[:2] == (409, "transition_not_allowed")

    with django_assert_num_queries(6):  # the session, the user, their roles, today's working day, count, page
        listing = get(supervisor, "orders", state="accepted").json()
    assert [row["number"] for row in listing["items"]] == ["DB-2026-00001"]
    assert get(supervisor, "orders", state="issued").json()["count"] == 0
    assert get(head, "orders", overdue="true").json()["count"] == 0
    assert get(logged_in("county_clerk"), "orders").json() == {
        "items": [],
        "count": 0,
        "count_capped": False,
        "next": None,
        "previous": None,
    }
    assert get(logged_in("county_clerk"), path).status_code == 404


def test_an_order_on_an_unknown_or_out_of_scope_target_is_refused(county, clock):
    supervisor = logged_in("supervisor", language="en")
    assert problem(post(supervisor, "orders", {"instruction": "整改。", "due_days": 5, "case_id": 999})) == (
        422,
        "unknown_case",
        "The case is unknown or outside your jurisdiction.",
    )
    assert problem(post(supervisor, "orders", {"instruction": "整改。", "due_days": 5, "department": "NONE"}))[:2] == (
        422,
        "unknown_department",
    )
    assert problem(
        post(logged_in("market_head"), "orders", {"instruction": "整改。", "due_days": 5, "department": "SJ"})
    )[:2] == (403, "permission_denied")
    assert not SupervisionOrder.objects.exists()


# --- Accountability ----------------------------------------------------------------------------------------------


def test_accountability_is_recorded_listed_and_annulled(county, clock, django_assert_num_queries):
    supervisor = logged_in("supervisor", language="en")
    post(supervisor, "orders", {"instruction": "请核查超期原因。", "due_days": 5, "department": "SJ"})
    body = {
        "finding": "超期未办结。",
        "measure": "deduction",
        "points": "2.5",
        "decided_on": "2026-03-10",
        "department": "SJ",
        "order_numbers": ["DB-2026-00001"],
    }

    assert problem(post(supervisor, "accountability", {**body, "order_numbers": ["DB-2026-00002"]})) == (
        422,
        "unknown_order",
        "The order is unknown or outside your jurisdiction.",
    )
    assert not AccountabilityRecord.objects.exists()
    created = post(supervisor, "accountability", body)
    assert created.status_code == 201
    record = created.json()
    assert {key: record[key] for key in ("measure", "points", "decided_on", "department_code", "site_code")} == {
        "measure": "deduction",
        "points": "2.5",
        "decided_on": "2026-03-10",
        "department_code": "SJ",
        "site_code": "YX",
    }
    assert (record["order_numbers"], record["alert_ids"], record["annulled_at"]) == (["DB-2026-00001"], [], None)

    with django_assert_num_queries(5):
        listing = get(supervisor, "accountability", measure="deduction").json()
    assert [row["id"] for row in listing["items"]] == [record["id"]]
    assert get(supervisor, "accountability", decided_from="2026-03-11").json()["count"] == 0
    assert get(logged_in("market_head"), "accountability").json()["count"] == 1
    assert get(logged_in("county_clerk"), "accountability").json()["count"] == 0

    annulled = post(supervisor, f"accountability/{record['id']}/annul", {"reason": "认定有误。"}).json()
    assert (annulled["annulment_reason"], annulled["annulled_at"]) == ("认定有误。", "2026-03-11T02:00:00Z")
    assert problem(post(supervisor, f"accountability/{record['id']}/annul", {"reason": "再次。"})) == (
        400,
        "already_annulled",
        "This record is already annulled.",
    )


# --- The audit chain's status ------------------------------------------------------------------------------------


def test_the_audit_status_and_verification(county, clock):
    supervisor = logged_in("supervisor", language="en")
    head = AuditHead.objects.values_list("last_sequence", flat=True).first() or 0

    status = get(supervisor, "audit").json()
    assert (status["head_sequence"], status["latest"], status["runs"]) == (head, None, [])

    queued = post(supervisor, "audit/verify")
    assert (queued.status_code, queued.json()) == (202, {"queued": True})
    latest = get(supervisor, "audit").json()["latest"]  # tests run the task at once
    assert (latest["is_intact"], latest["events_checked"], latest["code"]) == (True, head, "ok")

    assert problem(get(logged_in("county_clerk", language="en"), "audit")) == (
        403,
        "permission_denied",
        "Only supervisors and centre administrators read the audit chain's status.",
    )
    assert get(logged_in("centre_admin"), "audit").status_code == 200
