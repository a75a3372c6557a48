"""The complaint pages' operations over the API: the lists with their filters (one page in a fixed number of
queries), one complaint with the caller's moves, a complaint by telephone, and the whole life move by move through
the same services (a refused move changes nothing; another town's complaint is not found)."""

from __future__ import annotations

import json

import pytest

from bianmin.complaints.models import Complaint, PublicNotice
from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, logged_in, received, user
from bianmin.org.models import Department

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
State = Complaint.State


def post(client, path: str, body: dict | None = None):
    return client.post(f"/api/v1/complaints/{path}", json.dumps(body or {}), content_type="application/json")


def test_a_complaint_goes_through_its_life_over_the_api(county, make_complaint, time_machine):
    time_machine.move_to(at(2026, 9, 29), tick=False)
    case = received("SJ-0004", "YX")
    complaint = make_complaint(tracking_number=case.tracking_number, subject="case")
    supervisor, chief = logged_in("supervisor"), logged_in("market_chief")

    detail = supervisor.get(f"/api/v1/complaints/{complaint.pk}").json()
    assert (detail["state"], detail["moves"], detail["is_late"], detail["case_id"]) == (
        "received",
        ["accept", "refuse"],
        False,
        case.pk,
    )

    time_machine.move_to(at(2026, 9, 30), tick=False)
    accepted = post(supervisor, f"{complaint.pk}/accept")
    assert accepted.status_code == 200
    assert (accepted.json()["state"], accepted.json()["due"], accepted.json()["moves"]) == (
        "accepted",
        "2026-10-23",
        ["assign"],
    )

    # 派单: a handler who cannot be assigned is refused by its id, and nothing changes
    events = AuditEvent.objects.count()
    wrong = post(supervisor, f"{complaint.pk}/assign", {"handler_id": user("supervisor").pk})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "unknown_handler")
    assert AuditEvent.objects.count() == events

    market = Department.objects.get(code="SJ")
    assigned = post(
        supervisor, f"{complaint.pk}/assign", {"handler_id": user("market_chief").pk, "department_id": market.pk}
    )
    assert (assigned.status_code, assigned.json()["handler_id"], assigned.json()["department_id"]) == (
        200,
        user("market_chief").pk,
        market.pk,
    )

    # The handler takes it up and replies; the supervisor cannot reply for them (403, nothing written)
    assert post(chief, f"{complaint.pk}/handle").json()["state"] == "handling"
    refused = post(supervisor, f"{complaint.pk}/reply", {"reply": "已处理。"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    replied = post(chief, f"{complaint.pk}/reply", {"reply": "已核实，向申请人致歉。"})
    assert (replied.json()["state"], replied.json()["reply"]) == ("replied", "已核实，向申请人致歉。")

    finished = post(supervisor, f"{complaint.pk}/finish", {"finding": "upheld"})
    assert (finished.json()["state"], finished.json()["finding"], finished.json()["accountable_department_id"]) == (
        "finished",
        "upheld",
        market.pk,
    )
    called = post(supervisor, f"{complaint.pk}/call-back", {"note": "申请人表示满意。"})
    assert (called.json()["state"], called.json()["callback_note"], called.json()["moves"]) == (
        "called_back",
        "申请人表示满意。",
        [],
    )
    actions = list(
        AuditEvent.objects.filter(object_id=str(complaint.pk), action__startswith="complaint.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "complaint.receive",
        "complaint.accept",
        "complaint.assign",
        "complaint.handle",
        "complaint.reply",
        "complaint.finish",
        "complaint.call_back",
    ]

    # A move the state does not allow is 409 and changes nothing
    again = post(supervisor, f"{complaint.pk}/accept")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")


def test_refusal_and_reminder_and_the_public_notices(county, make_complaint, time_machine):
    time_machine.move_to(at(2026, 9, 29), tick=False)
    supervisor = logged_in("supervisor")
    first = make_complaint(site=None)
    refused = post(supervisor, f"{first.pk}/refuse", {"reason": "不属于受理范围。"})
    assert (refused.json()["state"], refused.json()["refusal_reason"]) == ("refused", "不属于受理范围。")
    empty = post(supervisor, f"{first.pk}/refuse", {"reason": ""})
    assert (empty.status_code, empty.json()["code"]) == (422, "invalid_input")

    # Late on 10-13 (acceptance due 10-12): a reminder, then still late after 5 working days, the public notice
    late = make_complaint()
    time_machine.move_to(at(2026, 10, 13), tick=False)
    supervisor = logged_in("supervisor")  # a new session two weeks on
    assert supervisor.get(f"/api/v1/complaints/{late.pk}").json()["moves"] == ["accept", "refuse", "remind"]
    reminded = post(supervisor, f"{late.pk}/remind", {"note": "请尽快受理。"})
    assert (reminded.status_code, reminded.json()["due"]) == (200, "2026-10-12")
    reminder = late.reminders.get()
    assert (reminder.note, reminder.report_on.isoformat(), reminder.reminded_by.username) == (
        "请尽快受理。",
        "2026-10-20",
        "supervisor",
    )

    from bianmin.complaints.services import complaints_report_late

    complaints_report_late(now=at(2026, 10, 21))
    time_machine.move_to(at(2026, 10, 21), tick=False)
    supervisor = logged_in("supervisor")
    notice = PublicNotice.objects.get()
    body = supervisor.get("/api/v1/complaints/notices").json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "id": notice.pk,
        "complaint_id": late.pk,
        "complaint_number": late.number,
        "site_id": late.site_id,
        "department_id": None,
        "due": "2026-10-12",
        "reported_at": notice.reported_at.isoformat().replace("+00:00", "Z"),
    }
    clerk = logged_in("county_clerk")
    assert clerk.get("/api/v1/complaints/notices").status_code == 403
    assert clerk.get("/api/v1/complaints/identity-views").status_code == 403


def test_the_lists_filter_as_the_pages_in_a_fixed_number_of_queries(
    county, make_complaint, time_machine, django_assert_num_queries
):
    time_machine.move_to(at(2026, 9, 29), tick=False)
    first, second = make_complaint(), make_complaint(kind="help")
    futu = make_complaint(site=None, tracking_number="")  # the county centre's
    supervisor = logged_in("supervisor")
    supervisor.get("/api/v1/complaints/?limit=1")  # the session and the scope, read once
    with django_assert_num_queries(5):  # session, user, their roles, the page, the count
        body = supervisor.get("/api/v1/complaints/").json()
    assert [item["id"] for item in body["items"]] == [futu.pk, second.pk, first.pk]
    assert body["count"] == 3

    assert [i["id"] for i in supervisor.get("/api/v1/complaints/?kind=help").json()["items"]] == [second.pk]
    assert supervisor.get("/api/v1/complaints/?late=true").json()["count"] == 0
    time_machine.move_to(at(2026, 10, 13), tick=False)
    supervisor = logged_in("supervisor")  # a new session two weeks on
    assert supervisor.get("/api/v1/complaints/?late=true&state=received").json()["count"] == 3
    assert supervisor.get("/api/v1/complaints/?state=refused").json()["items"] == []

    # Another town's staff see none of the county centre's, and a complaint of it is not found
    futu_clerk = logged_in("futu_clerk")
    assert futu_clerk.get("/api/v1/complaints/mine").json()["count"] == 0
    assert futu_clerk.get("/api/v1/complaints/").json()["count"] == 0
    assert futu_clerk.get(f"/api/v1/complaints/{first.pk}").status_code == 404
    assert post(futu_clerk, f"{first.pk}/accept").status_code == 404


def test_a_complaint_by_telephone(county, time_machine):
    time_machine.move_to(at(2026, 9, 29), tick=False)
    clerk = logged_in("futu_clerk")
    response = post(
        clerk, "", {"kind": "complaint", "text": "窗口态度差。", "name": "李四", "phone": "13700001111", "site": "FT"}
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.site.code, complaint.received_by.username) == ("phone", "FT", "futu_clerk")
    assert (response.json()["number"], response.json()["channel"], response.json()["moves"]) == (
        "TS-2026-00001",
        "phone",
        [],
    )
    unknown = post(clerk, "", {"text": "x", "name": "李四", "phone": "13700001111", "window_id": 999999})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_window")
    assert Complaint.objects.count() == 1


def test_the_hotline_workbook_over_the_api(county, time_machine):
    from bianmin.complaints.tests.test_hotline import GOOD, workbook

    time_machine.move_to(at(2026, 9, 29), tick=False)
    desk = logged_in("supervisor")
    template = desk.get("/api/v1/complaints/work-orders/template")
    assert (template.status_code, template["Content-Disposition"]) == (
        200,
        'attachment; filename="12345-work-orders.xlsx"',
    )

    bad = ["12345-2026-000202", "投诉", "收费", "", "赵六", "13800000001", "", "", ""]
    refused = desk.post("/api/v1/complaints/work-orders/import", {"file": workbook([GOOD, bad])})
    assert (refused.status_code, refused.json()["code"]) == (422, "work_order_import_invalid")
    assert Complaint.objects.count() == 0

    received_ = desk.post("/api/v1/complaints/work-orders/import", {"file": workbook([GOOD])})
    assert received_.status_code == 201
    complaint = Complaint.objects.get()
    assert [(row["id"], row["hotline_number"], row["site"]) for row in received_.json()] == [
        (complaint.pk, "12345-2026-000201", "BS")
    ]
    clerk = logged_in("county_clerk")
    assert clerk.post("/api/v1/complaints/work-orders/import", {"file": workbook([GOOD])}).status_code == 403
    assert clerk.get("/api/v1/complaints/work-orders/template").status_code == 403
