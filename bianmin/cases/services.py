"""Every change to a case: one function each. Each checks permission and the allowed move, locks the case
row, writes its audit event in the same transaction, and notifies the applicant only after commit.

The law's clocks (ALL art. 29–50, 82) all come from the working-day calendar (bianmin.core.workdays).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.catalog.models import CaseType, FeeRule, ServiceItem, SpecialProcedure
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.notify import notify
from bianmin.core.numbering import counter_next
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.core.workdays import add_workdays, workdays_between
from bianmin.org.models import Role, Site

from . import permissions
from .access import case_index_refresh, cases_clock_copy
from .idnumbers import validate_id_number
from .models import (
    OPEN_STATUSES,
    Case,
    CaseMaterial,
    Channel,
    DeliveryMethod,
    Extension,
    IdType,
    Notice,
    ReviewTask,
    Status,
    Suspension,
    query_code_new,
)
from .workflow import check_transition, extension_limit

PRECHECK_WORKING_DAYS = 5  # ALL art. 32
CERTIFICATE_WORKING_DAYS = 10  # ALL art. 44
APPEAL_RIGHTS = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
)


# --- Small helpers ------------------------------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "version", "department", "receiving_site", "current_site", "relay_site")
        .get(pk=case.pk)
    )


def _tracking_number(site: Site, on: datetime.date) -> str:
    return f"{site.code}-{on:%Y%m%d}-{counter_next(f'track:{site.code}:{on:%Y%m%d}'):04d}"


NOTICE_PREFIX = {
    Notice.Kind.ACCEPTANCE: "SL",
    Notice.Kind.SUPPLEMENT: "BZ",
    Notice.Kind.REFUSAL: "BY",
    Notice.Kind.SUSPENSION: "TB",
    Notice.Kind.EXTENSION: "YQ",
    Notice.Kind.APPROVAL: "ZY",
    Notice.Kind.DENIAL: "BX",
    Notice.Kind.FEE_RECEIPT: "SF",
}


def _issue(case: Case, kind: str, actor: User | None, now: datetime.datetime, content: dict, **extra) -> Notice:
    if kind == Notice.Kind.RECEIPT:
        number = case.tracking_number
    else:
        year = _local_date(now).year
        number = f"{case.current_site.code}-{NOTICE_PREFIX[kind]}-{year}-{counter_next(f'notice:{kind}:{year}'):05d}"
    return Notice.objects.create(
        case=case,
        kind=kind,
        number=number,
        issued_at=now,
        issued_by=actor,
        issuer_name=case.version.responsible_organisation,
        content=content,
        **extra,
    )


def _audit(actor: User | None, action: str, case: Case, *, at: datetime.datetime | None = None, **payload) -> None:
    """Record the move, and bring the case's clock columns and access keys up to what it saved (every service
    ends here, in its transaction, so lists and scopes never see a case in a state it was not left in)."""
    case_index_refresh(case)
    audit_record(
        actor=actor, action=f"case.{action}", obj=case, payload={"status": case.status, **payload}, occurred_at=at
    )


def _tell(case: Case, event: str, text: str) -> None:
    notify(
        phone=case.applicant_phone,
        subject=_("Your application %(number)s") % {"number": case.tracking_number},
        body=f"【便民服务】{case.applicant_name}：{text}（办件编号 {case.tracking_number}）",
        obj=case,
        event=event,
    )


def _deciding_site(case: Case) -> Site:
    """The site of the level that decides: the receiving site's ancestor at that level (the county root)."""
    level = case.version.deciding_level
    site = case.receiving_site
    while site.level != level and site.parent_id:
        site = site.parent
    return site


# --- Intake -------------------------------------------------------------------------------------------------


@dataclass
class Applicant:
    name: str
    id_type: str
    id_number: str
    phone: str
    address: str = ""


@dataclass
class MaterialCheck:
    """One material at intake: seen as an original, a copy kept, or missing/defective with the problem."""

    name: str
    requirement_id: int | None = None
    state: str = CaseMaterial.State.PROVIDED
    original_seen: bool = False
    copy_kept: bool = False
    problem: str = ""
    file: object | None = None


@dataclass
class Intake:
    item: ServiceItem
    applicant: Applicant
    channel: str
    receiving_site: Site
    materials: list[MaterialCheck] = field(default_factory=list)
    details: str = ""
    relay_site: Site | None = None
    agency_authorisation: str = ""


PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


def _validate_intake(intake: Intake) -> None:
    errors = []
    applicant = intake.applicant
    if not applicant.name.strip():
        errors.append(_("Enter the applicant's name."))
    if applicant.id_type not in IdType.values:
        errors.append(_("Choose the kind of identity document."))
    else:
        errors.extend(validate_id_number(applicant.id_type, applicant.id_number))
    if not PHONE.match(applicant.phone.strip()):
        errors.append(_("Enter a mobile number of 11 digits, or a landline with its area code."))
    if intake.channel not in Channel.values:
        errors.append(_("Choose how the application arrived."))
    if intake.channel == Channel.AGENCY and (intake.relay_site is None or not intake.agency_authorisation.strip()):
        errors.append(_("An agency application needs the relaying site and the applicant's authorisation."))
    if intake.channel != Channel.AGENCY and intake.relay_site is not None:
        errors.append(_("Only an application through an agent is relayed from another site."))
    for material in intake.materials:
        if material.state != CaseMaterial.State.PROVIDED and not material.problem.strip():
            errors.append(_("Say what is missing or wrong with “%(name)s”.") % {"name": material.name})
    if errors:
        raise DomainError("；".join(str(e) for e in errors), code="intake_invalid")


def _accepting_site(intake: Intake) -> Site:
    """Where the application is received: the given site; for an agency relay, the nearest level at or above the
    relaying site that accepts the item."""
    levels = intake.item.current_version.accepting_level_list
    # An agent's application goes up from their own room, whatever site the request names.
    site = intake.relay_site if intake.channel == Channel.AGENCY else intake.receiving_site
    while intake.channel == Channel.AGENCY and site.level not in levels and site.parent_id:
        site = site.parent
    if site.level not in levels:
        raise DomainError(_("This item cannot be applied for at this site."), code="wrong_site")
    return site


@transaction.atomic
def case_submit(*, actor: User | None, intake: Intake, now: datetime.datetime | None = None) -> Case:
    """Plan 二(四) and ALL art. 29–32: register an application on any tier and channel; it gets its tracking
    number and its query code (查询码, the applicant's secret for the tracking page, sent in the SMS), and the
    5-working-day window for acceptance or a supplement notice starts."""
    now = _now(now)
    item = ServiceItem.objects.select_related("current_version", "department").get(pk=intake.item.pk)
    if not item.is_public:
        raise DomainError(_("This item is not open for applications."), code="item_not_public")
    version = item.current_version
    if intake.channel == Channel.AGENCY and not (
        version.agency_offered or version.village_relay or intake.receiving_site.level in version.accepting_level_list
    ):
        raise DomainError(_("This item cannot be applied for through an agent."), code="agency_not_offered")
    _validate_intake(intake)
    site = _accepting_site(intake)
    if intake.channel == Channel.AGENCY:
        # Relayed from the agent's own room to the level above it that accepts the item, where the law's clock runs.
        permissions.require(permissions.can_relay_from(actor, intake.relay_site))
    elif intake.channel == Channel.WINDOW:
        permissions.require(permissions.can_receive_at(actor, site))
    received_on = _local_date(now)
    case = Case.objects.create(
        item=item,
        version=version,
        department=item.department,
        channel=intake.channel,
        status=Status.RECEIVED,
        applicant_name=intake.applicant.name.strip(),
        applicant_id_type=intake.applicant.id_type,
        applicant_id_number=intake.applicant.id_number.strip().upper(),
        applicant_phone=intake.applicant.phone.strip(),
        applicant_address=intake.applicant.address.strip(),
        details=intake.details,
        applicant_user=actor if intake.channel == Channel.ONLINE else None,
        receiving_site=site,
        current_site=site,
        relay_site=intake.relay_site,
        agent=actor if intake.channel == Channel.AGENCY else None,
        agency_authorisation=intake.agency_authorisation.strip(),
        received_by=actor if intake.channel != Channel.ONLINE else None,
        received_at=now,
        received_on=received_on,
        acceptance_due=add_workdays(received_on, PRECHECK_WORKING_DAYS).date,
        tracking_number=_tracking_number(intake.relay_site or site, received_on),
        query_code=query_code_new(),
    )
    _save_materials(case, intake.materials)
    _audit(
        actor,
        "submit",
        case,
        at=now,
        channel=case.channel,
        site=site.code,
        relay_site=intake.relay_site.code if intake.relay_site else None,
        version=version.number,
    )
    received = _("your application has been received; we will accept it or tell you what is missing by %(date)s.") % {
        "date": f"{case.acceptance_due:%Y-%m-%d}"
    }
    query = _("Your query code is %(code)s; with the tracking number it shows your application online.") % {
        "code": case.query_code
    }
    _tell(case, "submitted", f"{received} {query}")
    return case


def _save_materials(case: Case, materials: list[MaterialCheck], *, after: int = 0) -> None:
    """Record the checked materials, numbered after the ``after`` materials the case already has."""
    for position, material in enumerate(materials, start=after + 1):
        row = CaseMaterial(
            case=case,
            requirement_id=material.requirement_id,
            name=material.name,
            state=material.state,
            original_seen=material.original_seen,
            copy_kept=material.copy_kept,
            problem=material.problem,
            position=position,
        )
        if material.file is not None:
            # Stored under a random name (core.uploads.RandomName); the name it came with is shown and downloaded.
            row.file = material.file
            row.file_name = PurePosixPath(material.file.name or "").name[-100:]
        row.save()


# --- Before acceptance: one supplement notice, acceptance, refusal -----------------------------------------


@transaction.atomic
def case_request_supplement(
    *,
    actor: User | None,
    case: Case,
    problems: list[tuple[str, str]],
    repeat_reason: str = "",
    now: datetime.datetime | None = None,
) -> Notice:
    """ALL art. 32: ONE notice listing every missing or defective material and why. A second notice needs a
    reason and is recorded as an anomaly for supervision."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "request_supplement")
    permissions.require(permissions.can(actor, "request_supplement", case, on=_local_date(now)))
    if not problems or any(not name.strip() or not problem.strip() for name, problem in problems):
        raise DomainError(
            _("List every missing or defective material, each with what is wrong."), code="supplement_incomplete"
        )
    if case.supplement_count == 0 and _local_date(now) > case.acceptance_due:
        raise TransitionNotAllowed(
            _(
                "The 5-working-day window ended on %(date)s: by law the application is accepted as of its receipt. "
                "Accept it now."
            )
            % {"date": f"{case.acceptance_due:%Y-%m-%d}"},
            code="acceptance_window_passed",
        )
    is_repeat = case.supplement_count > 0
    if is_repeat and not repeat_reason.strip():
        raise DomainError(
            _("A supplement notice was already issued; a second one needs a reason and is reported to supervision."),
            code="repeat_supplement_needs_reason",
        )
    case.status = Status.SUPPLEMENT_REQUESTED
    case.supplement_count += 1
    case.save(update_fields=["status", "supplement_count"])
    notice = _issue(
        case,
        Notice.Kind.SUPPLEMENT,
        actor,
        now,
        {
            "problems": [{"material": name, "problem": problem} for name, problem in problems],
            "repeat_reason": repeat_reason.strip(),
        },
        is_repeat=is_repeat,
    )
    _audit(
        actor,
        "request_supplement",
        case,
        at=now,
        notice=notice.number,
        problems=len(problems),
        is_repeat=is_repeat,
        repeat_reason=repeat_reason.strip(),
    )
    _tell(
        case,
        "supplement",
        _("please supplement the materials listed in the notice %(number)s, all at once.") % {"number": notice.number},
    )
    return notice


@transaction.atomic
def case_receive_supplement(
    *, actor: User | None, case: Case, materials: list[MaterialCheck], now: datetime.datetime | None = None
) -> Case:
    """The applicant brought what the notice asked for: the case waits for acceptance again, with a new
    5-working-day window from today."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "receive_supplement")
    permissions.require(permissions.can(actor, "receive_supplement", case, on=_local_date(now)))
    _save_materials(case, materials, after=case.materials.count())
    case.status = Status.RECEIVED
    case.acceptance_due = add_workdays(_local_date(now), PRECHECK_WORKING_DAYS).date
    case.save(update_fields=["status", "acceptance_due"])
    _audit(actor, "receive_supplement", case, at=now, materials=[m.name for m in materials])
    return case


def _open_tasks(case: Case, now: datetime.datetime, actor: User | None) -> None:
    """The item's steps become tasks; joint items add one parallel review per co-department. Step limits run
    from the day the tasks open (for acceptance by law the case's own clock already runs from the receipt)."""
    on = _local_date(now)
    version = case.version
    steps = list(version.steps.all())
    tasks = []
    decision_index = len(steps) - 1
    for index, step in enumerate(steps):
        on_decision_level = step.role in (Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE)
        escalates = version.case_type == CaseType.ESCALATED and on_decision_level
        site = _deciding_site(case) if escalates else case.current_site
        tasks.append(
            ReviewTask(
                case=case,
                position=index + 1,
                name=step.name,
                role=step.role,
                department=case.department,
                site=site,
                limit_days=step.days,
                is_decision=index == decision_index,
            )
        )
    if version.case_type == CaseType.JOINT:
        # Each co-department reviews in parallel within the promised limit less the lead's decision step.
        limit = max(1, version.promised_days - (steps[-1].days if steps else 0))
        for department in version.co_departments.all():
            tasks.append(
                ReviewTask(
                    case=case,
                    position=0,
                    name=_("Joint review by %(department)s") % {"department": department.name},
                    role=Role.DEPARTMENT_HEAD,
                    department=department,
                    site=case.current_site,
                    limit_days=limit,
                    is_parallel=True,
                    state=ReviewTask.State.OPEN,
                    opened_on=on,
                    due=add_workdays(on, limit).date,
                )
            )
    # The first step of every process is the intake itself (受理): acceptance performs it.
    if tasks and tasks[0].role in (Role.CLERK, Role.AGENT) and not tasks[0].is_decision:
        tasks[0].state = ReviewTask.State.DONE
        tasks[0].opened_on = on
        tasks[0].due = on
        tasks[0].completed_at = now
        tasks[0].completed_by = actor
        tasks[0].outcome = ReviewTask.Outcome.AGREE
    ReviewTask.objects.bulk_create(tasks)
    _open_next_step(case, on)


def _open_next_step(case: Case, on: datetime.date) -> ReviewTask | None:
    task = case.tasks.filter(is_parallel=False, state=ReviewTask.State.WAITING).order_by("position").first()
    if task is None:
        return None
    task.state = ReviewTask.State.OPEN
    task.opened_on = on
    task.due = add_workdays(on, task.limit_days).date
    task.save(update_fields=["state", "opened_on", "due"])
    return task


def _set_deadlines(case: Case) -> None:
    """Case-level clocks from acceptance: promised and statutory limit, plus extensions and suspended days."""
    version = case.version
    shift = case.extension_days + case.suspended_days
    promised = add_workdays(case.accepted_on, version.promised_days + shift)
    statutory = add_workdays(case.accepted_on, version.statutory_days + shift)
    case.promised_due, case.statutory_due = promised.date, statutory.date
    case.deadlines_provisional = promised.is_provisional or statutory.is_provisional


@transaction.atomic
def case_accept(*, actor: User | None, case: Case, deemed: bool = False, now: datetime.datetime | None = None) -> Case:
    """ALL art. 32: accept the application; the clock starts. ``deemed``: no acceptance, refusal or notice came
    within 5 working days of receipt, so the law counts it as accepted on the day it was received."""
    now = _now(now)
    case = _lock(case)
    if case.status != Status.RECEIVED:
        if case.accepted_at is not None:
            raise TransitionNotAllowed(
                _("This case was already accepted on %(date)s.") % {"date": f"{case.accepted_on:%Y-%m-%d}"},
                code="already_accepted",
            )
        check_transition(case, "accept")
    if deemed:
        if actor is not None:
            raise PermissionDenied(_("Only the system applies acceptance by law."))
        if case.supplement_count or _local_date(now) <= case.acceptance_due:
            raise DomainError(_("The 5-working-day window has not passed."), code="not_deemed")
    else:
        permissions.require(permissions.can(actor, "accept", case, on=_local_date(now)))
    # After the 5th working day without a notice the law has already accepted it as of receipt, whoever acts.
    by_law = deemed or (case.supplement_count == 0 and _local_date(now) > case.acceptance_due)
    case.status = Status.ACCEPTED
    case.accepted_at = now
    case.accepted_on = case.received_on if by_law else _local_date(now)
    case.accepted_by = actor
    case.is_deemed_accepted = by_law
    _set_deadlines(case)
    case.save()
    _open_tasks(case, now, actor)
    _issue(case, Notice.Kind.RECEIPT, actor, now, {"parts": ["applicant", "window", "department"]})
    notice = _issue(
        case,
        Notice.Kind.ACCEPTANCE,
        actor,
        now,
        {
            "accepted_on": f"{case.accepted_on:%Y-%m-%d}",
            "promised_due": f"{case.promised_due:%Y-%m-%d}",
            "statutory_due": f"{case.statutory_due:%Y-%m-%d}",
            "deemed": by_law,
        },
    )
    _audit(
        actor,
        "accept_deemed" if deemed else "accept",
        case,
        at=now,
        accepted_on=case.accepted_on,
        promised_due=case.promised_due,
        statutory_due=case.statutory_due,
        notice=notice.number,
        after_window=by_law and not deemed,
        reason="ALL art. 32: no acceptance, refusal or supplement notice within 5 working days" if by_law else "",
    )
    _tell(
        case,
        "accepted",
        _("your application was accepted; it will be decided by %(date)s.") % {"date": f"{case.promised_due:%Y-%m-%d}"},
    )
    return case


@transaction.atomic
def case_refuse(
    *, actor: User | None, case: Case, reasons: str, competent_organ: str = "", now: datetime.datetime | None = None
) -> Notice:
    """ALL art. 32: refuse to accept, in writing, with reasons and the applicant's rights; when the matter is
    outside this organ's jurisdiction the notice names the competent organ."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "refuse")
    permissions.require(permissions.can(actor, "refuse", case, on=_local_date(now)))
    if not reasons.strip():
        raise DomainError(_("A refusal must state its reasons."), code="reasons_required")
    case.status = Status.REFUSED
    case.closed_at = now
    case.save(update_fields=["status", "closed_at"])
    notice = _issue(
        case,
        Notice.Kind.REFUSAL,
        actor,
        now,
        {
            "reasons": reasons.strip(),
            "competent_organ": competent_organ.strip(),
            "rights": APPEAL_RIGHTS,
        },
    )
    _audit(
        actor, "refuse", case, at=now, notice=notice.number, reasons=reasons.strip(), competent_organ=competent_organ
    )
    _tell(
        case,
        "refused",
        _("your application was not accepted; see the notice %(number)s for the reasons.") % {"number": notice.number},
    )
    return notice


# --- Review: steps, joint review, escalation ----------------------------------------------------------------


@transaction.atomic
def case_complete_task(
    *, actor: User | None, task: ReviewTask, outcome: str, comment: str = "", now: datetime.datetime | None = None
) -> ReviewTask:
    """Finish one review step (or one co-department's part); the next step opens, and an escalated case moves
    to the deciding level's site when the lower level's steps are done (ALL art. 43)."""
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
    if next_task is not None and next_task.site_id != case.current_site_id:
        case.current_site = next_task.site
        case.forwarded_at = now
        case.save(update_fields=["current_site", "forwarded_at"])
        _audit(actor, "forward", case, at=now, to_site=next_task.site.code)
    return task


def _finish_task(task: ReviewTask, actor: User | None, outcome: str, comment: str, now: datetime.datetime) -> None:
    task.state = ReviewTask.State.DONE
    task.completed_at = now
    task.completed_by = actor
    task.outcome = outcome
    task.comment = comment.strip()
    task.save(update_fields=["state", "completed_at", "completed_by", "outcome", "comment"])


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


# --- Decision and after ---------------------------------------------------------------------------------------


@transaction.atomic
def case_decide(
    *, actor: User | None, case: Case, approve: bool, reasons: str = "", now: datetime.datetime | None = None
) -> Notice:
    """ALL art. 37–38: approve, or deny stating reasons and the right to reconsideration or litigation. The
    earlier steps and every co-department's review must be finished first."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "decide")
    permissions.require(
        permissions.can(actor, "decide", case, on=_local_date(now), decision="approve" if approve else "deny")
    )
    pending = case.tasks.filter(state__in=[ReviewTask.State.OPEN, ReviewTask.State.WAITING], is_decision=False)
    if pending.exists():
        raise TransitionNotAllowed(
            _("Earlier steps or joint reviews are still open: %(steps)s.")
            % {"steps": "、".join(pending.values_list("name", flat=True))},
            code="review_pending",
        )
    if not approve and not reasons.strip():
        raise DomainError(_("A denial must state its reasons."), code="reasons_required")
    decision_task = case.tasks.filter(is_decision=True, state=ReviewTask.State.OPEN).first()
    if decision_task is not None:
        _finish_task(
            decision_task, actor, ReviewTask.Outcome.AGREE if approve else ReviewTask.Outcome.DISAGREE, reasons, now
        )
    case.status = Status.APPROVED if approve else Status.DENIED
    case.decided_at = now
    case.decided_by = actor
    case.decision_reasons = reasons.strip()
    if approve:
        case.certificate_due = add_workdays(_local_date(now), CERTIFICATE_WORKING_DAYS).date
    case.save()
    kind = Notice.Kind.APPROVAL if approve else Notice.Kind.DENIAL
    notice = _issue(
        case,
        kind,
        actor,
        now,
        {
            "reasons": reasons.strip(),
            "result": case.version.result_name,
            "rights": "" if approve else APPEAL_RIGHTS,
        },
    )
    _audit(
        actor,
        "approve" if approve else "deny",
        case,
        at=now,
        notice=notice.number,
        reasons=reasons.strip(),
        on_time=_local_date(now) <= case.promised_due,
    )
    _tell(
        case,
        "decided",
        _("a decision was made on your application; see the decision %(number)s.") % {"number": notice.number},
    )
    return notice


def _valid_until(validity: str, start: datetime.date) -> datetime.date | None:
    match = re.search(r"(\d+)\s*年", validity)
    if not match:
        return None
    years = int(match.group(1))
    try:
        return start.replace(year=start.year + years) - datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


@transaction.atomic
def case_issue_certificate(*, actor: User | None, case: Case, now: datetime.datetime | None = None) -> Case:
    """ALL art. 44: issue the numbered certificate (within 10 working days of the approval)."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "issue_certificate")
    permissions.require(permissions.can(actor, "issue_certificate", case, on=_local_date(now)))
    if case.certificate_issued_at:
        raise TransitionNotAllowed(_("The certificate was already issued."), code="certificate_issued")
    year = _local_date(now).year
    sequence = counter_next(f"certificate:{case.department.code}:{year}")
    case.certificate_number = f"{case.department.code}-{year}-{sequence:06d}"
    case.certificate_issued_at = now
    case.certificate_valid_until = _valid_until(case.version.result_validity, _local_date(now))
    case.save(update_fields=["certificate_number", "certificate_issued_at", "certificate_valid_until"])
    _audit(
        actor,
        "issue_certificate",
        case,
        at=now,
        certificate=case.certificate_number,
        valid_until=case.certificate_valid_until,
        late=_local_date(now) > case.certificate_due,
    )
    return case


@transaction.atomic
def case_collect_fee(
    *, actor: User | None, case: Case, fee_rule_ids: list[int], amount: Decimal, now: datetime.datetime | None = None
) -> Notice:
    """ALL art. 58–59: collect only a fee the item's published standard sets, at that standard, with a receipt."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "collect_fee")
    permissions.require(permissions.can(actor, "collect_fee", case, on=_local_date(now)))
    if case.fee_paid_at:
        raise TransitionNotAllowed(_("The fee was already collected."), code="fee_collected")
    if not case.version.has_fee:
        raise DomainError(_("This item is free of charge: no fee may be collected."), code="fee_not_allowed")
    rules = list(FeeRule.objects.filter(version=case.version, pk__in=fee_rule_ids))
    if not rules or len(rules) != len(set(fee_rule_ids)):
        raise DomainError(_("Choose the fee rules of this item that apply."), code="fee_rule_invalid")
    fixed = sum((rule.amount for rule in rules if rule.amount is not None), Decimal("0"))
    has_formula = any(rule.amount is None for rule in rules)
    if amount < fixed or (not has_formula and amount != fixed) or amount <= 0:
        raise DomainError(
            _("The amount %(amount)s yuan is not the published standard (%(standard)s yuan).")
            % {"amount": amount, "standard": fixed},
            code="fee_off_standard",
        )
    case.fee_amount = amount
    case.fee_paid_at = now
    year = _local_date(now).year
    case.fee_receipt_number = f"SF{year}{counter_next(f'fee:{year}'):07d}"
    case.save(update_fields=["fee_amount", "fee_paid_at", "fee_receipt_number"])
    notice = _issue(
        case,
        Notice.Kind.FEE_RECEIPT,
        actor,
        now,
        {
            "amount": str(amount),
            "rules": [
                {"name": r.name, "amount": str(r.amount or ""), "formula": r.formula, "basis": r.basis} for r in rules
            ],
            "receipt": case.fee_receipt_number,
        },
    )
    _audit(actor, "collect_fee", case, at=now, amount=amount, receipt=case.fee_receipt_number, notice=notice.number)
    return notice


@transaction.atomic
def case_mark_ready(*, actor: User | None, case: Case, method: str, now: datetime.datetime | None = None) -> Case:
    """The result is ready: at the window, to post, or sent back to the relaying site (结果反馈)."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "mark_ready")
    permissions.require(permissions.can(actor, "mark_ready", case, on=_local_date(now)))
    _check_ready(case, method)
    case.delivery_method = method
    case.ready_at = now
    case.save(update_fields=["delivery_method", "ready_at"])
    _audit(actor, "mark_ready", case, at=now, method=method)
    where = case.relay_site.name if method == DeliveryMethod.RELAY else case.current_site.name
    _tell(
        case,
        "ready",
        _("the result of your application is ready at %(place)s.") % {"place": where}
        if method != DeliveryMethod.POST
        else _("the result of your application has been posted to you."),
    )
    return case


def _check_ready(case: Case, method: str) -> None:
    if method not in DeliveryMethod.values:
        raise DomainError(_("Choose how the result is delivered."), code="delivery_invalid")
    if method == DeliveryMethod.RELAY and case.relay_site_id is None:
        raise DomainError(_("Only a relayed case goes back through a relaying site."), code="delivery_invalid")
    if case.status == Status.APPROVED:
        if not case.certificate_issued_at:
            raise TransitionNotAllowed(_("Issue the certificate first."), code="certificate_missing")
        if case.version.has_fee and not case.fee_paid_at:
            raise TransitionNotAllowed(_("Collect the fee first."), code="fee_missing")


@transaction.atomic
def case_deliver(
    *, actor: User | None, case: Case, method: str | None = None, note: str = "", now: datetime.datetime | None = None
) -> Case:
    """Hand over the result (or the denial) and close the case; for a relayed case the relaying site's agent
    hands it over."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "deliver")
    permissions.require(permissions.can(actor, "deliver", case, on=_local_date(now)))
    method = method or case.delivery_method or DeliveryMethod.WINDOW
    _check_ready(case, method)
    case.delivery_method = method
    case.delivery_note = note.strip()
    case.ready_at = case.ready_at or now
    case.delivered_at = now
    case.closed_at = now
    case.status = Status.CLOSED
    case.save()
    _audit(actor, "deliver", case, at=now, method=method, note=note.strip())
    return case


@transaction.atomic
def case_withdraw(*, actor: User | None, case: Case, reason: str, now: datetime.datetime | None = None) -> Case:
    """The applicant withdraws the application at any point before the decision."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "withdraw")
    is_applicant = actor is not None and case.applicant_user_id == actor.pk
    permissions.require(is_applicant or permissions.can(actor, "withdraw", case, on=_local_date(now)))
    if not reason.strip():
        raise DomainError(_("Record the applicant's reason for withdrawing."), code="reasons_required")
    case.status = Status.WITHDRAWN
    case.withdrawn_at = now
    case.closed_at = now
    case.save(update_fields=["status", "withdrawn_at", "closed_at"])
    case.tasks.filter(state__in=[ReviewTask.State.OPEN, ReviewTask.State.WAITING]).update(
        state=ReviewTask.State.CANCELLED
    )
    case.suspensions.filter(ended_on__isnull=True).update(ended_on=_local_date(now))
    _audit(actor, "withdraw", case, at=now, reason=reason.strip())
    return case


@transaction.atomic
def case_handle_immediately(*, actor: User, intake: Intake, now: datetime.datetime | None = None) -> Case:
    """即办件: accept, decide and deliver in one visit when the materials are complete."""
    now = _now(now)
    if intake.item.current_version.case_type != CaseType.IMMEDIATE:
        raise DomainError(_("Only an immediate item is decided on the spot."), code="not_immediate")
    if any(material.state != CaseMaterial.State.PROVIDED for material in intake.materials):
        raise DomainError(
            _("Materials are incomplete: issue the supplement notice instead."), code="materials_incomplete"
        )
    case = case_submit(actor=actor, intake=intake, now=now)
    case = case_accept(actor=actor, case=case, now=now)
    for task in case.tasks.filter(is_decision=False).order_by("is_parallel", "position"):
        task.refresh_from_db()
        if task.state == ReviewTask.State.OPEN:
            case_complete_task(actor=actor, task=task, outcome=ReviewTask.Outcome.AGREE, now=now)
    case_decide(actor=actor, case=case, approve=True, now=now)
    case = case_issue_certificate(actor=actor, case=case, now=now)
    if case.version.has_fee:
        return case  # the fee is collected at the window before delivery
    return case_deliver(actor=actor, case=case, method=DeliveryMethod.WINDOW, now=now)


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
    """The calendar of these years changed: recompute the clocks of open cases that reach into them."""
    if not years:
        return 0
    first = datetime.date(min(years), 1, 1)
    changed = 0
    for case in Case.objects.filter(
        status__in=OPEN_STATUSES, accepted_on__isnull=False, statutory_due__gte=first
    ).iterator():
        with transaction.atomic():
            case = _lock(case)
            before = (case.promised_due, case.statutory_due)
            _set_deadlines(case)
            if (case.promised_due, case.statutory_due) != before:
                case.save(update_fields=["promised_due", "statutory_due", "deadlines_provisional"])
                _audit(
                    None,
                    "recompute_deadlines",
                    case,
                    years=years,
                    promised_due=case.promised_due,
                    statutory_due=case.statutory_due,
                )
                changed += 1
    # Ordinals after the changed dates moved: every running clock is read again from the calendar.
    cases_clock_copy(Case.objects.filter(status__in=OPEN_STATUSES))
    return changed
