"""The duty roster over the API: the sites kept, a week read, a slot set, a swap approved, a shift removed, the week
before copied; through the same services, with the pages' permission (a clerk is forbidden, another town not found).

Dates: 2026-10-12 is a Monday (the week after 国庆); 2026-10-05 the Monday before.
"""

from __future__ import annotations

import datetime
import json

import pytest

from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, logged_in, role_holder
from bianmin.duty import services
from bianmin.duty.models import DutyShift
from bianmin.org.models import Role, Site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
MONDAY = datetime.date(2026, 10, 12)


@pytest.fixture
def baisha(county):
    return Site.objects.get(code="BS")


@pytest.fixture
def town_admin(county):
    return role_holder("bs_admin", Role.CENTRE_ADMIN, site="BS", full_name="赵管理", is_staff=True)


def post(client, path: str, body: dict | None = None):
    return client.post(f"/api/v1/duty/sites/{path}", json.dumps(body or {}), content_type="application/json")


def test_the_town_administrator_keeps_the_roster_over_the_api(baisha, town_admin, time_machine, county):
    time_machine.move_to(at(2026, 10, 14), tick=False)
    admin = logged_in("bs_admin")
    sites = admin.get("/api/v1/duty/sites").json()
    assert [site["code"] for site in sites] == list(
        Site.objects.filter(path__startswith=baisha.path).order_by("path").values_list("code", flat=True)
    )
    assert sites[0] == {"id": baisha.pk, "code": "BS", "name": baisha.name}

    week = admin.get(f"/api/v1/duty/sites/{baisha.pk}/week").json()
    assert (week["week_start"], week["shifts"], week["swaps"], week["site"]["code"]) == ("2026-10-12", [], [], "BS")
    # The town's administrator and the county's (above it), by name
    assert [approver["name"] for approver in week["approvers"]] == ["刘建国", "赵管理"]
    assert week["approvers"][1]["id"] == town_admin.pk

    set_ = post(
        admin,
        f"{baisha.pk}/shifts",
        {"date": "2026-10-13", "period": "morning", "cadre_name": "李值班", "phone": "13911112222", "title": "副镇长"},
    )
    assert set_.status_code == 200
    shift = DutyShift.objects.get()
    assert set_.json()["shifts"] == [
        {
            "id": shift.pk,
            "date": "2026-10-13",
            "period": "morning",
            "cadre_name": "李值班",
            "title": "副镇长",
            "phone": "13911112222",
            "note": "",
        }
    ]

    # A whole day on a date with a morning shift is refused, and a bad phone too; nothing is written
    events = AuditEvent.objects.count()
    clash = post(
        admin,
        f"{baisha.pk}/shifts",
        {"date": "2026-10-13", "period": "day", "cadre_name": "王", "phone": "13911113333"},
    )
    assert (clash.status_code, clash.json()["code"]) == (400, "duty_slot_taken")
    phone = post(admin, f"{baisha.pk}/shifts", {"date": "2026-10-14", "cadre_name": "王", "phone": "12-3"})
    assert (phone.status_code, phone.json()["code"]) == (400, "duty_invalid")
    assert (AuditEvent.objects.count(), DutyShift.objects.count()) == (events, 1)

    swap = post(
        admin,
        f"{baisha.pk}/shifts/{shift.pk}/swap",
        {"cadre_name": "王替班", "phone": "13911114444", "approved_by_id": town_admin.pk, "reason": "出差"},
    )
    assert swap.status_code == 200
    body = swap.json()
    assert (body["shifts"][0]["cadre_name"], body["swaps"][0]["previous_name"], body["swaps"][0]["new_name"]) == (
        "王替班",
        "李值班",
        "王替班",
    )
    assert (body["swaps"][0]["approved_by_id"], body["swaps"][0]["reason"]) == (town_admin.pk, "出差")
    stranger = role_holder("ft_admin", Role.CENTRE_ADMIN, site="FT")
    wrong = post(
        admin,
        f"{baisha.pk}/shifts/{shift.pk}/swap",
        {"cadre_name": "周", "phone": "13911115555", "approved_by_id": stranger.pk, "reason": "病假"},
    )
    assert (wrong.status_code, wrong.json()["code"]) == (400, "duty_swap_approver")

    copied = post(admin, f"{baisha.pk}/copy", {"week": "2026-10-21"})
    assert (copied.status_code, copied.json()["copied"], copied.json()["week_start"]) == (200, 1, "2026-10-19")
    assert [(s["date"], s["cadre_name"]) for s in copied.json()["shifts"]] == [("2026-10-20", "王替班")]

    removed = post(admin, f"{baisha.pk}/shifts/{shift.pk}/remove")
    assert (removed.status_code, removed.json()["shifts"]) == (200, [])
    assert list(DutyShift.objects.values_list("date", flat=True)) == [datetime.date(2026, 10, 20)]
    assert post(admin, f"{baisha.pk}/shifts/{shift.pk}/remove").status_code == 404


def test_who_may_not_keep_the_roster(baisha, town_admin, county, django_assert_num_queries):
    shift = services.shift_save(
        actor=town_admin, site=baisha, date=MONDAY, period="day", cadre_name="李值班", phone="13911112222"
    )
    # A clerk of the town: forbidden; another town's administrator: not found
    clerk = logged_in("baisha_clerk")
    assert clerk.get("/api/v1/duty/sites").status_code == 403
    assert clerk.get(f"/api/v1/duty/sites/{baisha.pk}/week").status_code == 403
    refused = post(clerk, f"{baisha.pk}/shifts/{shift.pk}/remove")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    role_holder("ft_admin", Role.CENTRE_ADMIN, site="FT")
    assert logged_in("ft_admin").get(f"/api/v1/duty/sites/{baisha.pk}/week").status_code == 404
    assert DutyShift.objects.count() == 1

    admin = logged_in("bs_admin")
    admin.get(f"/api/v1/duty/sites/{baisha.pk}/week?week=2026-10-14")
    # session, user, roles, the site, its administration, the shifts, the swaps, the approvers
    with django_assert_num_queries(8):
        week = admin.get(f"/api/v1/duty/sites/{baisha.pk}/week?week=2026-10-14").json()
    assert [(s["date"], s["period"]) for s in week["shifts"]] == [("2026-10-12", "day")]

    # The ends of the calendar are refused by the roster's rule, never a date overflow
    far = admin.get(f"/api/v1/duty/sites/{baisha.pk}/week?week=9999-12-31")
    assert (far.status_code, far.json()["code"]) == (400, "duty_date_out_of_range")
    late = post(admin, f"{baisha.pk}/copy", {"week": "0001-01-01"})
    assert (late.status_code, late.json()["code"]) == (400, "duty_date_out_of_range")
    assert DutyShift.objects.count() == 1
