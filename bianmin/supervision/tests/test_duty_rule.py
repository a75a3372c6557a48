"""The rule "town hall without a cadre on duty": one alert per town hall and working day without a shift, to the
town's centre administrator; none on a holiday; it closes itself when a shift is set for that day.

The seeded 2026 calendar: 10-01..02 and 10-05..07 are 国庆 (10-03, 10-04 a weekend), 10-10 (Sat) a make-up working
day, 10-12 a Monday.
"""

from __future__ import annotations

import datetime

import pytest

from bianmin.core.testing import at, logged_in, role_holder
from bianmin.duty import services as duty
from bianmin.org.models import Role, Site
from bianmin.supervision.models import Alert, InboxMessage
from bianmin.supervision.sweep import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = datetime.date


def duty_alerts() -> list[tuple]:
    return list(
        Alert.objects.filter(rule="duty_missing")
        .order_by("pk")
        .values_list("key", "state", "site__code", "responsible_role", "due")
    )


@pytest.fixture
def towns(county) -> dict[str, Site]:
    return {site.code: site for site in Site.objects.filter(level="town", is_active=True).order_by("path")}


def test_a_town_hall_without_duty_on_a_working_day_raises_one_alert(towns):
    admin = role_holder("bs_admin", Role.CENTRE_ADMIN, site="BS", is_staff=True)
    for code in towns:
        if code != "BS":
            duty.shift_save(
                actor=None, site=towns[code], date=D(2026, 10, 12), period="day", cadre_name="甲", phone="1391111"
            )

    sweep(now=at(2026, 10, 12))
    sweep(now=at(2026, 10, 12, 11))  # the same cause is not raised twice

    bs = towns["BS"]
    assert duty_alerts() == [(f"{bs.pk}:2026-10-12", "open", "BS", "centre_admin", D(2026, 10, 12))]
    alert = Alert.objects.get(rule="duty_missing")
    assert (alert.level, alert.is_anomaly, alert.case_id, alert.department_id) == ("warning", False, None, None)
    # The town's centre administrator is told, and sees the alert; nobody at the county is told of it.
    assert list(InboxMessage.objects.filter(alert=alert).values_list("recipient__username", flat=True)) == ["bs_admin"]
    assert logged_in("bs_admin").get(f"/supervision/alerts/{alert.pk}/").status_code == 200
    # Another town's administrator does not see it; the county's supervisor does.
    role_holder("ft_admin", Role.CENTRE_ADMIN, site="FT", is_staff=True)
    assert logged_in("ft_admin").get(f"/supervision/alerts/{alert.pk}/").status_code == 404
    assert logged_in("supervisor").get(f"/supervision/alerts/{alert.pk}/").status_code == 200
    assert admin.pk


def test_no_alert_on_a_holiday_and_one_on_a_make_up_working_day(towns):
    sweep(now=at(2026, 10, 3))  # Saturday in the National Day holiday
    sweep(now=at(2026, 10, 6))  # a holiday on a Tuesday
    assert duty_alerts() == []

    sweep(now=at(2026, 10, 10))  # Saturday, a make-up working day
    assert sorted(key for key, *_ in duty_alerts()) == sorted(f"{site.pk}:2026-10-10" for site in towns.values())


def test_the_alert_closes_itself_when_a_shift_is_set(towns):
    sweep(now=at(2026, 10, 12))
    bs = towns["BS"]
    duty.shift_save(actor=None, site=bs, date=D(2026, 10, 12), period="morning", cadre_name="甲", phone="1391111")

    sweep(now=at(2026, 10, 12, 15))

    closed = Alert.objects.get(rule="duty_missing", site=bs)
    assert (closed.state, closed.close_reason) == ("closed", "cleared")
    still_open = Alert.objects.filter(rule="duty_missing", state="open").values_list("site__code", flat=True)
    assert sorted(still_open) == sorted(code for code in towns if code != "BS")

    # The next working day without a shift is a new cause.
    sweep(now=at(2026, 10, 13))
    assert Alert.objects.filter(rule="duty_missing", site=bs, state="open").values_list("key", flat=True).get() == (
        f"{bs.pk}:2026-10-13"
    )
