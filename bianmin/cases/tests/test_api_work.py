"""The staff's other case-page work over the API: the queue's counts, the first-inquiry log, the site ledger (rows
and workbook), the intake desk's ID check and linking an application to the applicant's open case."""

import io
import json

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from bianmin.accounts.models import User
from bianmin.core.audit import audit_events_for
from bianmin.core.masking import mask_id_number
from bianmin.core.testing import ID_NUMBER, OTHER_ID_NUMBER, at, intake, logged_in, user

from .. import services
from ..idnumbers import resident_id_check_character
from ..models import Case, Inquiry, PersonalDataView
from ..selectors import queue_counts

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 3)  # a Tuesday
THIRD_ID_NUMBER = "42022219700707777" + resident_id_check_character("42022219700707777")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def post(client: Client, path: str, body: dict):
    return client.post(f"/api/v1/cases/{path}", json.dumps(body), content_type="application/json")


def received_at(site: str, item: str = "SF-0003", **options) -> Case:
    return services.case_submit(
        actor=user({"YX": "county_clerk", "BS": "baisha_clerk", "FT": "futu_clerk"}[site]),
        intake=intake(item, site, **options),
        now=at(2026, 3, 2),
    )


def an_applicant() -> Client:
    User.objects.create_user(username="lisi", password="x" * 12)
    return logged_in("lisi", language="en")


# --- The queue's counts --------------------------------------------------------------------------------------


def test_the_queue_counts_are_the_workbenchs(county, clock):
    received_at("YX")
    received_at("YX", id_number=OTHER_ID_NUMBER)
    clerk = logged_in("county_clerk")

    response = clerk.get("/api/v1/cases/queue-counts")

    assert response.status_code == 200
    assert response.json() == queue_counts(user("county_clerk"))
    assert (response.json()["acceptance"], response.json()["inquiries"]) == (2, 0)


def test_the_queue_counts_are_for_staff_only(county, clock):
    response = an_applicant().get("/api/v1/cases/queue-counts")

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


# --- The first-inquiry log -----------------------------------------------------------------------------------


def test_an_inquiry_is_logged_listed_answered_over_the_api(county, clock):
    clerk = logged_in("county_clerk")

    logged = post(clerk, "inquiries", {"asked_by": "王大妈", "contact": "13800001111", "question": "要带什么？"})
    inquiry = Inquiry.objects.get()
    listed = clerk.get("/api/v1/cases/inquiries")
    answered = post(clerk, f"inquiries/{inquiry.pk}/answer", {"answer": "详见服务指南。"})
    again = post(clerk, f"inquiries/{inquiry.pk}/answer", {"answer": "再答一次"})

    assert logged.status_code == 201
    assert logged.json() == {
        "id": inquiry.pk,
        "asked_by": "王大妈",
        "contact": "13800001111",
        "question": "要带什么？",
        "site_code": "YX",
        "logged_by": "county_clerk",
        "logged_at": "2026-03-03T02:00:00Z",
        "owner": "county_clerk",
        "owner_department": None,
        "state": "open",
        "answer": "",
        "answered_at": None,
        "handovers": [],
    }
    assert listed.json() == {
        "items": [logged.json()],
        "count": 1,
        "count_capped": False,
        "next": None,
        "previous": None,
    }
    assert (answered.status_code, answered.json()["state"], answered.json()["answer"]) == (
        200,
        "answered",
        "详见服务指南。",
    )
    assert (again.status_code, again.json()["code"]) == (400, "inquiry_closed")
    assert clerk.get("/api/v1/cases/inquiries").json() == {
        "items": [],
        "count": 0,
        "count_capped": False,
        "next": None,
        "previous": None,
    }
    assert [event.action for event in audit_events_for(inquiry)] == ["inquiry.log", "inquiry.answer"]


def test_the_answered_inquiries_are_listed_latest_answer_first(county, clock):
    clerk = logged_in("county_clerk")
    first, second, still_open = (
        post(clerk, "inquiries", {"asked_by": name, "question": "要带什么？"}).json()["id"]
        for name in ("甲", "乙", "丙")
    )
    post(clerk, f"inquiries/{second}/answer", {"answer": "二"})
    clock.shift(3600)
    post(clerk, f"inquiries/{first}/answer", {"answer": "一"})

    answered = clerk.get("/api/v1/cases/inquiries", {"state": "answered"}).json()
    still = clerk.get("/api/v1/cases/inquiries").json()

    assert [(row["id"], row["answer"]) for row in answered["items"]] == [(first, "一"), (second, "二")]
    assert [row["id"] for row in still["items"]] == [still_open]
    assert logged_in("futu_clerk").get("/api/v1/cases/inquiries", {"state": "answered"}).json()["count"] == 0


def test_the_inquiry_list_reads_in_constant_queries(county, clock):
    clerk = logged_in("county_clerk")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clerk.get("/api/v1/cases/inquiries").status_code == 200
        return len(queries)

    post(clerk, "inquiries", {"asked_by": "甲", "question": "一"})
    one = count()
    for name in ("乙", "丙", "丁"):
        post(clerk, "inquiries", {"asked_by": name, "question": "二"})

    assert count() == one
    assert clerk.get("/api/v1/cases/inquiries").json()["count"] == 4


def test_a_handover_goes_to_a_colleague_on_record_and_only_the_owner_acts(county, clock):
    clerk = logged_in("baisha_clerk")
    inquiry_id = post(clerk, "inquiries", {"asked_by": "王大妈", "question": "要带什么？"}).json()["id"]

    stranger = post(logged_in("futu_clerk"), f"inquiries/{inquiry_id}/answer", {"answer": "我来答"})
    not_a_colleague = post(clerk, f"inquiries/{inquiry_id}/handover", {"to_user": "futu_clerk"})
    nobody = post(clerk, f"inquiries/{inquiry_id}/handover", {"note": "交给别人"})
    handed = post(clerk, f"inquiries/{inquiry_id}/handover", {"to_user": "baisha_agent", "to_department": "SJ"})

    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_found")
    assert (not_a_colleague.status_code, not_a_colleague.json()["code"]) == (422, "unknown_user")
    assert (nobody.status_code, nobody.json()["code"]) == (400, "handover_target_missing")
    assert handed.status_code == 200
    assert (handed.json()["owner"], handed.json()["owner_department"]) == ("baisha_agent", "SJ")
    assert [(h["who"], h["to_user"], h["to_department"]) for h in handed.json()["handovers"]] == [
        ("baisha_clerk", "baisha_agent", "SJ")
    ]
    assert [row["id"] for row in logged_in("baisha_agent").get("/api/v1/cases/inquiries").json()["items"]] == [
        inquiry_id
    ]
    inquiry = Inquiry.objects.get()
    assert [event.action for event in audit_events_for(inquiry)] == ["inquiry.log", "inquiry.handover"]


def test_the_inquiry_log_is_for_staff_only(county, clock):
    applicant = an_applicant()

    assert applicant.get("/api/v1/cases/inquiries").status_code == 403
    assert post(applicant, "inquiries", {"asked_by": "甲", "question": "一"}).status_code == 403
    assert Inquiry.objects.count() == 0


# --- The site ledger -----------------------------------------------------------------------------------------


def test_the_ledger_lists_the_cases_of_the_callers_sites_in_the_period(county, clock):
    first = received_at("YX")
    second = received_at("YX", id_number=OTHER_ID_NUMBER)
    received_at("BS", id_number=THIRD_ID_NUMBER)  # another town's
    clerk = logged_in("county_clerk")

    response = clerk.get("/api/v1/cases/ledger", {"from": "2026-03-01", "to": "2026-03-31"})
    later = clerk.get("/api/v1/cases/ledger", {"from": "2026-03-03", "to": "2026-03-31"})

    rows = response.json()["items"]
    assert response.status_code == 200
    assert [row["case_id"] for row in rows] == [first.pk, second.pk]
    assert rows[0] | {"received_at": None} == {
        "case_id": first.pk,
        "tracking_number": first.tracking_number,
        "received_at": None,
        "applicant_name": "张三",
        "applicant_id_number": mask_id_number(ID_NUMBER),
        "applicant_phone": "13800000000",
        "item_code": "SF-0003",
        "item_name": first.version.name,
        "department_name": first.department.name,
        "channel": "window",
        "receiving_site_code": "YX",
        "relay_site_code": None,
        "status": "received",
        "status_label": rows[0]["status_label"],
        "accepted_on": None,
        "promised_due": None,
        "closed_at": None,
        "decided_on_time": None,
        "certificate_number": "",
    }
    assert later.json() == {"items": [], "count": 0, "count_capped": False, "next": None, "previous": None}


def test_the_ledger_refuses_another_towns_site_and_a_backwards_period(county, clock):
    clerk = logged_in("baisha_clerk")

    other = clerk.get("/api/v1/cases/ledger", {"site": "FT"})
    backwards = clerk.get("/api/v1/cases/ledger", {"from": "2026-03-05", "to": "2026-03-01"})

    assert (other.status_code, other.json()["code"]) == (422, "unknown_site")
    assert (backwards.status_code, backwards.json()["code"]) == (400, "invalid_period")


def test_the_ledger_reads_in_constant_queries_and_logs_a_supervisors_reading(county, clock):
    supervisor = logged_in("supervisor")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert supervisor.get("/api/v1/cases/ledger").status_code == 200
        return len(queries)

    received_at("YX")
    one = count()
    for number in (OTHER_ID_NUMBER, THIRD_ID_NUMBER):
        received_at("YX", id_number=number)

    assert count() == one
    # One row per case shown: the first reading's one case, then the second's three.
    assert PersonalDataView.objects.filter(viewer=user("supervisor"), what="ledger").count() == 4


def test_the_ledger_workbook_is_the_pages(county, clock):
    case = received_at("YX")

    response = logged_in("county_clerk").get("/api/v1/cases/ledger/xlsx", {"site": "YX"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ledger-2026-03-01-2026-03-03.xlsx"'
    assert [sheet.cell(row=3, column=column).value for column in (1, 2)] == [1, case.tracking_number]
    assert sheet.max_row == 3


# --- The intake desk -----------------------------------------------------------------------------------------


def test_the_id_check_names_the_problems_and_the_open_case_elsewhere(county, clock):
    town = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=at(2026, 3, 2))
    agent = logged_in("baishacun_agent", language="en")

    wrong = agent.get("/api/v1/cases/intake/id-check", {"id_number": "420222199001011230"})
    found = agent.get("/api/v1/cases/intake/id-check", {"id_number": ID_NUMBER, "item": "MZ-0001"})
    here = logged_in("baisha_clerk").get("/api/v1/cases/intake/id-check", {"id_number": ID_NUMBER, "item": "MZ-0001"})

    assert wrong.status_code == 200 and len(wrong.json()["problems"]) == 1
    assert wrong.json()["open_cases"] == []
    assert found.json() == {
        "problems": [],
        "open_cases": [
            {
                "id": town.pk,
                "tracking_number": town.tracking_number,
                "status": "received",
                "received_at": "2026-03-02T02:00:00Z",
                "receiving_site_name": "白沙镇便民服务厅",
                "current_site_name": "白沙镇便民服务厅",
                "is_visible": False,  # the village room's agent does not open the town's case
            }
        ],
    }
    assert here.json() == {"problems": [], "open_cases": []}  # the town's own window: its own business


def test_an_application_is_linked_to_the_open_case_instead_of_registered_twice(county, clock):
    town = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=at(2026, 3, 2))
    agent = logged_in("baishacun_agent")
    cases = Case.objects.count()

    wrong = post(agent, "intake/link", {"item": "MZ-0001", "id_number": ID_NUMBER, "case_id": town.pk + 1000})
    linked = post(agent, "intake/link", {"item": "MZ-0001", "id_number": ID_NUMBER, "case_id": town.pk})
    no_desk = post(
        logged_in("supervisor"), "intake/link", {"item": "MZ-0001", "id_number": ID_NUMBER, "case_id": town.pk}
    )

    assert (wrong.status_code, wrong.json()["code"]) == (409, "not_an_open_application")
    assert linked.status_code == 200
    assert linked.json() == {
        "case_id": town.pk,
        "tracking_number": town.tracking_number,
        "current_site_code": "BS",
        "current_site_name": "白沙镇便民服务厅",
        "is_visible": False,
    }
    assert (no_desk.status_code, no_desk.json()["code"]) == (403, "permission_denied")
    event = audit_events_for(town).get(action="case.link_application")
    assert (event.actor_label, event.payload["site"], event.payload["channel"]) == ("baishacun_agent", "BS01", "agency")
    assert Case.objects.count() == cases
