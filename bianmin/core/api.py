"""The working-day calendar over the API (ALL art. 82): thin wrappers around bianmin.core.workdays."""

from __future__ import annotations

import datetime

from ninja import Field, Query, Router, Schema

from bianmin.core import workdays
from bianmin.core.api_contract import responses
from bianmin.core.models import CalendarYear

router = Router(tags=["calendar"])

MAX_DAYS = 10_000  # decades of working days: far past any time limit, far below an overflow


class DeadlineOut(Schema):
    date: datetime.date
    is_provisional: bool


class WorkdaysOut(Schema):
    workdays: int
    is_provisional: bool = Field(description="Some day counted lies in a provisional (unconfirmed) calendar year.")
    provisional_years: list[int] = Field(description="The provisional years among the days counted.")


class CalendarYearOut(Schema):
    year: int
    status: str
    source: str


@router.get("/add", response=responses(DeadlineOut, refusal=True), summary="Add working days to a date")
def calendar_add(request, start: datetime.date, days: int = Query(..., ge=0, le=MAX_DAYS)):
    """The date `days` working days after `start` (not counted); `is_provisional` when it rests on an
    unconfirmed year. A date the calendar has no data for is 400 ``calendar_missing``."""
    deadline = workdays.add_workdays(start, days)
    return {"date": deadline.date, "is_provisional": deadline.is_provisional}


@router.get("/between", response=responses(WorkdaysOut, refusal=True), summary="Count working days between two dates")
def calendar_between(request, start: datetime.date, end: datetime.date):
    """Working days after `start` up to and including `end`; negative when `end` is earlier. As the CLI warns,
    `is_provisional` says the count rests on a provisional year (`provisional_years` names them), so it may
    change when the State Council notice is imported."""
    count = workdays.workdays_between(start, end)
    years = workdays.provisional_years_in(start, end)
    return {"workdays": count, "is_provisional": bool(years), "provisional_years": years}


@router.get(
    "/years",
    response=responses(list[CalendarYearOut], has_input=False),
    summary="The calendar's years and their status",
)
def calendar_years(request):
    """One row per year (1900 to 2100 at most), so the list needs no pages."""
    return list(CalendarYear.objects.order_by("year").values("year", "status", "source"))
