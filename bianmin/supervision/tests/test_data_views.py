"""Every view of personal data by a supervisor is recorded (issue 5, "Trust"): who saw whose data, and when."""

from __future__ import annotations

import html

import pytest
import time_machine
from django.core.files.base import ContentFile

from bianmin.cases import services as case_services
from bianmin.cases.data_views import personal_data_view_record
from bianmin.cases.models import CaseMaterial, Notice, PersonalDataView
from bianmin.core.testing import at, logged_in, received, role_holder, user
from bianmin.org.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOW = at(2026, 10, 9, 15)
RECEIVED = at(2026, 10, 9)  # the cases' day of receipt


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def views() -> list[tuple]:
    return list(PersonalDataView.objects.order_by("pk").values_list("viewer__username", "case_id", "what", "viewed_at"))


def test_a_supervisor_opening_a_case_page_is_recorded_once(county):
    case = received(now=RECEIVED)

    assert logged_in("supervisor", language="en").get(f"/workbench/cases/{case.pk}/").status_code == 200

    assert views() == [("supervisor", case.pk, "case_page", NOW)]


def test_a_supervisor_reading_a_case_through_the_api_is_recorded(county):
    case = received(now=RECEIVED)

    assert logged_in("supervisor", language="en").get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert logged_in("county_clerk", language="en").get(f"/api/v1/cases/{case.pk}").status_code == 200

    assert views() == [("supervisor", case.pk, "api", NOW)]


@pytest.mark.parametrize("username", ["county_clerk", "market_chief", "market_head", "centre_admin"])
def test_other_staff_opening_a_case_page_are_not_recorded(county, username):
    case = received(now=RECEIVED)

    assert logged_in(username, language="en").get(f"/workbench/cases/{case.pk}/").status_code == 200

    assert views() == []


def test_a_material_scan_and_a_notice_are_recorded(county):
    case = case_services.case_accept(actor=user("county_clerk"), case=received(now=RECEIVED), now=at(2026, 10, 9, 11))
    material = case.materials.first()
    material.file.save("licence.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    receipt = case.notices.get(kind=Notice.Kind.RECEIPT)
    client = logged_in("supervisor", language="en")

    assert client.get(f"/workbench/cases/{case.pk}/materials/{material.pk}/").status_code == 200
    assert client.get(f"/workbench/cases/{case.pk}/notices/{receipt.pk}.pdf").status_code == 200

    assert views() == [("supervisor", case.pk, "material", NOW), ("supervisor", case.pk, "notice", NOW)]
    assert CaseMaterial.objects.filter(case=case).exclude(file="").count() == 1


def test_the_ledger_records_one_row_per_case_shown(county):
    cases = [received(now=RECEIVED) for _ in range(3)]
    client = logged_in("supervisor", language="en")

    page = client.get("/workbench/cases/ledger/?site=YX&from=2026-10-09&to=2026-10-09")
    assert page.status_code == 200
    shown = {case.pk for case in cases}
    assert {(row[0], row[1], row[2]) for row in views()} == {("supervisor", pk, "ledger") for pk in shown}
    assert len(views()) == 3

    client.get("/workbench/cases/ledger/?site=YX&from=2026-10-09&to=2026-10-09&format=xlsx")
    assert len(views()) == 6

    logged_in("county_clerk", language="en").get("/workbench/cases/ledger/?site=YX&from=2026-10-09&to=2026-10-09")
    assert len(views()) == 6


def test_the_service_is_one_insert_and_a_no_op_for_other_roles(county, django_assert_num_queries):
    cases = [received(now=RECEIVED), received(now=RECEIVED)]
    clerk, supervisor = user("county_clerk"), user("supervisor")
    supervisor_scope_loaded = personal_data_view_record(viewer=supervisor, cases=[], what="ledger")

    with django_assert_num_queries(1):
        assert personal_data_view_record(viewer=clerk, cases=cases, what="case_page") == 0
    with django_assert_num_queries(1):
        assert personal_data_view_record(viewer=supervisor, cases=cases, what="ledger", now=NOW) == 2
    assert supervisor_scope_loaded == 0
    assert len(views()) == 2


def test_the_log_page_shows_who_saw_whose_data_masked_and_filtered(county, django_assert_max_num_queries):
    case = received(now=RECEIVED)
    other = received(now=RECEIVED)
    supervisor = logged_in("supervisor", language="en")
    supervisor.get(f"/workbench/cases/{case.pk}/")
    supervisor.get(f"/workbench/cases/{other.pk}/")

    with django_assert_max_num_queries(10):
        page = supervisor.get(f"/supervision/data-views/?case={case.tracking_number.lower()}")
    assert page.status_code == 200
    body = html.unescape(page.content.decode())
    assert [row["view"].case_id for row in page.context["rows"]] == [case.pk]
    assert "张**" in body and "张三" not in body
    assert "Case page" in body and "陈纪明" in body
    assert supervisor.get("/supervision/data-views/?viewer=supervisor").context["page"].paginator.count == 2
    assert supervisor.get("/supervision/data-views/?viewer=nobody").context["page"].paginator.count == 0
    assert supervisor.get("/supervision/data-views/?start=2026-10-10").context["page"].paginator.count == 0
    assert supervisor.get("/supervision/data-views/?end=2026-10-09").context["page"].paginator.count == 2
    assert logged_in("county_clerk", language="en").get("/supervision/data-views/").status_code == 403


def test_a_town_supervisor_sees_only_views_of_the_towns_cases(county):
    role_holder("supervisor_bs", Role.SUPERVISOR, site="BS", full_name="白沙镇纪委")
    county_case, town_case = received(now=RECEIVED), received("MZ-0001", "BS", now=RECEIVED)
    logged_in("supervisor", language="en").get(f"/workbench/cases/{county_case.pk}/")
    logged_in("supervisor", language="en").get(f"/workbench/cases/{town_case.pk}/")

    rows = logged_in("supervisor_bs", language="en").get("/supervision/data-views/").context["rows"]

    assert [row["view"].case_id for row in rows] == [town_case.pk]
