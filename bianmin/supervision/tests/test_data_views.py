"""Every view of personal data by a supervisor is recorded (issue 5, "Trust"): who saw whose data, and when."""

from __future__ import annotations

import html

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import translation

from bianmin.accounts.models import User
from bianmin.cases import services as case_services
from bianmin.cases.data_views import personal_data_view_record
from bianmin.cases.models import Case, CaseMaterial, Notice, PersonalDataView
from bianmin.org import services as org
from bianmin.org.models import Role, Site
from bianmin.supervision.tests.conftest import at, intake, user

pytestmark = pytest.mark.django_db

NOW = at(2026, 10, 9, 15)


@pytest.fixture(autouse=True)
def _frozen():
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


def staff(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def a_case(code: str = "SJ-0004", site: str = "YX", clerk: str = "county_clerk") -> Case:
    return case_services.case_submit(actor=user(clerk), intake=intake(code, site), now=at(2026, 10, 9))


def views() -> list[tuple]:
    return list(PersonalDataView.objects.order_by("pk").values_list("viewer__username", "case_id", "what", "viewed_at"))


def test_a_supervisor_opening_a_case_page_is_recorded_once(county):
    case = a_case()

    assert staff("supervisor").get(f"/workbench/cases/{case.pk}/").status_code == 200

    assert views() == [("supervisor", case.pk, "case_page", NOW)]


def test_a_supervisor_reading_a_case_through_the_api_is_recorded(county):
    case = a_case()

    assert staff("supervisor").get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert staff("county_clerk").get(f"/api/v1/cases/{case.pk}").status_code == 200

    assert views() == [("supervisor", case.pk, "api", NOW)]


@pytest.mark.parametrize("username", ["county_clerk", "market_chief", "market_head", "centre_admin"])
def test_other_staff_opening_a_case_page_are_not_recorded(county, username):
    case = a_case()

    assert staff(username).get(f"/workbench/cases/{case.pk}/").status_code == 200

    assert views() == []


def test_a_material_scan_and_a_notice_are_recorded(county):
    case = case_services.case_accept(actor=user("county_clerk"), case=a_case(), now=at(2026, 10, 9, 11))
    material = case.materials.first()
    material.file.save("licence.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    receipt = case.notices.get(kind=Notice.Kind.RECEIPT)
    client = staff("supervisor")

    assert client.get(f"/workbench/cases/{case.pk}/materials/{material.pk}/").status_code == 200
    assert client.get(f"/workbench/cases/{case.pk}/notices/{receipt.pk}.pdf").status_code == 200

    assert views() == [("supervisor", case.pk, "material", NOW), ("supervisor", case.pk, "notice", NOW)]
    assert CaseMaterial.objects.filter(case=case).exclude(file="").count() == 1


def test_the_ledger_records_one_row_per_case_shown(county):
    cases = [a_case() for _ in range(3)]
    client = staff("supervisor")

    page = client.get("/workbench/cases/ledger/?site=YX&from=2026-10-09&to=2026-10-09")
    assert page.status_code == 200
    shown = {case.pk for case in cases}
    assert {(row[0], row[1], row[2]) for row in views()} == {("supervisor", pk, "ledger") for pk in shown}
    assert len(views()) == 3

    client.get("/workbench/cases/ledger/?site=YX&from=2026-10-09&to=2026-10-09&format=xlsx")
    assert len(views()) == 6

    staff("county_clerk").get("/workbench/cases/ledger/?site=YX&from=2026-10-09&to=2026-10-09")
    assert len(views()) == 6


def test_the_service_is_one_insert_and_a_no_op_for_other_roles(county, django_assert_num_queries):
    cases = [a_case(), a_case()]
    clerk, supervisor = user("county_clerk"), user("supervisor")
    supervisor_scope_loaded = personal_data_view_record(viewer=supervisor, cases=[], what="ledger")

    with django_assert_num_queries(1):
        assert personal_data_view_record(viewer=clerk, cases=cases, what="case_page") == 0
    with django_assert_num_queries(1):
        assert personal_data_view_record(viewer=supervisor, cases=cases, what="ledger", now=NOW) == 2
    assert supervisor_scope_loaded == 0
    assert len(views()) == 2


def test_the_log_page_shows_who_saw_whose_data_masked_and_filtered(county, django_assert_max_num_queries):
    case = a_case()
    other = a_case()
    supervisor = staff("supervisor")
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
    assert staff("county_clerk").get("/supervision/data-views/").status_code == 403


def test_a_town_supervisor_sees_only_views_of_the_towns_cases(county):
    town = User.objects.create(username="supervisor_bs", full_name="白沙镇纪委")
    org.role_assign(actor=None, user=town, role=Role.SUPERVISOR, site=Site.objects.get(code="BS"))
    county_case, town_case = a_case(), a_case("MZ-0001", "BS", "baisha_clerk")
    staff("supervisor").get(f"/workbench/cases/{county_case.pk}/")
    staff("supervisor").get(f"/workbench/cases/{town_case.pk}/")

    rows = staff("supervisor_bs").get("/supervision/data-views/").context["rows"]

    assert [row["view"].case_id for row in rows] == [town_case.pk]
