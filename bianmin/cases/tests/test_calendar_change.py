"""A calendar change moves the open cases' time limits (ALL art. 82: limits are counted in working days): the
promised and statutory deadlines and the open review steps of accepted cases (a suspension's working days kept),
and the 5-working-day acceptance window of received ones (art. 32), from receipt or from the day the supplement
came; the deemed acceptance follows the moved window.

Demo county calendar: October 2026 after the National Day holiday (10-01 … 10-08) has working days Monday to
Friday, and the make-up Saturday 10-10.
"""

from __future__ import annotations

import datetime

import pytest

from bianmin.cases import services
from bianmin.cases.models import Case, ReviewTask, Status
from bianmin.cases.services.intake import MaterialCheck
from bianmin.core.audit import audit_events_for
from bianmin.core.models import CalendarDay
from bianmin.core.testing import accepted, at, received, user
from bianmin.core.workdays.changes import calendar_day_update

pytestmark = pytest.mark.django_db

D = datetime.date


def holiday(day: datetime.date, capture) -> None:
    """An administrator makes ``day`` a holiday; the recomputation runs after the commit."""
    with capture(execute=True):
        calendar_day_update(day=CalendarDay.objects.get(date=day), is_workday=False, name="调休", actor=None)


def recomputed(case: Case) -> list[dict]:
    return [event.payload for event in audit_events_for(case).filter(action="case.recompute_deadlines")]


def test_a_received_cases_acceptance_window_moves_and_the_deemed_acceptance_with_it(
    county, django_capture_on_commit_callbacks
):
    case = received(now=at(2026, 10, 12))
    # Five working days after Monday 10-12: 13, 14, 15, 16, 19.
    assert case.acceptance_due == D(2026, 10, 19)

    holiday(D(2026, 10, 14), django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert case.acceptance_due == D(2026, 10, 20)
    assert recomputed(case) == [
        {"status": "received", "years": [2026], "acceptance_due": "2026-10-20"},
    ]
    assert services.cases_deem_accepted(today=D(2026, 10, 20), now=at(2026, 10, 20, 1)) == 0
    assert services.cases_deem_accepted(today=D(2026, 10, 21), now=at(2026, 10, 21, 1)) == 1
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_after_a_supplement_the_window_counts_from_the_day_it_came(county, django_capture_on_commit_callbacks):
    clerk = user("county_clerk")
    case = received(now=at(2026, 10, 12))
    services.case_request_supplement(actor=clerk, case=case, problems=[("营业执照", "缺失")], now=at(2026, 10, 13))
    services.case_receive_supplement(
        actor=clerk, case=case, materials=[MaterialCheck(name="营业执照", original_seen=True)], now=at(2026, 10, 15)
    )
    case.refresh_from_db()
    # From Thursday 10-15: 16, 19, 20, 21, 22.
    assert (case.status, case.acceptance_due) == (Status.RECEIVED, D(2026, 10, 22))

    holiday(D(2026, 10, 20), django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert case.acceptance_due == D(2026, 10, 23)


def test_an_accepted_cases_deadlines_move_and_a_case_before_the_change_keeps_its_own(
    county, django_capture_on_commit_callbacks
):
    late = accepted(now=at(2026, 10, 12))
    early = accepted(now=at(2026, 9, 28))
    # SJ-0004 promises 5 working days: from 10-12 to 10-19; from 09-28 to the make-up Saturday 10-10.
    assert (late.promised_due, early.promised_due) == (D(2026, 10, 19), D(2026, 10, 10))
    # Its statutory 10 working days end on Friday 10-16, past the new holiday: a working day later now.
    assert early.statutory_due == D(2026, 10, 16)

    holiday(D(2026, 10, 14), django_capture_on_commit_callbacks)

    late.refresh_from_db()
    early.refresh_from_db()
    assert late.promised_due == D(2026, 10, 20)
    assert recomputed(late)[0]["promised_due"] == "2026-10-20"
    assert early.promised_due == D(2026, 10, 10)
    assert early.statutory_due == D(2026, 10, 19)


def open_step(case: Case) -> ReviewTask:
    return case.tasks.get(state=ReviewTask.State.OPEN)


def test_an_open_review_step_is_due_its_limit_in_working_days_as_the_calendar_now_counts_them(
    county, django_capture_on_commit_callbacks
):
    case = accepted(now=at(2026, 10, 12))
    step = open_step(case)
    assert (step.opened_on, step.limit_days, step.due) == (D(2026, 10, 12), 1, D(2026, 10, 13))

    holiday(D(2026, 10, 13), django_capture_on_commit_callbacks)

    assert open_step(case).due == D(2026, 10, 14)
    assert recomputed(case)[0]["steps"] == {step.name: "2026-10-14"}


def test_a_step_keeps_the_working_days_a_suspension_added_when_the_calendar_changes_after_it(
    county, django_capture_on_commit_callbacks
):
    clerk = user("county_clerk")
    case = accepted(now=at(2026, 10, 12))
    services.case_suspend(
        actor=clerk, case=case, kind="inspection", reason="现场核查", expected_days=3, now=at(2026, 10, 12)
    )
    services.case_resume(actor=clerk, case=case, now=at(2026, 10, 15))
    # Suspended 10-13, 14 and 15: the step due on 10-13 is due three working days later.
    assert open_step(case).due == D(2026, 10, 16)

    holiday(D(2026, 10, 16), django_capture_on_commit_callbacks)

    # Four working days from 10-12 (its one day and the three suspended): 13, 14, 15 and, 16 now a holiday, 19.
    assert open_step(case).due == D(2026, 10, 19)
