"""The working-day calendar (ALL art. 82): arithmetic, the seed, the change hook and the API."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bianmin.core import workdays
from bianmin.core.errors import DomainError
from bianmin.core.models import AuditEvent, CalendarDay, CalendarYear
from bianmin.core.workdays import (
    CalendarGap,
    Deadline,
    add_workdays,
    is_workday,
    workdays_between,
)

# These tests assert the message ids; test_messages_are_simplified_chinese_by_default checks zh-Hans.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


ONE_DAY = datetime.timedelta(days=1)
UTC = datetime.UTC

# --- A naive day-by-day reference, built once from the seeded table --------------------------------

_reference: dict[date, tuple[bool, bool]] = {}


def reference() -> dict[date, tuple[bool, bool]]:
    """date -> (is_workday, is_provisional), as conftest's seed left the table."""
    if not _reference:
        _reference.update(
            (day, (workday, provisional))
            for day, workday, provisional in CalendarDay.objects.values_list("date", "is_workday", "is_provisional")
        )
    return _reference


def naive_add(start: date, days: int) -> Deadline:
    table = reference()
    day = start
    if days == 0:
        while not table[day][0]:
            day += ONE_DAY
        first_deciding_day = start
    else:
        counted = 0
        while counted < days:
            day += ONE_DAY
            counted += table[day][0]
        first_deciding_day = start + ONE_DAY
    provisional = any(table[first_deciding_day + ONE_DAY * n][1] for n in range((day - first_deciding_day).days + 1))
    return Deadline(day, provisional)


def naive_between(start: date, end: date) -> int:
    table = reference()
    low, high = sorted((start, end))
    count = sum(table[low + ONE_DAY * n][0] for n in range(1, (high - low).days + 1))
    return count if end >= start else -count


dates_2020_2026 = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))
hypothesis_settings = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@hypothesis_settings
@given(start=dates_2020_2026, days=st.integers(min_value=0, max_value=60))
def test_add_workdays_matches_counting_day_by_day(start, days):
    assert add_workdays(start, days) == naive_add(start, days)


@hypothesis_settings
@given(start=dates_2020_2026, end=dates_2020_2026)
def test_workdays_between_matches_counting_day_by_day(start, end):
    assert workdays_between(start, end) == naive_between(start, end)


@hypothesis_settings
@given(start=dates_2020_2026, days=st.integers(min_value=1, max_value=60))
def test_between_undoes_add(start, days):
    deadline = add_workdays(start, days)
    assert workdays_between(start, deadline.date) == days
    assert is_workday(deadline.date) is True


# --- Exact values ----------------------------------------------------------------------------------


def test_national_day_2026():
    # 10-01..10-07 off; Saturday 10-10 is a make-up working day; Sunday 10-11 is not.
    steps = [add_workdays(date(2026, 9, 30), n).date for n in range(1, 6)]
    assert steps == [
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 12),
        date(2026, 10, 13),
    ]
    assert add_workdays(date(2026, 9, 30), 5) == Deadline(date(2026, 10, 13), is_provisional=False)
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert workdays_between(date(2026, 10, 13), date(2026, 9, 30)) == -5


def test_national_day_2026_names_and_make_up_sunday():
    names = dict(
        CalendarDay.objects.filter(date__range=(date(2026, 9, 20), date(2026, 10, 11))).values_list("date", "name")
    )
    assert names[date(2026, 10, 1)] == "国庆节"
    assert names[date(2026, 9, 25)] == "中秋节"
    assert names[date(2026, 10, 10)] == "调休上班"
    assert names[date(2026, 9, 20)] == "调休上班"  # a Sunday made a working day
    assert is_workday(date(2026, 9, 20)) is True
    assert is_workday(date(2026, 10, 7)) is False
    assert is_workday(date(2026, 10, 11)) is False


def test_spring_festival_2026_with_its_make_up_saturdays():
    # 02-15..02-23 off; Saturdays 02-14 and 02-28 are make-up working days.
    assert [is_workday(date(2026, 2, d)) for d in (13, 14, 15, 21, 23, 24, 28)] == [
        True,
        True,
        False,
        False,
        False,
        True,
        True,
    ]
    assert add_workdays(date(2026, 2, 13), 1).date == date(2026, 2, 14)
    assert add_workdays(date(2026, 2, 14), 1).date == date(2026, 2, 24)
    assert add_workdays(date(2026, 2, 12), 5).date == date(2026, 2, 26)  # 13, 14, 24, 25, 26
    assert add_workdays(date(2026, 2, 26), 2).date == date(2026, 2, 28)  # 27, Saturday 28
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert CalendarDay.objects.get(date=date(2026, 2, 17)).name == "春节"
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).name == "调休上班"


def test_a_limit_starting_on_a_holiday_counts_from_the_next_working_day():
    assert add_workdays(date(2026, 10, 3), 1).date == date(2026, 10, 8)


def test_zero_days_is_the_start_when_a_working_day_else_the_next_working_day():
    assert add_workdays(date(2026, 9, 30), 0) == Deadline(date(2026, 9, 30), False)
    assert add_workdays(date(2026, 10, 1), 0) == Deadline(date(2026, 10, 8), False)
    assert add_workdays(date(2026, 10, 11), 0) == Deadline(date(2026, 10, 12), False)


def test_negative_days_are_refused():
    with pytest.raises(DomainError) as caught:
        add_workdays(date(2026, 9, 30), -1)
    assert caught.value.code == "invalid_workdays"


def test_aware_datetimes_count_by_their_beijing_date():
    # 2026-10-09 17:00 UTC is Saturday 2026-10-10 01:00 in Beijing: a make-up working day.
    moment = datetime.datetime(2026, 10, 9, 17, 0, tzinfo=UTC)
    assert workdays_between(moment, date(2026, 10, 12)) == 1
    assert workdays_between(date(2026, 10, 9), date(2026, 10, 12)) == 2
    assert add_workdays(moment, 1).date == date(2026, 10, 12)
    with pytest.raises(ValueError):
        workdays_between(datetime.datetime(2026, 10, 9, 17, 0), date(2026, 10, 12))


def test_add_workdays_takes_one_indexed_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_workdays(date(2026, 9, 30), 5)
    with django_assert_num_queries(1):
        add_workdays(date(2026, 10, 1), 0)
    with django_assert_num_queries(1):
        workdays_between(date(2026, 9, 30), date(2026, 10, 13))


def test_a_provisional_year_is_flagged():
    assert CalendarYear.objects.get(year=2028).status == CalendarYear.Status.PROVISIONAL
    assert CalendarYear.objects.get(year=2028).source == CalendarYear.Source.RULES
    # Friday 2028-09-29; Saturday 09-30; 10-01..10-03 are the fixed-date National Day holidays.
    assert add_workdays(date(2028, 9, 29), 1) == Deadline(date(2028, 10, 4), is_provisional=True)
    assert CalendarDay.objects.get(date=date(2028, 10, 2)).name == "国庆节"
    assert CalendarDay.objects.get(date=date(2028, 10, 2)).is_provisional is True


def test_a_limit_crossing_into_a_provisional_year_is_flagged():
    # Thursday 2026-12-31 is confirmed; 2027-01-01 (元旦) and the weekend are provisional.
    assert add_workdays(date(2026, 12, 30), 1) == Deadline(date(2026, 12, 31), is_provisional=False)
    assert add_workdays(date(2026, 12, 30), 2) == Deadline(date(2027, 1, 4), is_provisional=True)


def test_provisional_days_have_only_weekends_and_fixed_date_holidays():
    days = workdays.provisional_days(2028)
    assert len(days) == 366
    assert {day: rule.name for day, rule in days.items() if rule.name} == {
        date(2028, 1, 1): "元旦",
        date(2028, 5, 1): "劳动节",
        date(2028, 5, 2): "劳动节",
        date(2028, 10, 1): "国庆节",
        date(2028, 10, 2): "国庆节",
        date(2028, 10, 3): "国庆节",
    }
    assert days[date(2028, 2, 1)].is_workday is True  # a Tuesday: no lunar holidays in the rules
    assert days[date(2028, 2, 5)].is_workday is False  # a Saturday


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_workdays(date(2003, 12, 31), 1),
        lambda: workdays_between(date(2003, 12, 31), date(2026, 1, 5)),
        lambda: is_workday(date(2003, 12, 31)),
    ],
)
def test_a_date_before_the_table_is_a_calendar_gap(call: Callable[[], object]):
    with pytest.raises(CalendarGap) as caught:
        call()
    assert caught.value.code == "calendar_missing"
    assert str(caught.value.message) == (
        "The working-day calendar has no data for 2003-12-31. Ask an administrator to load that year."
    )


def test_a_result_after_the_table_is_a_calendar_gap():
    last = CalendarDay.objects.order_by("-date").values_list("date", flat=True).first()
    with pytest.raises(CalendarGap) as caught:
        add_workdays(last - datetime.timedelta(days=3), 30)
    assert caught.value.date == last + ONE_DAY
    with pytest.raises(CalendarGap):
        workdays_between(date(2026, 1, 5), last + ONE_DAY)


def test_provisional_years_needing_confirmation(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert workdays.provisional_years_needing_confirmation(today=date(2026, 11, 26)) == [2027]
    assert workdays.provisional_years_needing_confirmation(today=date(2025, 6, 1)) == []
    last_year = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
    # The last year is provisional and the year after it has no data at all: both need an administrator.
    assert workdays.provisional_years_needing_confirmation(today=date(last_year, 1, 1)) == [
        last_year,
        last_year + 1,
    ]


# --- The seed --------------------------------------------------------------------------------------


def test_seed_covers_package_years_then_provisional_years_contiguously():
    years = {row.year: row for row in CalendarYear.objects.all()}
    assert min(years) == 2004
    assert all(years[year].status == "confirmed" and years[year].source == "package" for year in range(2004, 2027))
    assert years[2027].status == "provisional" and years[2027].source == "rules"
    first, last = CalendarDay.objects.order_by("date").first(), CalendarDay.objects.order_by("-date").first()
    assert first.date == date(2004, 1, 1)
    assert last.date == date(max(years), 12, 31)
    assert CalendarDay.objects.count() == (last.date - first.date).days + 1
    assert (
        CalendarDay.objects.filter(is_provisional=True).count()
        == CalendarDay.objects.filter(date__year__gte=2027).count()
    )


def test_seed_ordinals_count_working_days_from_the_first_date():
    running = 0
    for day, workday, ordinal in CalendarDay.objects.order_by("date").values_list("date", "is_workday", "ordinal"):
        running += workday
        assert ordinal == running, day
    assert CalendarDay.objects.get(date=date(2004, 1, 1)).ordinal == 0  # New Year's Day


def test_seed_again_changes_nothing_and_is_quick(django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        counts = workdays.calendar_seed(today=date(2026, 11, 26))
    assert counts == {
        "package_years": 23,
        "provisional_years": 2,
        "kept_years": 0,
        "years_saved": 0,
        "days_created": 0,
        "days_changed": 0,
        "ordinals_changed": 0,
    }


def test_seed_extends_provisional_years_as_time_passes():
    last_year = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
    counts = workdays.calendar_seed(today=date(last_year + 1, 3, 1))
    assert counts["days_created"] == (date(last_year + 4, 1, 1) - date(last_year + 1, 1, 1)).days
    assert counts["days_changed"] == 0
    assert counts["ordinals_changed"] == 0
    assert CalendarYear.objects.get(year=last_year + 3).status == "provisional"
    assert add_workdays(date(last_year, 12, 29), 5).is_provisional is True


def test_seed_repairs_a_changed_package_day_and_reports_its_year(django_capture_on_commit_callbacks):
    calls = []
    handler = workdays.register_calendar_change_handler(calls.append)
    try:
        CalendarDay.objects.filter(date=date(2026, 10, 10)).update(is_workday=False, name="")
        with django_capture_on_commit_callbacks(execute=True):
            counts = workdays.calendar_seed(today=date(2026, 11, 26))
    finally:
        workdays.unregister_calendar_change_handler(handler)
    assert counts["days_changed"] == 1
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).name == "调休上班"
    assert add_workdays(date(2026, 9, 30), 5).date == date(2026, 10, 13)
    assert calls == [[2026]]
    event = AuditEvent.objects.get(action="calendar.seed")
    assert event.actor is None
    assert event.payload["years"] == [2026]


def test_seed_from_an_empty_table_builds_the_same_calendar():
    before = list(CalendarDay.objects.order_by("date").values_list("date", "is_workday", "name", "ordinal"))
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    counts = workdays.calendar_seed(today=date(2026, 11, 26))
    assert counts["days_created"] == len(before)
    assert list(CalendarDay.objects.order_by("date").values_list("date", "is_workday", "name", "ordinal")) == before


def test_seed_keeps_years_an_administrator_imported_or_edited():
    workdays.calendar_import(year=2027, rows=[(date(2027, 2, 8), False, "春节")], actor=None)
    workdays.calendar_day_update(
        day=CalendarDay.objects.get(date=date(2026, 12, 31)), is_workday=False, name="测试", actor=None
    )
    counts = workdays.calendar_seed(today=date(2026, 11, 26))
    assert counts["kept_years"] == 2
    assert counts["days_changed"] == 0
    assert CalendarYear.objects.get(year=2027).source == "import"
    assert is_workday(date(2027, 2, 8)) is False
    assert is_workday(date(2026, 12, 31)) is False


# --- The change hook -------------------------------------------------------------------------------


def test_a_registered_handler_is_called_once_with_the_years_after_commit(django_capture_on_commit_callbacks):
    calls: list[list[int]] = []
    handler = workdays.register_calendar_change_handler(calls.append)
    workdays.register_calendar_change_handler(handler)  # registering twice changes nothing
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            workdays.calendar_year_confirm(year=2028, actor=None)
        assert calls == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        workdays.unregister_calendar_change_handler(handler)
    assert calls == [[2028]]


def test_a_failing_handler_does_not_stop_the_others(django_capture_on_commit_callbacks):
    calls: list[list[int]] = []

    def failing(years: list[int]) -> None:
        raise RuntimeError("boom")

    workdays.register_calendar_change_handler(failing)
    workdays.register_calendar_change_handler(calls.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            workdays.calendar_year_confirm(year=2028, actor=None)
    finally:
        workdays.unregister_calendar_change_handler(failing)
        workdays.unregister_calendar_change_handler(calls.append)
    assert calls == [[2028]]


# --- The API ---------------------------------------------------------------------------------------


def test_api_add(admin_client):
    response = admin_client.get("/api/v1/calendar/add", {"start": "2026-09-30", "days": 5})
    assert response.status_code == 200
    assert response.json() == {"date": "2026-10-13", "is_provisional": False}
    response = admin_client.get("/api/v1/calendar/add", {"start": "2028-09-29", "days": 1})
    assert response.json() == {"date": "2028-10-04", "is_provisional": True}


def test_api_between(admin_client):
    response = admin_client.get("/api/v1/calendar/between", {"start": "2026-09-30", "end": "2026-10-13"})
    assert response.status_code == 200
    assert response.json() == {"workdays": 5, "is_provisional": False, "provisional_years": []}


def test_api_between_across_provisional_years_says_so(admin_client):
    """Across 2027 (provisional in the seeded calendar) the count carries the flag, as the CLI warns."""
    response = admin_client.get("/api/v1/calendar/between", {"start": "2026-12-31", "end": "2028-01-03"})
    assert response.status_code == 200
    body = response.json()
    assert body["is_provisional"] is True
    assert body["provisional_years"] == [2027, 2028]
    backwards = admin_client.get("/api/v1/calendar/between", {"start": "2028-01-03", "end": "2026-12-31"}).json()
    assert backwards == {**body, "workdays": -body["workdays"]}


def test_api_years(admin_client):
    response = admin_client.get("/api/v1/calendar/years")
    assert response.status_code == 200
    years = response.json()
    assert years[0] == {"year": 2004, "status": "confirmed", "source": "package"}
    assert {"year": 2027, "status": "provisional", "source": "rules"} in years


def test_api_outside_the_table_is_a_domain_error(admin_client):
    response = admin_client.get("/api/v1/calendar/add", {"start": "2003-12-31", "days": 1})
    assert response.status_code == 400
    assert response.json()["code"] == "calendar_missing"


def test_api_refuses_negative_days(admin_client):
    response = admin_client.get("/api/v1/calendar/add", {"start": "2026-09-30", "days": -1})
    assert response.status_code == 422


def test_api_needs_a_login(client):
    response = client.get("/api/v1/calendar/add", {"start": "2026-09-30", "days": 5})
    assert response.status_code == 401
