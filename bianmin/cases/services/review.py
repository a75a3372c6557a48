"""Review steps, joint review and escalation; suspension and extension (ALL art. 42–45)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.catalog.models import SpecialProcedure
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.core.workdays import add_workdays, workdays_between

from .. import permissions
from ..models import (
    Case,
    Extension,
    Notice,
    ReviewTask,
    Status,
    Suspension,
)
from ..workflow import check_transition, extension_limit
from ._common import (
    _audit,
    _finish_task,
    _issue,
    _local_date,
    _lock,
    _move_to_step,
    _now,
    _open_next_step,
    _set_deadlines,
    _tell,
)

# --- Review: steps, joint review, escalation ----------------------------------------------------------------


@transaction.atomic
def case_complete_task(
    *, actor: User | None, task: ReviewTask, outcome: str, comment: str = "", now: datetime.datetime | None = None
) -> ReviewTask:
    """Finish one review step (or one co-department's part); the next step opens, and the case moves to the site of
    that step's tier (a town's review, the county's decision of an escalated case: ALL art. 43)."""
    now = _now(now)
    case = _lock(task.case)
    check_transition(case, "complete_task")
    task = ReviewTask.objects.select_for_update().get(pk=task.pk)
    if task.state != ReviewTask.State.OPEN:
        raise TransitionNotAllowed(_("This step is not open."), code="task_not_open")
    if task.is_decision:
        raise DomainError(_("The last step is the decision: approve or deny the case."), code="task_is_decision")
    if not permissions.can_complete_task(actor, task):
        raise PermissionDenied(_("This step belongs to another role or department."))
    if outcome not in (ReviewTask.Outcome.AGREE, ReviewTask.Outcome.DISAGREE):
        raise DomainError(_("Choose agree or disagree."), code="invalid_outcome")
    if outcome == ReviewTask.Outcome.DISAGREE and not comment.strip():
        raise DomainError(_("Give the reasons for disagreeing."), code="reasons_required")
    _finish_task(task, actor, outcome, comment, now)
    # The next step opens before the audit, which records the case's open steps on its access rows.
    next_task = None if task.is_parallel else _open_next_step(case, _local_date(now))
    _audit(
        actor, "complete_task", case, at=now, task=task.name, outcome=outcome, comment=comment, late=_is_late(task, now)
    )
    _move_to_step(case, next_task, actor, now)
    return task


def _is_late(task: ReviewTask, now: datetime.datetime) -> bool:
    return task.due is not None and _local_date(now) > task.due


# --- Suspension and extension --------------------------------------------------------------------------------


@transaction.atomic
def case_suspend(
    *, actor: User | None, case: Case, kind: str, reason: str, expected_days: int, now: datetime.datetime | None = None
) -> Suspension:
    """ALL art. 45: a hearing, inspection, expert review … stops every clock; the applicant is told in writing
    what it is and how long it is expected to take."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "suspend")
    permissions.require(permissions.can(actor, "suspend", case, on=_local_date(now)))
    if kind not in SpecialProcedure.Kind.values or not reason.strip() or not 1 <= expected_days <= 250:
        raise DomainError(
            _("Give the procedure, its reason and its expected working days (1 to 250)."), code="suspension_invalid"
        )
    suspension = Suspension.objects.create(
        case=case,
        kind=kind,
        reason=reason.strip(),
        expected_days=expected_days,
        started_at=now,
        started_on=_local_date(now),
    )
    case.status = Status.SUSPENDED
    case.save(update_fields=["status"])
    notice = _issue(
        case,
        Notice.Kind.SUSPENSION,
        actor,
        now,
        {
            "kind": kind,
            "reason": reason.strip(),
            "expected_days": expected_days,
        },
    )
    _audit(
        actor,
        "suspend",
        case,
        at=now,
        kind=kind,
        reason=reason.strip(),
        expected_days=expected_days,
        notice=notice.number,
    )
    _tell(
        case,
        "suspended",
        _(
            "your case is paused for %(procedure)s, expected to take %(days)d working days; "
            "this time is not counted in the time limit."
        )
        % {"procedure": suspension.get_kind_display(), "days": expected_days},
    )
    return suspension


@transaction.atomic
def case_resume(*, actor: User | None, case: Case, now: datetime.datetime | None = None) -> Case:
    """End the special procedure: its working days (after the day it began, up to the day it ends) are
    added to every clock of the case and of its open steps."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "resume")
    permissions.require(permissions.can(actor, "resume", case, on=_local_date(now)))
    suspension = case.suspensions.select_for_update().get(ended_on__isnull=True)
    suspension.ended_on = _local_date(now)
    suspension.working_days = max(0, workdays_between(suspension.started_on, suspension.ended_on))
    suspension.save(update_fields=["ended_on", "working_days"])
    case.status = Status.ACCEPTED
    case.suspended_days += suspension.working_days
    _set_deadlines(case)
    case.save(update_fields=["status", "suspended_days", "promised_due", "statutory_due", "deadlines_provisional"])
    _shift_open_tasks(case, suspension.working_days)
    _audit(
        actor, "resume", case, at=now, suspended_working_days=suspension.working_days, promised_due=case.promised_due
    )
    return case


def _shift_open_tasks(case: Case, days: int) -> None:
    if days <= 0:
        return
    for task in case.tasks.select_for_update().filter(state=ReviewTask.State.OPEN):
        task.due = add_workdays(task.due, days).date
        task.save(update_fields=["due"])


@transaction.atomic
def case_request_extension(
    *, actor: User, case: Case, days: int, reason: str, now: datetime.datetime | None = None
) -> Extension:
    """ALL art. 42: ask the department head for more working days, with a reason."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "request_extension")
    permissions.require(permissions.can(actor, "request_extension", case, on=_local_date(now)))
    if not reason.strip() or days < 1:
        raise DomainError(_("Give the number of working days and the reason."), code="extension_invalid")
    if case.extensions.filter(state=Extension.State.REQUESTED).exists():
        raise TransitionNotAllowed(
            _("An extension request is already waiting for the department head."), code="extension_pending"
        )
    _check_extension_limit(case, days)
    extension = Extension.objects.create(
        case=case, days=days, reason=reason.strip(), requested_by=actor, requested_at=now
    )
    _audit(actor, "request_extension", case, at=now, days=days, reason=reason.strip())
    return extension


def _check_extension_limit(case: Case, days: int) -> None:
    limit = extension_limit(case)
    if case.extension_days + days > limit:
        raise DomainError(
            _("The time limit can be extended by at most %(limit)d working days in all; %(used)d are used.")
            % {"limit": limit, "used": case.extension_days},
            code="extension_limit",
        )


@transaction.atomic
def case_decide_extension(
    *, actor: User, extension: Extension, approve: bool, now: datetime.datetime | None = None
) -> Extension:
    """ALL art. 42: the department head approves (the deadlines move, the applicant is told why in writing)
    or rejects the extension."""
    now = _now(now)
    case = _lock(extension.case)
    check_transition(case, "decide_extension")
    permissions.require(permissions.can(actor, "decide_extension", case, on=_local_date(now)))
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.state != Extension.State.REQUESTED:
        raise TransitionNotAllowed(_("This extension was already decided."), code="extension_decided")
    extension.state = Extension.State.APPROVED if approve else Extension.State.REJECTED
    extension.decided_by = actor
    extension.decided_at = now
    extension.save(update_fields=["state", "decided_by", "decided_at"])
    if approve:
        _check_extension_limit(case, extension.days)
        case.extension_days += extension.days
        _set_deadlines(case)
        case.save(update_fields=["extension_days", "promised_due", "statutory_due", "deadlines_provisional"])
        notice = _issue(
            case,
            Notice.Kind.EXTENSION,
            actor,
            now,
            {
                "days": extension.days,
                "reason": extension.reason,
                "promised_due": f"{case.promised_due:%Y-%m-%d}",
                "statutory_due": f"{case.statutory_due:%Y-%m-%d}",
            },
        )
        _tell(
            case,
            "extended",
            _("the time limit of your case was extended to %(date)s; see notice %(number)s.")
            % {"date": f"{case.promised_due:%Y-%m-%d}", "number": notice.number},
        )
    _audit(
        actor, "decide_extension", case, at=now, approved=approve, days=extension.days, promised_due=case.promised_due
    )
    return extension
