"""The duty roster: set, copy and swap shifts through the services and the week view; who may; what is recorded.

Dates: 2026-10-12 is a Monday (the week after 国庆); 2026-10-05 the Monday before.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, logged_in, role_holder, user
from bianmin.duty import services
from bianmin.duty.models import DutyShift, DutySwap
from bianmin.duty.selectors import duty_on, shifts_of_week
from bianmin.org.models import Role, Site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = datetime.date
MONDAY = D(2026, 10, 12)


@pytest.fixture
def baisha(county):
    return Site.objects.get(code="BS")


@pytest.fixture
def town_admin(county):
    return role_holder("bs_admin", Role.CENTRE_ADMIN, site="BS", full_name="赵管理", is_staff=True)


def slots(site) -> list[tuple]:
    return list(
        DutyShift.objects.filter(site=site).order_by("date", "period").values_list("date", "period", "cadre_name")
    )


def test_the_town_administrator_sets_a_shift_and_it_is_audited(baisha, town_admin):
    shift = services.shift_save(
        actor=town_admin, site=baisha, date=MONDAY, period="morning", cadre_name="李值班", phone="13911112222"
    )
    assert slots(baisha) == [(MONDAY, "morning", "李值班")]
    event = AuditEvent.objects.get(action="duty.shift_set")
    assert (event.actor_id, event.object_id, event.payload["cadre"]) == (town_admin.pk, str(shift.pk), "李值班")

    # Setting the same slot again replaces the cadre.
    services.shift_save(
        actor=town_admin, site=baisha, date=MONDAY, period="morning", cadre_name="王值班", phone="13911113333"
    )
    assert slots(baisha) == [(MONDAY, "morning", "王值班")]


def test_a_clerk_and_another_towns_administrator_may_not_change_the_roster(baisha, county):
    role_holder("ft_admin", Role.CENTRE_ADMIN, site="FT")
    for actor in (user("baisha_clerk"), user("ft_admin")):
        with pytest.raises(PermissionDenied):
            services.shift_save(
                actor=actor, site=baisha, date=MONDAY, period="day", cadre_name="李值班", phone="13911112222"
            )
    assert slots(baisha) == []
    assert not AuditEvent.objects.filter(action__startswith="duty.").exists()


def test_bad_input_is_refused_with_a_message_and_nothing_saved(baisha, town_admin):
    with pytest.raises(ValidationError) as refused:
        services.shift_save(actor=town_admin, site=baisha, date=MONDAY, period="day", cadre_name=" ", phone="12")
    assert refused.value.message_dict == {
        "cadre_name": ["This field cannot be blank."],
        "phone": ["Enter a phone number of at least 7 digits (digits, spaces, + and - only)."],
    }
    services.shift_save(actor=town_admin, site=baisha, date=MONDAY, period="day", cadre_name="李", phone="13911112222")
    with pytest.raises(DomainError) as clash:
        services.shift_save(
            actor=town_admin, site=baisha, date=MONDAY, period="morning", cadre_name="王", phone="13911113333"
        )
    assert clash.value.code == "duty_slot_taken"
    assert slots(baisha) == [(MONDAY, "day", "李")]


def test_copy_last_week_fills_the_empty_slots_only(baisha, town_admin):
    last = MONDAY - datetime.timedelta(days=7)
    for offset, period, name in ((0, "day", "甲"), (1, "morning", "乙"), (1, "afternoon", "丙"), (2, "day", "丁")):
        services.shift_save(
            actor=town_admin,
            site=baisha,
            date=last + datetime.timedelta(days=offset),
            period=period,
            cadre_name=name,
            phone="13911112222",
        )
    # This week's Tuesday morning is already set, and Wednesday has an afternoon: both stay.
    tuesday, wednesday = MONDAY + datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=2)
    services.shift_save(actor=town_admin, site=baisha, date=tuesday, period="morning", cadre_name="戊", phone="1391111")
    services.shift_save(
        actor=town_admin, site=baisha, date=wednesday, period="afternoon", cadre_name="己", phone="1391111"
    )

    copied = services.shift_copy_week(actor=town_admin, site=baisha, week_start=MONDAY)

    assert copied == 2
    this_week = [(s.date, s.period, s.cadre_name) for s in shifts_of_week(baisha.pk, MONDAY)]
    assert this_week == [
        (MONDAY, "day", "甲"),
        (tuesday, "morning", "戊"),
        (tuesday, "afternoon", "丙"),
        (wednesday, "afternoon", "己"),
    ]
    assert AuditEvent.objects.get(action="duty.week_copy").payload == {"week": "2026-10-12", "copied": 2}


def test_a_swap_is_recorded_with_its_approver(baisha, town_admin):
    shift = services.shift_save(
        actor=town_admin, site=baisha, date=MONDAY, period="day", cadre_name="李值班", phone="13911112222"
    )
    swap = services.shift_swap(
        actor=town_admin,
        shift=shift,
        cadre_name="王替班",
        phone="13933334444",
        approved_by=town_admin,
        reason="出差",
    )
    shift.refresh_from_db()
    assert (shift.cadre_name, shift.phone) == ("王替班", "13933334444")
    assert (swap.previous_name, swap.previous_phone, swap.new_name, swap.approved_by, swap.reason) == (
        "李值班",
        "13911112222",
        "王替班",
        town_admin,
        "出差",
    )
    assert AuditEvent.objects.get(action="duty.shift_swap").payload["approved_by"] == town_admin.pk


def test_a_clerk_cannot_approve_a_swap(baisha, town_admin):
    shift = services.shift_save(
        actor=town_admin, site=baisha, date=MONDAY, period="day", cadre_name="李值班", phone="13911112222"
    )
    with pytest.raises(DomainError) as refused:
        services.shift_swap(
            actor=town_admin,
            shift=shift,
            cadre_name="王",
            phone="13933334444",
            approved_by=user("baisha_clerk"),
            reason="出差",
        )
    assert refused.value.code == "duty_swap_approver"
    shift.refresh_from_db()
    assert shift.cadre_name == "李值班"
    assert not DutySwap.objects.exists()


def test_the_week_view_shows_the_shifts_and_saves_through_the_service(baisha, town_admin, django_assert_num_queries):
    client = logged_in("bs_admin", language="en")
    response = client.post(
        f"/workbench/duty/{baisha.pk}/shifts/",
        {"date": "2026-10-13", "period": "morning", "cadre_name": "李值班", "title": "副镇长", "phone": "13911112222"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/workbench/duty/{baisha.pk}/?week=2026-10-12"
    assert slots(baisha) == [(D(2026, 10, 13), "morning", "李值班")]

    for day in (14, 15, 16):
        services.shift_save(
            actor=None, site=baisha, date=D(2026, 10, day), period="day", cadre_name=f"值班{day}", phone="1391111"
        )
    with django_assert_num_queries(11):  # the same with 2 shifts or 20
        page = client.get(f"/workbench/duty/{baisha.pk}/?week=2026-10-14")
    body = page.content.decode()
    # Each of the 4 shifts has its swap form, offering the town's and the county's centre administrators.
    assert body.count(f'<option value="{town_admin.pk}">赵管理</option>') == 4
    assert body.count(f'<option value="{user("centre_admin").pk}">刘建国</option>') == 4
    assert "The week starting Monday 2026-10-12." in body
    assert "李值班 (副镇长) · 13911112222" in body


def test_another_towns_roster_is_not_found_and_a_clerk_is_forbidden(baisha, county):
    role_holder("ft_admin", Role.CENTRE_ADMIN, site="FT", is_staff=True)
    assert logged_in("ft_admin").get(f"/workbench/duty/{baisha.pk}/").status_code == 404
    assert logged_in("baisha_clerk").get(f"/workbench/duty/{baisha.pk}/").status_code == 403


def test_duty_on_reads_several_sites_in_one_query(baisha, town_admin, django_assert_num_queries):
    futu = Site.objects.get(code="FT")
    services.shift_save(actor=None, site=baisha, date=MONDAY, period="afternoon", cadre_name="乙", phone="1391111")
    services.shift_save(actor=None, site=baisha, date=MONDAY, period="morning", cadre_name="甲", phone="1391111")
    services.shift_save(actor=None, site=futu, date=MONDAY, period="day", cadre_name="丙", phone="1391111")
    with django_assert_num_queries(1):
        found = duty_on([baisha.pk, futu.pk], MONDAY)
    assert {site: [s.cadre_name for s in shifts] for site, shifts in found.items()} == {
        baisha.pk: ["甲", "乙"],
        futu.pk: ["丙"],
    }


def test_a_swap_and_a_week_copy_through_the_page(baisha, town_admin):
    shift = services.shift_save(
        actor=None, site=baisha, date=D(2026, 10, 5), period="day", cadre_name="李", phone="1391111"
    )
    client = logged_in("bs_admin", language="en")
    response = client.post(
        f"/workbench/duty/{baisha.pk}/shifts/{shift.pk}/swap/",
        {"cadre_name": "王", "phone": "13933334444", "approved_by": user("centre_admin").pk, "reason": "出差"},
    )
    assert response["Location"] == f"/workbench/duty/{baisha.pk}/?week=2026-10-05"
    swap = DutySwap.objects.get()
    assert (swap.previous_name, swap.new_name, swap.approved_by.username, swap.recorded_by) == (
        "李",
        "王",
        "centre_admin",
        town_admin,
    )
    # A clerk is no approver: not even offered, and refused when posted.
    refused = client.post(
        f"/workbench/duty/{baisha.pk}/shifts/{shift.pk}/swap/",
        {"cadre_name": "赵", "phone": "13933334444", "approved_by": user("baisha_clerk").pk, "reason": "出差"},
        follow=True,
    )
    assert "Select a valid choice." in refused.content.decode()
    assert DutySwap.objects.count() == 1

    client.post(f"/workbench/duty/{baisha.pk}/copy/", {"week": "2026-10-12"})
    assert slots(baisha) == [(MONDAY - datetime.timedelta(days=7), "day", "王"), (MONDAY, "day", "王")]


def test_todays_duty_shows_on_the_workbench(baisha, town_admin):
    services.shift_save(
        actor=None, site=baisha, date=MONDAY, period="morning", cadre_name="李值班", title="副镇长", phone="13911112222"
    )
    with time_machine.travel(at(2026, 10, 12, 9), tick=False):
        clerk_page = logged_in("baisha_clerk", language="en").get("/workbench/").content.decode()
        admin_page = logged_in("bs_admin", language="en").get("/workbench/").content.decode()
        tomorrow = logged_in("baisha_clerk", language="en")
    assert 'Morning: 李值班 (副镇长) · <a href="tel:13911112222">13911112222</a>' in clerk_page
    assert f'href="/workbench/duty/{baisha.pk}/"' not in clerk_page  # the clerk does not keep the roster
    assert f'href="/workbench/duty/{baisha.pk}/"' in admin_page
    with time_machine.travel(at(2026, 10, 13, 9), tick=False):
        assert "Nobody is on the roster today." in tomorrow.get("/workbench/").content.decode()
