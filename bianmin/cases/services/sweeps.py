"""The worker's sweeps: acceptance by law, consent by silence, deadlines after a calendar change."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError
from bianmin.core.workdays import add_workdays

from ..access import cases_clock_copy
from ..models import (
    OPEN_STATUSES,
    Case,
    ReviewTask,
    Status,
)
from ._common import (
    PRECHECK_WORKING_DAYS,
    _audit,
    _finish_task,
    _local_date,
    _lock,
    _now,
    _set_deadlines,
)
from .intake import case_accept

# --- The worker's sweeps ---------------------------------------------------------------------------------------


def cases_deem_accepted(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> int:
    """ALL art. 32: cases with no acceptance, refusal or supplement notice 5 working days after receipt are
    accepted as of their receipt date. One set-based query finds them; each is accepted in its own
    transaction, so a clerk accepting the same case at the same moment simply wins or loses the row lock."""
    now = _now(now)
    today = today or _local_date(now)
    due = Case.objects.filter(status=Status.RECEIVED, supplement_count=0, acceptance_due__lt=today)
    accepted = 0
    for case in due.only("pk").iterator():
        try:
            case_accept(actor=None, case=case, deemed=True, now=now)
        except DomainError:
            continue  # someone accepted, refused or asked for materials in the meantime
        accepted += 1
    return accepted


def cases_apply_silence(*, now: datetime.datetime | None = None) -> int:
    """Joint items with 超时默认: a co-department that has not answered by its limit is taken to agree."""
    now = _now(now)
    today = _local_date(now)
    silent = ReviewTask.objects.filter(
        is_parallel=True,
        state=ReviewTask.State.OPEN,
        due__lt=today,
        case__status=Status.ACCEPTED,
        case__version__silence_is_consent=True,
    )
    applied = 0
    for task in silent.select_related("case", "department").iterator():
        with transaction.atomic():
            case = _lock(task.case)
            task = ReviewTask.objects.select_for_update().get(pk=task.pk)
            if task.state != ReviewTask.State.OPEN or case.status != Status.ACCEPTED:
                continue
            _finish_task(
                task,
                None,
                ReviewTask.Outcome.CONSENT_BY_SILENCE,
                _("No answer within the limit: taken as consent."),
                now,
            )
            _audit(
                None, "consent_by_silence", case, at=now, task=task.name, department=task.department.code, due=task.due
            )
        applied += 1
    return applied


def cases_recompute_deadlines(years: list[int]) -> int:
    """The calendar of these years changed (ALL art. 82: time limits are working days): recompute the clocks of open
    cases that reach into them: the promised and statutory deadlines and the open review steps' due dates of
    accepted cases, and the acceptance window of received ones (art. 32: 5 working days from receipt, or from the
    day the supplement came), whose end is also the day the deemed acceptance takes effect after."""
    if not years:
        return 0
    first = datetime.date(min(years), 1, 1)
    changed = 0
    waiting = Case.objects.filter(status=Status.RECEIVED, acceptance_due__gte=first)
    for case in waiting.only("pk").iterator():
        with transaction.atomic():
            case = _lock(case)
            if case.status != Status.RECEIVED:
                continue
            before = case.acceptance_due
            case.acceptance_due = add_workdays(_acceptance_window_start(case), PRECHECK_WORKING_DAYS).date
            if case.acceptance_due != before:
                case.save(update_fields=["acceptance_due"])
                _audit(None, "recompute_deadlines", case, years=years, acceptance_due=case.acceptance_due)
                changed += 1
    for case in Case.objects.filter(
        status__in=OPEN_STATUSES, accepted_on__isnull=False, statutory_due__gte=first
    ).iterator():
        with transaction.atomic():
            case = _lock(case)
            before = (case.promised_due, case.statutory_due)
            _set_deadlines(case)
            steps = _open_steps_due_again(case)
            moved = (case.promised_due, case.statutory_due) != before
            if moved:
                case.save(update_fields=["promised_due", "statutory_due", "deadlines_provisional"])
            if moved or steps:
                _audit(
                    None,
                    "recompute_deadlines",
                    case,
                    years=years,
                    promised_due=case.promised_due,
                    statutory_due=case.statutory_due,
                    **({"steps": steps} if steps else {}),
                )
                changed += 1
    # Ordinals after the changed dates moved: every running clock is read again from the calendar.
    cases_clock_copy(Case.objects.filter(status__in=OPEN_STATUSES))
    return changed


def _open_steps_due_again(case: Case) -> dict[str, datetime.date]:
    """The open review steps' due dates from the calendar as it is now: the step's limit from the day it opened,
    plus the working days of every suspension that began while it was open (a resumption moves the open steps,
    review._shift_open_tasks). Returns the moved ones' names and new dates."""
    suspensions = list(case.suspensions.filter(ended_on__isnull=False).values_list("started_on", "working_days"))
    moved = {}
    for task in case.tasks.select_for_update().filter(state=ReviewTask.State.OPEN, opened_on__isnull=False):
        shift = sum(days for started_on, days in suspensions if started_on >= task.opened_on)
        due = add_workdays(task.opened_on, task.limit_days + shift).date
        if due != task.due:
            task.due = due
            task.save(update_fields=["due"])
            moved[task.name] = due
    return moved


def _acceptance_window_start(case: Case) -> datetime.date:
    """The day a received case's 5-working-day window started: its receipt, or the last supplement received."""
    if not case.supplement_count:
        return case.received_on
    supplied = (
        audit_events_for(case)
        .filter(action="case.receive_supplement")
        .order_by("-sequence")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return case.received_on if supplied is None else _local_date(supplied)
