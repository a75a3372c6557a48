"""The case API: a case's whole life over HTTP, idempotent retries, who sees what, and no input that breaks it.

Every write goes through the same service functions as the workbench; these tests drive them only through
``/api/v1/cases/`` (the helpers that prepare other states call the services directly, as a clerk would).
"""

import json
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ninja import Status

from bianmin.accounts.models import User
from bianmin.cases import services
from bianmin.cases.models import Case, Extension, Notice, PersonalDataView, ReviewTask
from bianmin.catalog.models import FeeRule, ServiceItem
from bianmin.core.idempotency import idempotent
from bianmin.core.models import AuditEvent, Counter, IdempotentRequest
from bianmin.core.testing import (
    ID_NUMBER,
    accepted,
    at,
    decided,
    logged_in,
    received,
    supplement_requested,
    suspended,
    user,
)

NOW = at(2026, 3, 2)  # a Monday
ALLOWED_ERRORS = {400, 401, 403, 404, 409, 422}


@pytest.fixture
def clock():
    """Beijing time, frozen; tests move it on with ``clock.move_to``."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def post(client: Client, path: str, body=None, *, key: str | None = None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body if body is not None else {})
    return client.post(f"/api/v1/cases/{path}", data, content_type="application/json", headers=headers)


def get(client: Client, path: str = "", **params):
    return client.get(f"/api/v1/cases/{path}", params)


def intake_body(item_code: str = "SJ-0004", site_code: str = "YX", **changes) -> dict:
    item = ServiceItem.objects.select_related("current_version").get(code=item_code)
    body = {
        "item": item_code,
        "channel": "window",
        "receiving_site": site_code,
        "applicant": {
            "name": "张三",
            "id_type": "resident_id",
            "id_number": ID_NUMBER,
            "phone": "13800000000",
            "address": "阳新县兴国镇城东新区",
        },
        "materials": [
            {"requirement_id": material.pk, "original_seen": True, "copy_kept": True}
            for material in item.current_version.materials.all()
        ],
    }
    body.update(changes)
    return body


def open_task(case: Case) -> ReviewTask:
    return case.tasks.get(state=ReviewTask.State.OPEN, is_decision=False, is_parallel=False)


# --- A case's whole life, over the API only ------------------------------------------------------------------


def test_a_committed_case_goes_through_its_whole_life_over_the_api(county, clock):
    clerk, chief = logged_in("county_clerk"), logged_in("market_chief")

    # Intake at the county centre's window (Monday 2 March).
    response = post(clerk, "", intake_body(details="小餐饮店，经营面积 40 平方米"))
    assert response.status_code == 201
    case = response.json()
    case_id = case["id"]
    assert case["tracking_number"] == "YX-20260302-0001"
    assert (case["status"], case["item_code"], case["version"]) == ("received", "SJ-0004", 1)
    assert case["received_at"] == "2026-03-02T02:00:00Z"
    assert case["acceptance_due"] == "2026-03-09"
    assert case["applicant"]["id_number"] == ID_NUMBER  # staff see it unmasked
    assert [m["state"] for m in case["materials"]] == ["provided"] * 6
    assert case["clock"] == {"colour": "green", "days_left": 5}
    assert case["allowed_actions"] == ["request_supplement", "accept", "refuse", "withdraw"]

    # Acceptance the same day: the receipt and the acceptance notice, the clocks, the review steps.
    case = post(clerk, f"{case_id}/accept").json()
    assert case["status"] == "accepted"
    assert (case["accepted_on"], case["promised_due"], case["statutory_due"]) == (
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
    )
    assert [(n["kind"], n["number"]) for n in case["notices"]] == [
        ("receipt", "YX-20260302-0001"),
        ("acceptance", "YX-SL-2026-00001"),
    ]
    assert [(t["name"], t["role"], t["state"]) for t in case["tasks"]] == [
        ("受理", "clerk", "done"),
        ("材料审查", "chief_representative", "open"),
        ("现场核查", "chief_representative", "waiting"),
        ("许可决定并发证", "chief_representative", "waiting"),
    ]
    tasks = [t["id"] for t in case["tasks"]]

    # The chief representative's review steps, on Tuesday and Wednesday.
    clock.move_to(at(2026, 3, 3))
    case = post(chief, f"{case_id}/tasks/{tasks[1]}/complete", {"outcome": "agree", "comment": "材料齐全"}).json()
    assert [t["state"] for t in case["tasks"]] == ["done", "done", "open", "waiting"]
    assert case["tasks"][2]["due"] == "2026-03-05"
    clock.move_to(at(2026, 3, 4))
    case = post(chief, f"{case_id}/tasks/{tasks[2]}/complete", {"outcome": "agree"}).json()
    assert [t["state"] for t in case["tasks"]] == ["done", "done", "done", "open"]
    assert case["clock"] == {"colour": "green", "days_left": 3}
    assert "decide" in case["allowed_actions"]

    # The decision (Thursday), under the chief representative's delegation.
    clock.move_to(at(2026, 3, 5))
    response = post(chief, f"{case_id}/decision", {"approve": True})
    assert response.status_code == 200
    notice, case = response.json()["notice"], response.json()["case"]
    assert (notice["kind"], notice["number"], notice["issued_at"]) == (
        "approval",
        "YX-ZY-2026-00001",
        "2026-03-05T02:00:00Z",
    )
    assert (case["status"], case["certificate_due"]) == ("approved", "2026-03-19")
    assert case["tasks"][3]["state"] == "done"

    # The certificate (Friday), and the hand-over at the window the next Monday.
    clock.move_to(at(2026, 3, 6))
    case = post(chief, f"{case_id}/certificate").json()
    assert (case["certificate_number"], case["certificate_valid_until"]) == ("SJ0004-2026-000001", "2031-03-05")
    clock.move_to(at(2026, 3, 9))
    case = post(clerk, f"{case_id}/delivery", {"method": "window", "note": "申请人本人领取"}).json()
    assert (case["status"], case["delivery_method"], case["delivered_at"]) == (
        "closed",
        "window",
        "2026-03-09T02:00:00Z",
    )
    assert case["clock"] == {"colour": "done", "days_left": None}
    assert (case["recipient_name"], case["delivered_by_name"]) == ("张三", "王晓燕")
    # … and the delivery receipt (送达回证) the applicant signed, recorded
    assert case["allowed_actions"] == ["record_signature"]
    case = post(clerk, f"{case_id}/delivery/signature").json()
    assert (case["delivery_signed_at"], case["allowed_actions"]) == ("2026-03-09T02:00:00Z", [])

    # The timeline tells the same story, in order, with who did what.
    timeline = get(clerk, f"{case_id}/timeline").json()
    assert [(event["actor_label"], event["action"]) for event in timeline] == [
        ("county_clerk", "case.submit"),
        ("county_clerk", "case.accept"),
        ("market_chief", "case.complete_task"),
        ("market_chief", "case.complete_task"),
        ("market_chief", "case.approve"),
        ("market_chief", "case.issue_certificate"),
        ("county_clerk", "case.deliver"),
        ("county_clerk", "case.record_signature"),
    ]
    sequences = [event["sequence"] for event in timeline]
    assert sequences == sorted(sequences)
    assert timeline[0]["payload"]["site"] == "YX"
    assert Case.objects.get().status == "closed"


def test_the_supplement_notice_then_the_materials_then_a_refusal(county, clock):
    clerk = logged_in("county_clerk")
    case = received()
    licence = case.version.materials.get(name="营业执照")

    response = post(clerk, f"{case.pk}/supplement", {"problems": [{"material": "营业执照", "problem": "复印件不清晰"}]})
    assert response.status_code == 200
    notice, detail = response.json()["notice"], response.json()["case"]
    assert (notice["kind"], notice["number"]) == ("supplement", "YX-BZ-2026-00001")
    assert (detail["status"], detail["supplement_count"]) == ("supplement_requested", 1)

    clock.move_to(at(2026, 3, 4))
    detail = post(
        clerk,
        f"{case.pk}/supplement-received",
        {"materials": [{"requirement_id": licence.pk, "original_seen": True, "copy_kept": True}]},
    ).json()
    assert (detail["status"], detail["acceptance_due"]) == ("received", "2026-03-11")
    # The licence keeps its one row, now provided (its history: listed in the notice, then supplied)
    assert len(detail["materials"]) == 6
    row = next(m for m in detail["materials"] if m["name"] == "营业执照")
    assert (row["state"], row["original_seen"], row["copy_kept"]) == ("provided", True, True)
    assert [entry["kind"] for entry in row["history"]] == ["intake", "notice", "supplied"]

    response = post(clerk, f"{case.pk}/refuse", {"reasons": "经营场所不符合要求。", "competent_organ": ""})
    notice, detail = response.json()["notice"], response.json()["case"]
    assert (notice["kind"], notice["number"]) == ("refusal", "YX-BY-2026-00001")
    assert detail["status"] == "refused"
    assert detail["allowed_actions"] == []


def test_suspension_extension_and_withdrawal(county, clock):
    clerk, head = logged_in("county_clerk"), logged_in("market_head")
    case = accepted()

    detail = post(clerk, f"{case.pk}/suspend", {"kind": "inspection", "reason": "现场核查", "expected_days": 3}).json()
    assert (detail["status"], detail["clock"]) == ("suspended", {"colour": "paused", "days_left": None})
    assert detail["notices"][-1]["number"] == "YX-TB-2026-00001"

    clock.move_to(at(2026, 3, 5))
    detail = post(clerk, f"{case.pk}/resume").json()
    assert (detail["status"], detail["suspended_days"], detail["promised_due"]) == ("accepted", 3, "2026-03-12")

    response = post(clerk, f"{case.pk}/extensions", {"days": 5, "reason": "需要补充专家意见"})
    assert response.status_code == 201
    extension = response.json()["extension"]
    assert (extension["days"], extension["state"]) == (5, "requested")
    assert "decide_extension" in get(head, f"{case.pk}").json()["allowed_actions"]
    assert "decide_extension" not in response.json()["case"]["allowed_actions"]  # the clerk may not decide it

    response = post(head, f"{case.pk}/extensions/{extension['id']}/decision", {"approve": True})
    extension, detail = response.json()["extension"], response.json()["case"]
    assert extension["state"] == "approved"
    assert (detail["extension_days"], detail["promised_due"]) == (5, "2026-03-19")
    assert detail["notices"][-1]["number"] == "YX-YQ-2026-00001"

    detail = post(clerk, f"{case.pk}/withdrawal", {"reason": "申请人书面申请撤回。"}).json()
    assert detail["status"] == "withdrawn"
    assert {task["state"] for task in detail["tasks"]} == {"done", "cancelled"}


def test_certificate_fee_readiness_and_delivery_of_a_fee_item(county, clock):
    clerk = logged_in("county_clerk")
    case = decided("ZR-0004")
    housing = FeeRule.objects.get(version=case.version, amount=Decimal("80"))

    detail = post(clerk, f"{case.pk}/certificate").json()
    assert detail["certificate_number"] == "ZR0004-2026-000001"
    assert detail["allowed_actions"] == ["collect_fee"]

    response = post(clerk, f"{case.pk}/fee", {"fee_rule_ids": [housing.pk], "amount": "100.00"})
    assert (response.status_code, response.json()["code"]) == (400, "fee_off_standard")
    response = post(clerk, f"{case.pk}/fee", {"fee_rule_ids": [housing.pk], "amount": "80.00"})
    notice, detail = response.json()["notice"], response.json()["case"]
    assert (notice["kind"], notice["number"]) == ("fee_receipt", "YX-SF-2026-00001")
    assert (detail["fee_amount"], detail["fee_receipt_number"]) == ("80.00", "SF20260000001")

    detail = post(clerk, f"{case.pk}/ready", {"method": "window"}).json()
    assert (detail["delivery_method"], detail["ready_at"]) == ("window", "2026-03-02T02:00:00Z")
    detail = post(clerk, f"{case.pk}/delivery", {}).json()
    assert (detail["status"], detail["delivery_method"]) == ("closed", "window")


def test_an_agent_relays_an_application_from_a_village_room(county, clock):
    agent = logged_in("baishacun_agent")

    response = post(
        agent,
        "",
        intake_body(
            "CZ-0002", "BS01", channel="agency", relay_site="BS01", agency_authorisation="授权委托书（2026）第 1 号"
        ),
    )

    assert response.status_code == 201
    detail = response.json()
    assert detail["tracking_number"] == "BS01-20260302-0001"
    assert (detail["receiving_site_code"], detail["relay_site"]["code"], detail["channel"]) == ("BS", "BS01", "agency")
    assert [case["id"] for case in get(agent).json()["items"]] == [detail["id"]]


# --- Reading: the list, its filters and its queries --------------------------------------------------------------


def test_the_list_shows_the_callers_cases_with_filters(county, clock):
    first, second = received(), received()
    third = accepted()
    received("CZ-0002", "BS")  # another town's work: not the county clerk's
    clerk = logged_in("county_clerk")

    listing = get(clerk).json()
    assert listing["count"] == 3
    assert [case["id"] for case in listing["items"]] == [third.pk, second.pk, first.pk]
    assert [case["status"] for case in get(clerk, status="accepted").json()["items"]] == ["accepted"]
    assert get(clerk, item="SJ-0004").json()["count"] == 3
    assert get(clerk, item="CZ-0002").json()["count"] == 0
    assert [case["days_left"] for case in get(clerk, status="accepted").json()["items"]] == [5]
    assert get(clerk, overdue="true").json()["count"] == 0

    clock.move_to(at(2026, 3, 10))  # the promised deadline (9 March) has passed
    assert [case["id"] for case in get(clerk, overdue="true").json()["items"]] == [third.pk]
    assert [case["days_left"] for case in get(clerk, overdue="true").json()["items"]] == [-1]
    assert get(clerk, overdue="false").json()["count"] == 2

    page = get(clerk, limit=2).json()  # the three were received at the same instant: the id breaks the tie
    assert ([case["id"] for case in page["items"]], page["previous"]) == ([third.pk, second.pk], None)
    page = get(clerk, limit=2, cursor=page["next"]).json()
    assert (page["count"], [case["id"] for case in page["items"]], page["next"]) == (3, [first.pk], None)
    back = get(clerk, limit=2, cursor=page["previous"]).json()
    assert ([case["id"] for case in back["items"]], back["previous"]) == ([third.pk, second.pk], None)
    assert [case["id"] for case in get(clerk, limit=2, cursor=back["next"]).json()["items"]] == [first.pk]


def test_a_filtered_list_is_counted_up_to_the_cap_and_the_whole_list_from_the_counters(county, monkeypatch):
    from bianmin.core import pagination

    cases = [received(), received(), received()]
    clerk = logged_in("county_clerk")
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)

    filtered = get(clerk, item="SJ-0004", limit=1).json()  # counted: two of the three, and more
    assert (filtered["count"], filtered["count_capped"]) == (2, True)
    walked = [case["id"] for case in filtered["items"]]
    while filtered["next"]:
        filtered = get(clerk, item="SJ-0004", limit=1, cursor=filtered["next"]).json()
        walked += [case["id"] for case in filtered["items"]]
    assert walked == [case.pk for case in reversed(cases)]
    whole = get(clerk).json()  # the counters know the whole list: exact past the cap
    assert (whole["count"], whole["count_capped"]) == (3, False)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    assert {key: get(clerk, item="SJ-0004").json()[key] for key in ("count", "count_capped")} == {
        "count": 3,
        "count_capped": False,
    }
    for bad in (
        {"limit": 0},
        {"limit": 10**6},
        {"cursor": "!"},
        {"cursor": "x" * 1001},
        {"status": "lost"},
        {"item": "\x00"},
        {"overdue": "perhaps"},
    ):
        response = get(clerk, **bad)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_input"), bad
    for unknown in (
        {"cursor": "bm90IGpzb24"},
        {"cursor": "eyJ2IjpbMV0sImIiOmZhbHNlfQ"},
        {"cursor": "eyJ2IjpbIm5vb24iLDFdLCJiIjpmYWxzZX0"},
    ):  # the schema's shape, but no place in this list
        response = get(clerk, **unknown)
        assert (response.status_code, response.json()["code"]) == (422, "unknown_cursor"), unknown


def test_the_list_takes_the_workbenchs_filters(county, clock):
    first, third = received(), accepted()
    received("CZ-0002", "BS")  # another town's work: not the county clerk's
    clerk = logged_in("county_clerk")

    def ids(**filters) -> list[int]:
        return [case["id"] for case in get(clerk, **filters).json()["items"]]

    assert ids(group="acceptance") == [first.pk]
    assert ids(group="all") == [first.pk]  # the accepted one is in review: the department's work
    assert ids(channel="window") == [third.pk, first.pk]
    assert ids(channel="agency") == []
    assert ids(department="SJ", site="YX") == [third.pk, first.pk]
    assert ids(department="ZR") == ids(site="BS") == []
    assert ids(received_from="2026-03-02", received_until="2026-03-02") == [third.pk, first.pk]
    assert ids(received_from="2026-03-03") == []
    assert ids(colour="red") == ids(colour="yellow") == []
    assert get(clerk, group="all", department="SJ").json()["count"] == 1
    clock.move_to(at(2026, 3, 9))  # the promised deadline's day
    assert ids(colour="yellow") == [third.pk, first.pk]  # its acceptance is due that day too
    clock.move_to(at(2026, 3, 10))  # past it
    assert (ids(colour="red"), ids(colour="yellow")) == ([third.pk, first.pk], [])
    for bad in ({"group": "lost"}, {"colour": "green"}, {"channel": "fax"}, {"received_from": "March"}):
        response = get(clerk, **bad)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_input"), bad


def test_the_list_costs_the_same_queries_for_any_number_of_cases(county, clock):
    clerk = logged_in("county_clerk")
    accepted(), received()

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(clerk).status_code == 200
        return len(queries)

    few = list_queries()
    for _ in range(4):
        accepted()
    assert get(clerk).json()["count"] == 6
    # The session, the user, their role assignments, the count, the page's ids from the access index, today's
    # working-day ordinal, the page's cases.
    assert list_queries() == few == 7


# --- Who sees what, who may do what -------------------------------------------------------------------------------


def test_a_supervisor_reads_everything_and_changes_nothing(county, clock):
    case = received()
    supervisor = logged_in("supervisor")

    assert get(supervisor).json()["count"] == 1
    detail = get(supervisor, f"{case.pk}").json()
    assert (detail["status"], detail["allowed_actions"]) == ("received", [])
    assert get(supervisor, f"{case.pk}/timeline").status_code == 200

    response = post(supervisor, f"{case.pk}/accept", key="supervisor-accept")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = post(supervisor, "", intake_body())
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")

    case.refresh_from_db()
    assert (case.status, case.notices.count(), Case.objects.count()) == ("received", 0, 1)
    assert not IdempotentRequest.objects.exists()


def test_another_towns_case_is_not_found_whatever_the_method(county, clock):
    case = received("CZ-0002", "BS")
    futu = logged_in("futu_clerk")

    assert get(futu).json()["count"] == 0
    for response in (
        get(futu, f"{case.pk}"),
        get(futu, f"{case.pk}/timeline"),
        post(futu, f"{case.pk}/accept"),
        post(futu, f"{case.pk}/refuse", {"reasons": "不属于本镇受理范围。"}),
        post(futu, f"{case.pk}/withdrawal", {"reason": "撤回"}),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # The same answer as for an id that does not exist at all.
    assert get(futu, "999999").json() == get(futu, f"{case.pk}").json()

    case.refresh_from_db()
    assert (case.status, case.notices.count()) == ("received", 0)


def test_a_visitor_without_a_session_is_asked_to_log_in(county):
    case = received()

    for response in (get(Client()), get(Client(), f"{case.pk}"), post(Client(), f"{case.pk}/accept")):
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_scripts_send_the_csrf_token_with_the_session(county, clock):
    """Session authentication checks CSRF on writes, as for the pages' own scripts."""
    case = received()
    script = logged_in("county_clerk", enforce_csrf_checks=True)

    refused = post(script, f"{case.pk}/accept")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    case.refresh_from_db()
    assert case.status == "received"

    script.cookies["csrftoken"] = "a" * 32
    response = script.post(
        f"/api/v1/cases/{case.pk}/accept", "{}", content_type="application/json", headers={"X-CSRFToken": "a" * 32}
    )
    assert (response.status_code, response.json()["status"]) == (200, "accepted")


def test_a_task_or_extension_of_another_case_is_not_found(county, clock):
    clerk = logged_in("county_clerk")
    case, other = accepted(), accepted()

    response = post(clerk, f"{case.pk}/tasks/{open_task(other).pk}/complete", {"outcome": "agree"})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    extension = services.case_request_extension(actor=user("county_clerk"), case=other, days=2, reason="专家论证")
    response = post(logged_in("market_head"), f"{case.pk}/extensions/{extension.pk}/decision", {"approve": True})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert Extension.objects.get().state == "requested"


# --- Idempotency-Key ---------------------------------------------------------------------------------------------


def test_a_retried_intake_replays_the_first_answer_and_creates_no_second_case(county, clock):
    clerk = logged_in("county_clerk")
    body = intake_body()

    first = post(clerk, "", body, key="intake-7f3a")
    again = post(clerk, "", body, key="intake-7f3a")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Case.objects.count() == 1
    stored = IdempotentRequest.objects.get()
    assert (stored.user.username, stored.method, stored.path, stored.status) == (
        "county_clerk",
        "POST",
        "/api/v1/cases/",
        201,
    )
    assert stored.body == first.json()
    # Without a key (or with a new one) the same body is a new application.
    assert post(clerk, "", body, key="intake-8b1c").json()["tracking_number"] == "YX-20260302-0002"
    assert post(clerk, "", body).json()["tracking_number"] == "YX-20260302-0003"


def test_a_replayed_move_does_not_call_the_service_again(county, clock, monkeypatch):
    clerk = logged_in("county_clerk")
    case = received()
    first = post(clerk, f"{case.pk}/accept", key="accept-1")
    events = AuditEvent.objects.count()

    def must_not_run(**kwargs):
        raise AssertionError("the service ran again")

    monkeypatch.setattr(services, "case_accept", must_not_run)
    again = post(clerk, f"{case.pk}/accept", key="accept-1")

    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (200, first.json(), "true")
    assert AuditEvent.objects.count() == events
    assert Notice.objects.filter(case=case).count() == 2


def test_a_key_reused_for_another_request_is_refused(county, clock):
    clerk = logged_in("county_clerk")
    case = received()
    post(clerk, f"{case.pk}/accept", key="key-1")

    response = post(clerk, f"{case.pk}/withdrawal", {"reason": "撤回"}, key="key-1")

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    case.refresh_from_db()
    assert case.status == "accepted"
    # Keys are per user: another clerk's key of the same spelling is theirs.
    other = post(logged_in("admin"), f"{received().pk}/accept", key="key-1")
    assert other.status_code == 200


@pytest.mark.parametrize("key", ["k" * 101, "", "两个字", "with space", "tab\tkey"])
def test_a_malformed_key_is_refused_before_anything_runs(county, clock, key):
    case = received()

    response = post(logged_in("county_clerk"), f"{case.pk}/accept", key=key)

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_invalid")
    case.refresh_from_db()
    assert case.status == "received"


def test_a_key_of_100_characters_is_accepted(county, clock):
    response = post(logged_in("county_clerk"), f"{received().pk}/accept", key="k" * 100)

    assert response.status_code == 200
    assert IdempotentRequest.objects.get().key == "k" * 100


def test_an_error_answer_is_not_stored_and_the_key_stays_usable(county, clock):
    clerk = logged_in("county_clerk")
    case = received()

    refused = post(clerk, f"{case.pk}/refuse", {"reasons": "  "}, key="refuse-1")
    assert (refused.status_code, refused.json()["code"]) == (400, "reasons_required")
    assert not IdempotentRequest.objects.exists()

    retried = post(clerk, f"{case.pk}/refuse", {"reasons": "不属于本机关职权范围。"}, key="refuse-1")
    assert retried.status_code == 200
    assert retried.json()["case"]["status"] == "refused"
    assert IdempotentRequest.objects.get().status == 200


def test_a_crash_after_the_write_stores_neither_the_write_nor_the_answer(county, clock, monkeypatch):
    from bianmin.cases import api

    clerk = logged_in("county_clerk", raise_request_exception=False)
    case = received()

    def crash(request, case_id):
        raise RuntimeError("the server died while answering")

    with monkeypatch.context() as patch:
        patch.setattr(api, "_detail", crash)
        response = post(clerk, f"{case.pk}/accept", key="accept-crash")
    assert response.status_code == 500

    case.refresh_from_db()
    assert (case.status, case.notices.count(), case.tasks.count()) == ("received", 0, 0)
    assert not IdempotentRequest.objects.exists()
    # The retry with the same key applies the write once.
    retried = post(clerk, f"{case.pk}/accept", key="accept-crash")
    assert (retried.status_code, retried.json()["status"]) == (200, "accepted")


def test_two_simultaneous_requests_with_one_key_run_the_write_once(db):
    """Real concurrency: two threads, each with its own PostgreSQL connection and committed data. (The other
    tests share the demo county in one open transaction, invisible to other connections, so this one
    exercises the Idempotency-Key mechanism on a write of its own, as every API write uses it.)"""
    if connection.vendor != "postgresql":
        pytest.skip("Racing transactions need PostgreSQL; SQLite's in-memory test database has one writer.")
    runs = []
    first_inside = threading.Event()

    @idempotent
    def slow_write(request):
        runs.append(Counter.objects.create(key=f"idempotency-race-{len(runs)}"))
        first_inside.set()
        threading.Event().wait(0.5)  # hold the transaction open while the other request arrives
        return Status(201, {"counter": runs[-1].key})

    def in_own_connection(work):
        """Run ``work`` in a new thread, on that thread's own connection (committed when it returns)."""
        result = []

        def run():
            try:
                result.append(work())
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(30)
        return result[0] if result else None

    racer = in_own_connection(lambda: User.objects.create(username="idempotency-racer"))
    responses = [None, None]

    def send(index: int) -> None:
        if index == 1:
            first_inside.wait(5)
        request = RequestFactory().post("/api/v1/cases/", "{}", "application/json", headers={"Idempotency-Key": "r-1"})
        request.user = request.auth = racer
        try:
            responses[index] = slow_write(request)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not any(thread.is_alive() for thread in threads), "a request hung"
        assert len(runs) == 1
        assert [response.status_code for response in responses] == [201, 201]
        assert responses[1].content == responses[0].content == b'{"counter": "idempotency-race-0"}'
        assert responses[1]["Idempotent-Replayed"] == "true"
    finally:

        def clean_up():
            IdempotentRequest.objects.filter(user=racer).delete()
            Counter.objects.filter(key__startswith="idempotency-race-").delete()
            racer.delete()

        in_own_connection(clean_up)


# --- No input, however malformed, is a server error ------------------------------------------------------------


def _state_received() -> dict:
    return {"case": received().pk}


def _state_supplement_requested() -> dict:
    return {"case": supplement_requested().pk}


def _state_accepted() -> dict:
    case = accepted()
    return {"case": case.pk, "task": open_task(case).pk}


def _state_suspended() -> dict:
    return {"case": suspended().pk}


def _state_extension_requested() -> dict:
    case = accepted()
    extension = services.case_request_extension(actor=user("county_clerk"), case=case, days=3, reason="专家论证")
    return {"case": case.pk, "extension": extension.pk}


def _state_approved() -> dict:
    return {"case": decided("ZR-0004").pk}


# Raw bodies no endpoint accepts: broken JSON, the wrong JSON type, unknown fields, bytes that are not UTF-8,
# nesting deeper than the parser goes, numbers longer than Python converts, a lone surrogate, a NUL key.
GARBAGE = [
    b"{",
    b'{"reasons": ',
    b"\xff\xfe\xfd",
    b"nul",
    b"[]",
    b'"text"',
    b"42",
    b"true",
    b'{"unexpected": 1}',
    b"[" * 5000,
    b"9" * 5000,
    b'{"\\ud800": "\\udfff"}',
    b'{"\\u0000": 1}',
    '{"emoji": "😀"}'.encode(),
]
# For endpoints that need a body, these are malformed too.
MISSING = [b"", b"null", b"{}"]

INTAKE_MUTATIONS = [
    {"item": None},
    {"item": 123},
    {"item": "XX-9999"},
    {"item": "SJ 0004"},
    {"item": "\x00"},
    {"item": "S" * 21},
    {"channel": "online"},
    {"channel": "fax"},
    {"channel": ["window"]},
    {"receiving_site": "NOPE"},
    {"receiving_site": ""},
    {"receiving_site": 1},
    {"relay_site": "NOPE"},
    {"relay_site": "\ud800"},
    {"applicant": None},
    {"applicant": "张三"},
    {"applicant": {"name": "张三"}},
    {"applicant": {"name": "\x00", "id_type": "resident_id", "id_number": ID_NUMBER, "phone": "13800000000"}},
    {"applicant": {"name": "张" * 101, "id_type": "resident_id", "id_number": ID_NUMBER, "phone": "13800000000"}},
    {"applicant": {"name": "张三", "id_type": "dragon", "id_number": ID_NUMBER, "phone": "13800000000"}},
    {"applicant": {"name": "张三", "id_type": "resident_id", "id_number": "1" * 41, "phone": "13800000000"}},
    {"applicant": {"name": "张三", "id_type": "resident_id", "id_number": "123", "phone": "13800000000"}},
    {"applicant": {"name": "张三", "id_type": "resident_id", "id_number": ID_NUMBER, "phone": 13800000000}},
    {"applicant": {"name": "张三", "id_type": "resident_id", "id_number": ID_NUMBER, "phone": "1" * 21}},
    {"materials": "all"},
    {"materials": [{}]},
    {"materials": [{"requirement_id": 10**30}]},
    {"materials": [{"requirement_id": 99999999}]},
    {"materials": [{"requirement_id": -1}]},
    {"materials": [{"name": "x", "state": "lost"}]},
    {"materials": [{"name": "x", "original_seen": "yes"}]},
    {"materials": [{"name": "x", "state": "missing"}]},
    {"materials": [{"name": "x"}] * 51},
    {"details": "x" * 2001},
    {"details": "\x07"},
    {"agency_authorisation": {"a": 1}},
    {"channel": "agency"},
    {"extra": True},
]


def _intake_bodies() -> list:
    return [{**intake_body(), **mutation} for mutation in INTAKE_MUTATIONS]


# endpoint -> (path, the state its case is in, the endpoint's own malformed bodies, whether a body is required)
ENDPOINTS = {
    "intake": ("", dict, _intake_bodies, True),
    "accept": ("{case}/accept", _state_received, lambda: [{"force": True}], False),
    "supplement": (
        "{case}/supplement",
        _state_received,
        lambda: [
            {"problems": []},
            {"problems": "营业执照"},
            {"problems": [{"material": "", "problem": "缺失"}]},
            {"problems": [{"material": "\x00", "problem": "缺失"}]},
            {"problems": [{"material": "a", "problem": "b"}] * 51},
            {"problems": [{"material": "营业执照", "problem": "缺失"}], "repeat_reason": 5},
        ],
        True,
    ),
    "supplement-received": (
        "{case}/supplement-received",
        _state_supplement_requested,
        lambda: [
            {"materials": []},
            {"materials": [{"requirement_id": 99999999}]},
            {"materials": [{"requirement_id": 10**30}]},
            {"materials": [{"name": "x", "state": "lost"}]},
            {"materials": [{}]},
            {"materials": None},
        ],
        True,
    ),
    "refuse": (
        "{case}/refuse",
        _state_received,
        lambda: [
            {"reasons": ""},
            {"reasons": None},
            {"reasons": "x" * 2001},
            {"reasons": "\ud800"},
            {"reasons": ["x"]},
            {"reasons": "理由", "competent_organ": "\x00"},
        ],
        True,
    ),
    "complete-task": (
        "{case}/tasks/{task}/complete",
        _state_accepted,
        lambda: [
            {"outcome": "maybe"},
            {"outcome": None},
            {"outcome": "disagree"},
            {"outcome": "consent_by_silence"},
            {"outcome": "agree", "comment": "x" * 301},
            {"outcome": "agree", "comment": 12},
        ],
        True,
    ),
    "suspend": (
        "{case}/suspend",
        _state_accepted,
        lambda: [
            {"kind": "nap", "reason": "x", "expected_days": 3},
            {"kind": "hearing", "reason": "x", "expected_days": -1},
            {"kind": "hearing", "reason": "x", "expected_days": 0},
            {"kind": "hearing", "reason": "x", "expected_days": 251},
            {"kind": "hearing", "reason": "x", "expected_days": 10**30},
            {"kind": "hearing", "reason": "x", "expected_days": 3.5},
            {"kind": "hearing", "reason": "", "expected_days": 3},
            {"kind": "hearing", "expected_days": 3},
            b'{"kind": "hearing", "reason": "x", "expected_days": 1e999}',
            b'{"kind": "hearing", "reason": "x", "expected_days": NaN}',
        ],
        True,
    ),
    "resume": ("{case}/resume", _state_suspended, lambda: [{"now": "2026-01-01"}], False),
    "extensions": (
        "{case}/extensions",
        _state_accepted,
        lambda: [
            {"days": -5, "reason": "x"},
            {"days": 0, "reason": "x"},
            {"days": 10**30, "reason": "x"},
            {"days": "ten", "reason": "x"},
            {"days": 251, "reason": "x"},
            {"days": 11, "reason": "x"},
            {"days": 3},
            {"days": 3, "reason": "\x00"},
            {"days": 3, "reason": " "},
        ],
        True,
    ),
    "extension-decision": (
        "{case}/extensions/{extension}/decision",
        _state_extension_requested,
        lambda: [
            {"approve": "yes"},
            {"approve": 1},
            {"approve": None},
            {"approve": "true"},
        ],
        True,
    ),
    "decision": (
        "{case}/decision",
        _state_accepted,
        lambda: [
            {"approve": "true"},
            {"approve": False},
            {"approve": True, "reasons": 5},
            {"approve": True},
        ],
        True,
    ),
    "certificate": ("{case}/certificate", _state_approved, lambda: [{"number": "ZR-1"}], False),
    "fee": (
        "{case}/fee",
        _state_approved,
        lambda: [
            {"fee_rule_ids": [], "amount": 80},
            {"fee_rule_ids": [10**30], "amount": 80},
            {"fee_rule_ids": [99999999], "amount": 80},
            {"fee_rule_ids": "1", "amount": 80},
            {"fee_rule_ids": [1], "amount": "NaN"},
            {"fee_rule_ids": [1], "amount": "Infinity"},
            {"fee_rule_ids": [1], "amount": -80},
            {"fee_rule_ids": [1], "amount": "80.001"},
            {"fee_rule_ids": [1], "amount": 10**12},
            {"fee_rule_ids": [1], "amount": "eighty"},
            b'{"fee_rule_ids": [1], "amount": 1e400}',
            b'{"fee_rule_ids": [1], "amount": -Infinity}',
        ],
        True,
    ),
    "ready": (
        "{case}/ready",
        _state_approved,
        lambda: [
            {"method": "drone"},
            {"method": None},
            {"method": "relay"},  # folded into the delivery site (结果反馈): no longer a method
            {"method": "window"},
        ],
        False,
    ),
    "result-arrival": ("{case}/result-arrival", _state_approved, lambda: [{"site": "BS"}], False),
    "delivery": (
        "{case}/delivery",
        _state_approved,
        lambda: [
            {"method": "drone"},
            {"note": "x" * 201},
            {"note": "\x00"},
            {"method": 5},
            {"post_tracking_number": "x" * 41},
            {"recipient_name": "\x00"},
            {},
        ],
        False,
    ),
    "withdrawal": (
        "{case}/withdrawal",
        _state_received,
        lambda: [
            {"reason": ""},
            {"reason": None},
            {"reason": "\ud800"},
            {"reason": "x" * 301},
        ],
        True,
    ),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_malformed_bodies_get_a_coded_client_error_never_a_500(county, clock, endpoint):
    path, state, own_bodies, needs_body = ENDPOINTS[endpoint]
    ids = state()
    client = logged_in("admin", raise_request_exception=False)
    before = (Case.objects.count(), AuditEvent.objects.count())

    for body in GARBAGE + (MISSING if needs_body else []) + own_bodies():
        response = post(client, path.format(**ids), body)
        assert response.status_code in ALLOWED_ERRORS, (body, response.status_code, response.content[:300])
        assert response.json()["code"], body

    assert (Case.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("case_id", ["abc", "-1", "0", "1.5", "99999999999999999999999", "%00", "😀", "1e3"])
def test_malformed_ids_in_the_path_are_client_errors(county, case_id):
    client = logged_in("admin", raise_request_exception=False)

    for response in (
        get(client, case_id),
        get(client, f"{case_id}/timeline"),
        post(client, f"{case_id}/accept"),
        post(client, f"{case_id}/tasks/{case_id}/complete", {"outcome": "agree"}),
    ):
        assert response.status_code in {404, 422}, (case_id, response.status_code)
        assert response.json()["code"] in {"not_found", "invalid_input"}


def test_unknown_references_have_their_own_codes(county, clock):
    clerk = logged_in("county_clerk")

    for changes, code in (
        ({"item": "XX-9999"}, "unknown_item"),
        ({"receiving_site": "NOPE"}, "unknown_site"),
        ({"materials": [{"requirement_id": 99999999}]}, "unknown_material"),
    ):
        response = post(clerk, "", intake_body(**changes))
        assert (response.status_code, response.json()["code"]) == (422, code)
    response = post(clerk, "", intake_body(materials=[{"name": "x", "foo": 1}]))
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    assert response.json()["details"][0]["loc"] == ["body", "payload", "materials", 0, "foo"]
    assert Case.objects.count() == 0


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["\x00", "\ud800", "😀", "SJ-0004", "YX", "window", "agency", "resident_id", "x" * 300]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
INTAKE_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "item": JSON,
        "channel": JSON,
        "receiving_site": JSON,
        "relay_site": JSON,
        "details": JSON,
        "agency_authorisation": JSON,
        "applicant": st.fixed_dictionaries(
            {}, optional={"name": JSON, "id_type": JSON, "id_number": JSON, "phone": JSON, "address": JSON}
        )
        | JSON,
        "materials": st.lists(
            st.fixed_dictionaries(
                {},
                optional={"requirement_id": JSON, "name": JSON, "state": JSON, "original_seen": JSON, "problem": JSON},
            ),
            max_size=3,
        ),
    },
)
BODIES = st.one_of(
    INTAKE_LIKE.map(lambda body: json.dumps(body).encode()),
    JSON.map(lambda body: json.dumps(body).encode()),
    st.binary(max_size=64),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
def test_random_bodies_never_break_intake(county, clock, body):
    response = post(logged_in("county_clerk", raise_request_exception=False), "", body)

    assert response.status_code in ALLOWED_ERRORS | {201}, (body, response.content[:300])
    assert response.status_code == 201 or response.json()["code"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
def test_random_bodies_never_break_acceptance(county, clock, body):
    case = Case.objects.filter(status="received").first() or received()

    response = post(logged_in("county_clerk", raise_request_exception=False), f"{case.pk}/accept", body)

    assert response.status_code in ALLOWED_ERRORS | {200}, (body, response.content[:300])
    assert response.status_code == 200 or response.json()["code"]


# --- OpenAPI -----------------------------------------------------------------------------------------------------


def test_the_openapi_document_lists_every_case_endpoint(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    expected = {
        ("/api/v1/cases/", "get"),
        ("/api/v1/cases/", "post"),
        ("/api/v1/cases/{case_id}", "get"),
        ("/api/v1/cases/{case_id}/timeline", "get"),
        ("/api/v1/cases/{case_id}/notices", "get"),
        ("/api/v1/cases/{case_id}/notices/{notice_id}", "get"),
        ("/api/v1/cases/{case_id}/notices/{notice_id}/pdf", "get"),
        ("/api/v1/cases/{case_id}/materials/{material_id}/file", "get"),
        ("/api/v1/cases/queue-counts", "get"),
        ("/api/v1/cases/inquiries", "get"),
        ("/api/v1/cases/inquiries", "post"),
        ("/api/v1/cases/inquiries/{inquiry_id}/answer", "post"),
        ("/api/v1/cases/inquiries/{inquiry_id}/handover", "post"),
        ("/api/v1/cases/ledger", "get"),
        ("/api/v1/cases/ledger/xlsx", "get"),
        ("/api/v1/cases/intake/id-check", "get"),
        ("/api/v1/cases/intake/link", "post"),
    } | {
        (f"/api/v1/cases/{{case_id}}/{action}", "post")
        for action in (
            "accept",
            "supplement",
            "supplement-received",
            "materials/{material_id}/waiver",
            "materials/{material_id}/scans",
            "refuse",
            "tasks/{task_id}/complete",
            "suspend",
            "resume",
            "extensions",
            "extensions/{extension_id}/decision",
            "decision",
            "certificate",
            "fee",
            "ready",
            "result-arrival",
            "delivery",
            "delivery/signature",
            "withdrawal",
        )
    }
    assert {
        (path, method)
        for path, operations in paths.items()
        for method in operations
        if path.startswith("/api/v1/cases/")
    } == expected
    accept = paths["/api/v1/cases/{case_id}/accept"]["post"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in accept["parameters"]]


def test_an_oversized_body_gets_the_json_error_shape(county, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client()
    client.force_login(user("county_clerk"))

    response = client.post("/api/v1/cases/", data="{" + " " * 5000 + "}", content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


# --- One status for one kind of error: a move the case's state forbids is 409 ----------------------------------


def _state_of(case: Case) -> tuple:
    """Everything a move could change: the case row, its steps, extensions, notices, and the audit chain."""
    return (
        Case.objects.filter(pk=case.pk).values().get(),
        list(case.tasks.order_by("pk").values_list("pk", "state", "outcome")),
        list(case.extensions.order_by("pk").values_list("pk", "state")),
        case.notices.count(),
        AuditEvent.objects.count(),
    )


def _accepted_with_extension(decided: bool) -> Case:
    case = accepted()
    extension = services.case_request_extension(actor=user("admin"), case=case, days=5, reason="需要补充现场核查。")
    if decided:
        services.case_decide_extension(actor=user("admin"), extension=extension, approve=True)
    return case


def _with_certificate(fee_paid: bool = False) -> Case:
    case = decided("ZR-0004")
    services.case_issue_certificate(actor=user("admin"), case=case)
    if fee_paid:
        rule = FeeRule.objects.get(version=case.version, amount=Decimal("80"))
        services.case_collect_fee(actor=user("admin"), case=case, fee_rule_ids=[rule.pk], amount=Decimal("80"))
    return case


def _with_done_task() -> tuple[Case, int]:
    case = accepted()
    task = open_task(case)
    services.case_complete_task(actor=user("admin"), task=task, outcome="agree")
    return case, task.pk


WRONG_STATE_MOVES = {
    "second-acceptance": (accepted, lambda case: ("accept", {}), "already_accepted"),
    "decision-before-reviews": (accepted, lambda case: ("decision", {"approve": True}), "review_pending"),
    "second-extension-request": (
        lambda: _accepted_with_extension(decided=False),
        lambda case: ("extensions", {"days": 3, "reason": "再次延期。"}),
        "extension_pending",
    ),
    "second-extension-decision": (
        lambda: _accepted_with_extension(decided=True),
        lambda case: (f"extensions/{case.extensions.get().pk}/decision", {"approve": False}),
        "extension_decided",
    ),
    "finished-step": (
        _with_done_task,
        lambda case_and_task: (f"tasks/{case_and_task[1]}/complete", {"outcome": "agree"}),
        "task_not_open",
    ),
    "second-certificate": (_with_certificate, lambda case: ("certificate", {}), "certificate_issued"),
    "second-fee": (
        lambda: _with_certificate(fee_paid=True),
        lambda case: ("fee", {"fee_rule_ids": [FeeRule.objects.get(version=case.version, amount=80).pk], "amount": 80}),
        "fee_collected",
    ),
    "ready-before-certificate": (
        lambda: decided("ZR-0004"),
        lambda case: ("ready", {"method": "window"}),
        "certificate_missing",
    ),
}


@pytest.mark.parametrize("move", list(WRONG_STATE_MOVES))
def test_every_move_the_state_forbids_is_409_and_changes_nothing(county, clock, move):
    prepare, request, code = WRONG_STATE_MOVES[move]
    prepared = prepare()
    case = prepared[0] if isinstance(prepared, tuple) else prepared
    path, body = request(prepared)
    before = _state_of(case)

    response = post(logged_in("admin"), f"{case.pk}/{path}", body, key=f"retry-{move}")

    assert (response.status_code, response.json()["code"]) == (409, code)
    assert _state_of(case) == before
    assert not IdempotentRequest.objects.filter(key=f"retry-{move}").exists()


def test_a_supplement_notice_after_the_acceptance_window_is_409(county, clock):
    case = received()
    clock.move_to(at(2026, 3, 12))  # the 5-working-day window ended on 9 March
    before = _state_of(case)

    response = post(
        logged_in("county_clerk"),
        f"{case.pk}/supplement",
        {"problems": [{"material": "身份证", "problem": "复印件不清晰"}]},
    )

    assert (response.status_code, response.json()["code"]) == (409, "acceptance_window_passed")
    assert _state_of(case) == before


# --- A supervisor's reading of personal data is logged, as on the case page -----------------------------------


def test_a_supervisors_reading_of_the_list_and_the_timeline_is_logged(county, clock):
    first, second = received(), received()
    supervisor, clerk = logged_in("supervisor"), logged_in("county_clerk")
    log = PersonalDataView.objects.order_by("pk")

    assert get(clerk).json()["count"] == 2
    assert get(clerk, f"{first.pk}/timeline").status_code == 200
    assert not log.exists()  # staff handling the cases are not logged

    page = get(supervisor, limit=1).json()
    assert [row["id"] for row in page["items"]] == [second.pk]
    assert list(log.values_list("viewer__username", "case_id", "what", "viewed_at")) == [
        ("supervisor", second.pk, "api", NOW)
    ]

    assert get(supervisor, f"{first.pk}/timeline").status_code == 200
    assert list(log.values_list("case_id", "what"))[1:] == [(first.pk, "api")]
