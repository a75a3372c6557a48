"""Accountability records (责任追究): who may record them, what they must say, where they are filed, annulment,
and what assessment reads (records in force in a period)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from bianmin.cases import services as case_services
from bianmin.core.audit import audit_events_for
from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, intake, logged_in, refused, role_holder, user
from bianmin.org.models import Department, Role, Site
from bianmin.supervision.models import AccountabilityRecord, Alert, Level
from bianmin.supervision.selectors.orders import accountability_for, accountability_visible_to
from bianmin.supervision.services.accountability import accountability_record_annul, accountability_record_create
from bianmin.supervision.services.orders import order_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Measure = AccountabilityRecord.Measure
D = datetime.date


def record(**options) -> AccountabilityRecord:
    options.setdefault("actor", user("supervisor"))
    options.setdefault("finding", "受理超期未说明原因。")
    options.setdefault("measure", Measure.CRITICISM)
    options.setdefault("decided_on", D(2026, 10, 9))
    options.setdefault("now", at(2026, 10, 9))
    if "person" not in options and "department" not in options:
        options["department"] = Department.objects.get(code="SJ")
    return accountability_record_create(**options)


def town_alert() -> Alert:
    case = case_services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=at(2026, 9, 28))
    return Alert.objects.create(
        rule="case_overdue",
        key=f"case:{case.pk}",
        level=Level.RED,
        case=case,
        site=case.current_site,
        department=case.department,
        raised_at=at(2026, 9, 29),
        raised_on=D(2026, 9, 29),
    )


def test_a_deduction_against_a_person_linked_to_an_order_and_an_alert(county):
    alert = town_alert()
    order = order_issue(actor=user("supervisor"), instruction="整改", due_days=5, alert=alert, now=at(2026, 9, 30))

    saved = record(
        person=user("baisha_clerk"),
        department=Department.objects.get(code="MZ"),
        measure=Measure.DEDUCTION,
        points="2.5",
        orders=[order],
        alerts=[alert],
    )

    assert (saved.measure, saved.points, saved.site.code, saved.recorded_by.username) == (
        Measure.DEDUCTION,
        Decimal("2.5"),
        "BS",  # the linked order's site
        "supervisor",
    )
    assert list(saved.orders.all()) == [order]
    assert list(saved.alerts.all()) == [alert]
    event = audit_events_for(saved).get()
    assert (event.action, event.payload["points"], event.payload["orders"]) == (
        "accountability.record",
        "2.5",
        [order.pk],
    )


def test_the_site_defaults_to_the_persons_site_then_the_supervisors(county):
    assert record(person=user("futu_clerk")).site.code == "FT"
    assert record(department=Department.objects.get(code="ZR")).site.code == "YX"
    assert record(department=Department.objects.get(code="ZR"), site=Site.objects.get(code="SX")).site.code == "SX"


def test_points_are_required_for_a_deduction_and_refused_otherwise(county):
    for points in (None, "", "0", "-1", "100.5", "1.25", "abc"):
        with refused("points_invalid"):
            record(measure=Measure.DEDUCTION, points=points)
    with refused("points_not_allowed"):
        record(measure=Measure.ADMONITION, points="1")
    assert record(measure=Measure.DEDUCTION, points=100).points == Decimal(100)
    assert AccountabilityRecord.objects.count() == 1


def test_what_a_record_must_say(county):
    events = AuditEvent.objects.count()
    with refused("finding_required"):
        record(finding="  ")
    with refused("measure_invalid"):
        record(measure="dismissal")
    with refused("accountability_subject_required"):
        record(person=None, department=None)
    with refused("decided_on_invalid"):
        record(decided_on=D(2026, 10, 10))
    assert (AccountabilityRecord.objects.count(), AuditEvent.objects.count()) == (0, events)


@pytest.mark.parametrize("outsider", ["market_head", "county_clerk", "centre_admin"])
def test_only_supervisors_record(county, outsider):
    with refused("permission_denied"):
        record(actor=user(outsider))
    assert AccountabilityRecord.objects.count() == 0


def test_links_and_people_must_be_in_the_supervisors_jurisdiction(county):
    town = role_holder("supervisor_ft", Role.SUPERVISOR, site="FT", full_name="浮屠镇纪委")
    alert = town_alert()  # at 白沙镇

    with refused("accountability_link_out_of_scope"):
        record(actor=town, alerts=[alert])
    with refused("person_out_of_scope"):
        record(actor=town, person=user("baisha_clerk"))
    with refused("site_out_of_scope"):
        record(actor=town, site=Site.objects.get(code="BS"))
    assert AccountabilityRecord.objects.count() == 0
    assert record(actor=town, person=user("futu_clerk")).site.code == "FT"


def test_annulment_takes_a_record_out_of_assessment(county):
    saved = record(measure=Measure.DEDUCTION, points=3)
    kept = record(measure=Measure.CRITICISM, decided_on=D(2026, 9, 30))
    events = AuditEvent.objects.count()

    with refused("reason_required"):
        accountability_record_annul(actor=user("supervisor"), record=saved, reason=" ", now=at(2026, 10, 12))
    with refused("permission_denied"):
        accountability_record_annul(actor=user("market_head"), record=saved, reason="申诉", now=at(2026, 10, 12))
    assert AuditEvent.objects.count() == events

    accountability_record_annul(actor=user("supervisor"), record=saved, reason="申诉成立。", now=at(2026, 10, 12))

    saved.refresh_from_db()
    assert (saved.annulled_at, saved.annulment_reason) == (at(2026, 10, 12), "申诉成立。")
    with refused("already_annulled"):
        accountability_record_annul(actor=user("supervisor"), record=saved, reason="再次", now=at(2026, 10, 13))
    sj = Department.objects.get(code="SJ")
    assert list(accountability_for(department=sj)) == [kept]
    assert list(accountability_for(department=sj, start=D(2026, 10, 1), end=D(2026, 10, 31))) == []
    assert list(accountability_for(site=Site.objects.get(code="YX"), end=D(2026, 9, 30))) == [kept]


def test_who_sees_which_records(county):
    market = record()
    land = record(department=Department.objects.get(code="ZR"))
    personal = record(person=user("futu_clerk"))

    assert set(accountability_visible_to(user("supervisor"))) == {market, land, personal}
    assert set(accountability_visible_to(user("market_head"))) == {market}
    assert set(accountability_visible_to(user("futu_clerk"))) == {personal}
    assert set(accountability_visible_to(user("county_clerk"))) == set()


# --- Pages ------------------------------------------------------------------------------------------------------------


def test_record_list_new_detail_and_annul_through_the_pages(county, django_assert_max_num_queries):
    client = logged_in("supervisor", language="en")
    for _ in range(3):
        record()
    response = client.post(
        "/supervision/accountability/new/",
        {
            "finding": "窗口人员脱岗。",
            "measure": "deduction",
            "points": "1.5",
            "decided_on": "2026-10-09",
            "person": str(user("county_clerk").pk),
            "orders": "",
            "alerts": "",
        },
    )
    created = AccountabilityRecord.objects.get(finding="窗口人员脱岗。")
    assert response.status_code == 302 and response["Location"] == f"/supervision/accountability/{created.pk}/"
    assert (created.site.code, created.points) == ("YX", Decimal("1.5"))

    with django_assert_max_num_queries(12):
        listing = client.get("/supervision/accountability/?measure=deduction")
    assert list(listing.context["page"]) == [created]
    assert client.get("/supervision/accountability/").context["page"].paginator.count == 4

    detail = client.get(f"/supervision/accountability/{created.pk}/")
    assert detail.status_code == 200 and detail.context["may_annul"] is True
    assert "窗口人员脱岗。" in detail.content.decode()
    refused_post = client.post(f"/supervision/accountability/{created.pk}/annul/", {"reason": ""})
    assert refused_post.status_code == 400
    assert client.post(f"/supervision/accountability/{created.pk}/annul/", {"reason": "误记。"}).status_code == 302
    created.refresh_from_db()
    assert created.annulment_reason == "误记。"
    assert client.get(f"/supervision/accountability/{created.pk}/").context["may_annul"] is False
    assert logged_in("market_head", language="en").get("/supervision/accountability/new/").status_code == 403


def test_the_list_query_count_does_not_grow_with_the_records(county, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in("supervisor", language="en")
    record(person=user("futu_clerk"))
    with CaptureQueriesContext(connection) as few:
        client.get("/supervision/accountability/")
    for _ in range(5):
        record(person=user("baisha_clerk"), department=Department.objects.get(code="MZ"))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/supervision/accountability/")
