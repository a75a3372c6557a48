"""The calendar inside SQL: one statement annotates many rows, and agrees with the Python arithmetic."""

import datetime

import pytest

from bianmin.core.models import AuditEvent
from bianmin.core.workdays import (
    add_workdays,
    add_workdays_expression,
    workday_ordinal_expression,
    workdays_between,
    workdays_between_expression,
)
from bianmin.org.models import Delegation

pytestmark = pytest.mark.django_db

PERIODS = [
    (datetime.date(2026, 9, 30), datetime.date(2026, 10, 13)),  # National Day with a make-up Saturday
    (datetime.date(2026, 2, 13), datetime.date(2026, 3, 2)),  # Spring Festival
    (datetime.date(2026, 4, 30), datetime.date(2026, 5, 8)),  # Labour Day
    (datetime.date(2025, 12, 31), datetime.date(2026, 1, 5)),  # New Year
]


@pytest.fixture
def delegations(county_organisation):
    template = Delegation.objects.first()
    Delegation.objects.all().delete()
    for start, end in PERIODS:
        Delegation.objects.create(
            assignment=template.assignment,
            decisions=["accept"],
            valid_from=start,
            valid_to=end,
            granted_by=template.granted_by,
        )


@pytest.mark.usefixtures("delegations")
def test_one_query_annotates_every_row_like_the_python_functions(django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(
            Delegation.objects.annotate(
                used=workdays_between_expression("valid_from", "valid_to"),
                due=add_workdays_expression("valid_from", 5),
            )
            .order_by("valid_from")
            .values_list("valid_from", "valid_to", "used", "due")
        )

    assert [(start, used, due) for start, _end, used, due in rows] == [
        (datetime.date(2025, 12, 31), 2, datetime.date(2026, 1, 8)),
        (datetime.date(2026, 2, 13), 7, datetime.date(2026, 2, 27)),
        (datetime.date(2026, 4, 30), 3, datetime.date(2026, 5, 11)),
        (datetime.date(2026, 9, 30), 5, datetime.date(2026, 10, 13)),
    ]
    for start, end, used, due in rows:
        assert used == workdays_between(start, end)
        assert due == add_workdays(start, 5).date


@pytest.mark.usefixtures("delegations")
def test_filtering_on_a_deadline_in_sql():
    overdue_on = datetime.date(2026, 10, 12)

    starts = Delegation.objects.annotate(due=add_workdays_expression("valid_from", 5)).filter(due__lt=overdue_on)

    assert sorted(starts.values_list("valid_from", flat=True)) == [
        datetime.date(2025, 12, 31),
        datetime.date(2026, 2, 13),
        datetime.date(2026, 4, 30),
    ]


def test_a_datetime_counts_by_its_beijing_date():
    from django.db import transaction

    from bianmin.core.audit import audit_record

    # 2026-09-30 17:00 UTC is already 1 October in Beijing, a holiday.
    with transaction.atomic():
        audit_record(
            actor=None,
            action="test.event",
            object_type="test",
            object_id="1",
            occurred_at=datetime.datetime(2026, 9, 30, 17, 0, tzinfo=datetime.UTC),
        )

    row = AuditEvent.objects.annotate(
        ordinal=workday_ordinal_expression("occurred_at", is_datetime=True),
        due=add_workdays_expression("occurred_at", 1, is_datetime=True),
    ).get()

    assert row.due == datetime.date(2026, 10, 8)
    assert row.ordinal == workday_ordinal_for(datetime.date(2026, 10, 1))


def workday_ordinal_for(day):
    from bianmin.core.models import CalendarDay

    return CalendarDay.objects.get(date=day).ordinal
