"""The first-inquiry log and the site ledger over the REST API: the workbench's selectors and services, the same
permissions, cursor pages."""

import json

import pytest
import time_machine
from django.test import Client

from bianmin.cases.models import Inquiry, PersonalDataView
from bianmin.core.testing import at, logged_in, received

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1/desk/"
NOW = at(2026, 3, 11)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def post(client: Client, path: str, body: dict):
    return client.post(API + path, json.dumps(body), content_type="application/json")


def test_the_ledger_lists_the_sites_cases_of_a_period_by_cursor(county, clock, django_assert_num_queries):
    first = received("SJ-0004", "YX", now=at(2026, 3, 2))
    second = received("SJ-0004", "YX", now=at(2026, 3, 3))
    received("SJ-0004", "YX", now=at(2026, 2, 27))  # before the period
    received("CZ-0002", "BS", now=at(2026, 3, 2))  # another town's
    clerk = logged_in("county_clerk", language="en")

    page = clerk.get(API + "ledger", {"start": "2026-03-01", "end": "2026-03-31", "limit": 1}).json()
    assert (page["count"], [row["id"] for row in page["items"]], page["previous"]) == (2, [first.pk], None)
    row = page["items"][0]
    assert {key: row[key] for key in ("tracking_number", "item_code", "channel", "status", "receiving_site_code")} == {
        "tracking_number": first.tracking_number,
        "item_code": "SJ-0004",
        "channel": "window",
        "status": "received",
        "receiving_site_code": "YX",
    }
    assert row["applicant_id_number"] != first.applicant_id_number
    assert row["applicant_id_number"][:6] == first.applicant_id_number[:6] and "*" in row["applicant_id_number"]
    after = clerk.get(API + "ledger", {"start": "2026-03-01", "end": "2026-03-31", "cursor": page["next"]}).json()
    assert ([row["id"] for row in after["items"]], after["next"]) == ([second.pk], None)
    assert clerk.get(API + "ledger", {"start": "2026-03-04"}).json()["count"] == 0  # until today by default

    for _ in range(3):
        received("SJ-0004", "YX", now=at(2026, 3, 4))
    with django_assert_num_queries(6):  # session, user, roles, the scope's sites, the count, the page
        assert len(clerk.get(API + "ledger", {"start": "2026-03-01"}).json()["items"]) == 5

    bad = clerk.get(API + "ledger", {"start": "2026-03-10", "end": "2026-03-01"})
    assert (bad.status_code, bad.json()["code"], bad.json()["detail"]) == (
        400,
        "period_invalid",
        "The end of the period is before its start.",
    )
    assert clerk.get(API + "ledger", {"site": "BS"}).json()["code"] == "unknown_site"
    assert PersonalDataView.objects.count() == 0  # staff handling the cases are not logged


def test_a_supervisors_ledger_page_is_logged_as_a_view_of_personal_data(county, clock):
    case = received("SJ-0004", "YX", now=at(2026, 3, 2))
    assert [row["id"] for row in logged_in("supervisor").get(API + "ledger").json()["items"]] == [case.pk]
    assert list(PersonalDataView.objects.values_list("viewer__username", "case_id", "what")) == [
        ("supervisor", case.pk, "ledger")
    ]


def test_an_inquiry_is_logged_handed_over_and_answered_by_its_owner(county, clock):
    clerk, other = logged_in("county_clerk", language="en"), logged_in("baisha_clerk", language="en")

    logged = post(clerk, "inquiries", {"asked_by": "李四", "contact": "13700001111", "question": "怎么办理营业执照？"})
    assert logged.status_code == 201
    inquiry = logged.json()
    assert {key: inquiry[key] for key in ("asked_by", "site_code", "logged_by", "owner", "state", "handovers")} == {
        "asked_by": "李四",
        "site_code": "YX",
        "logged_by": "county_clerk",
        "owner": "county_clerk",
        "state": "open",
        "handovers": [],
    }
    path = f"inquiries/{inquiry['id']}"
    assert [row["id"] for row in clerk.get(API + "inquiries").json()["items"]] == [inquiry["id"]]
    assert other.get(API + path).status_code == 404
    assert post(other, f"{path}/answer", {"answer": "x"}).status_code == 404
    assert post(clerk, "inquiries", {"asked_by": "", "question": "?"}).json()["code"] == "invalid_input"

    unknown = post(clerk, f"{path}/handover", {"to_department": "NONE"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_department")
    handed = post(clerk, f"{path}/handover", {"to_department": "SJ", "note": "属市场监管"}).json()
    assert (handed["owner"], handed["owner_department"]) == (None, "SJ")
    assert [(h["who"], h["to_department"], h["note"]) for h in handed["handovers"]] == [
        ("county_clerk", "SJ", "属市场监管")
    ]
    assert clerk.get(API + path).status_code == 404  # no longer theirs

    head = logged_in("market_head", language="en")
    answered = post(head, f"{path}/answer", {"answer": "请到市场监管窗口办理。"}).json()
    assert (answered["state"], answered["answer"]) == ("answered", "请到市场监管窗口办理。")
    again = post(head, f"{path}/answer", {"answer": "再答"})
    assert (again.status_code, again.json()["code"]) == (400, "inquiry_closed")
    assert Inquiry.objects.get(pk=inquiry["id"]).answer == "请到市场监管窗口办理。"
