"""Intake on every tier and channel, the one-time supplement notice, acceptance and refusal (ALL art. 29–32)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.accounts.models import User
from bianmin.catalog.models import CaseType, ServiceItem
from bianmin.catalog.staffing import tier_site
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.core.workdays import add_workdays
from bianmin.org.models import Role, Site

from .. import permissions
from ..idnumbers import validate_id_number
from ..models import (
    Case,
    CaseMaterial,
    Channel,
    DeliveryChoice,
    DeliveryMethod,
    IdType,
    Notice,
    ReviewTask,
    Status,
    query_code_new,
)
from ..workflow import accepted_by_law, check_transition
from ._common import (
    APPEAL_RIGHTS,
    PRECHECK_WORKING_DAYS,
    _audit,
    _deciding_site_of,
    _issue,
    _local_date,
    _lock,
    _move_to_step,
    _now,
    _set_deadlines,
    _step_opened,
    _tell,
    _tracking_number,
)
from .duplicates import DuplicateApplication, normalised_id_number, open_applications
from .materials import (
    MaterialCheck,
    materials_list_in_notice,
    materials_outstanding_count,
    materials_record_intake,
    materials_supply,
    materials_unlisted,
    outstanding_at_intake,
    outstanding_names,
)

# --- Intake -------------------------------------------------------------------------------------------------


@dataclass
class Applicant:
    name: str
    id_type: str
    id_number: str
    phone: str
    address: str = ""


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
    # Where the result goes back (结果反馈): where the applicant applied unless they choose otherwise.
    delivery: str = DeliveryChoice.WHERE_APPLIED
    # 禁止两头受理: why this is registered although the applicant has an open case of the item (else refused).
    duplicate_reason: str = ""


PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


def _material_errors(materials: list[MaterialCheck]) -> list[str]:
    """Each material is provided, missing or defective, says what is wrong when it is not provided, and is not
    both missing and checked: a contradictory row is refused, not recorded."""
    errors = []
    for material in materials:
        name = {"name": material.name}
        if material.state not in (CaseMaterial.State.PROVIDED, *CaseMaterial.OUTSTANDING):
            errors.append(_("At intake a material is provided, missing or defective: “%(name)s”.") % name)
        elif material.state != CaseMaterial.State.PROVIDED and not material.problem.strip():
            errors.append(_("Say what is missing or wrong with “%(name)s”.") % name)
        if material.state == CaseMaterial.State.MISSING and (
            material.original_seen or material.copy_kept or material.file is not None
        ):
            errors.append(
                _("“%(name)s” is marked missing but also checked, kept or scanned: correct one of them.") % name
            )
    return errors


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
    errors.extend(_delivery_errors(intake))
    errors.extend(_material_errors(intake.materials))
    if errors:
        raise DomainError("；".join(str(e) for e in errors), code="intake_invalid")


def _delivery_errors(intake: Intake) -> list[str]:
    if intake.delivery not in DeliveryChoice.values:
        return [_("Choose where the result is handed over.")]
    if intake.delivery == DeliveryChoice.POST and not intake.applicant.address.strip():
        return [_("A result sent by post needs the applicant's postal address.")]
    return []


def receiving_site(item: ServiceItem, channel: str, site: Site) -> Site:
    """Where an application made at ``site`` is received: that site; for an agency relay (``site`` the agent's
    room), the nearest level at or above it that accepts the item."""
    levels = item.current_version.accepting_level_list
    while channel == Channel.AGENCY and site.level not in levels and site.parent_id:
        site = site.parent
    if site.level not in levels:
        raise DomainError(_("This item cannot be applied for at this site."), code="wrong_site")
    return site


def _accepting_site(intake: Intake) -> Site:
    # An agent's application goes up from their own room, whatever site the request names.
    site = intake.relay_site if intake.channel == Channel.AGENCY else intake.receiving_site
    return receiving_site(intake.item, intake.channel, site)


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
    open_cases = open_applications(id_number=intake.applicant.id_number, item=item, site=site, channel=intake.channel)
    if open_cases and not intake.duplicate_reason.strip():
        raise DuplicateApplication(open_cases)
    if intake.channel == Channel.AGENCY:
        # Relayed from the agent's own room to the level above it that accepts the item, where the law's clock runs.
        permissions.require(permissions.can_relay_from(actor, intake.relay_site))
    elif intake.channel == Channel.WINDOW:
        permissions.require(permissions.can_receive_at(actor, site))
    received_on = _local_date(now)
    delivery_method, delivery_site = _delivery(intake, site)
    case = Case.objects.create(
        item=item,
        version=version,
        department=item.department,
        channel=intake.channel,
        status=Status.RECEIVED,
        applicant_name=intake.applicant.name.strip(),
        applicant_id_type=intake.applicant.id_type,
        applicant_id_number=normalised_id_number(intake.applicant.id_number),
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
        delivery_method=delivery_method,
        delivery_site=delivery_site,
        duplicate_of=open_cases[0] if open_cases else None,
        duplicate_reason=intake.duplicate_reason.strip() if open_cases else "",
        materials_outstanding=outstanding_at_intake(intake.materials),
    )
    materials_record_intake(case, intake.materials, actor=actor, at=now)
    duplicate = {"duplicate_of": open_cases[0].tracking_number, "reason": case.duplicate_reason} if open_cases else {}
    _audit(
        actor,
        "submit",
        case,
        at=now,
        channel=case.channel,
        site=site.code,
        relay_site=intake.relay_site.code if intake.relay_site else None,
        version=version.number,
        delivery=intake.delivery,
        delivery_site=delivery_site.code if delivery_site else None,
        **duplicate,
    )
    received = _("your application has been received; we will accept it or tell you what is missing by %(date)s.") % {
        "date": f"{case.acceptance_due:%Y-%m-%d}"
    }
    query = _("Your query code is %(code)s; with the tracking number it shows your application online.") % {
        "code": case.query_code
    }
    _tell(case, "submitted", f"{received} {query}")
    return case


# What an online applicant is told of an open case: whoever typed an identity number learns no case number or site.
DUPLICATE_ONLINE = gettext_lazy(
    "An application of yours for this item is still open. One application is handled in one place: follow it on "
    "the tracking page with its tracking number, or withdraw it there before applying again. If this is a different "
    "matter, apply at a service window, where the clerk can register it with the reason."
)


def case_apply_online(*, actor: User | None, intake: Intake, now: datetime.datetime | None = None) -> Case:
    """Plan 二(四) 网上申请: the portal's application, from the page or the API. The item must offer online
    application; the case is registered as ``case_submit`` does (channel online, ``actor`` its applicant
    account, or None for a session that proved its phone). An open case of the same applicant and item is
    refused (禁止两头受理) without naming it."""
    intake.channel = Channel.ONLINE
    intake.relay_site, intake.agency_authorisation, intake.duplicate_reason = None, "", ""
    version = intake.item.current_version
    if version is None or not version.online_application:
        raise DomainError(_("This item cannot be applied for online."), code="online_not_offered")
    try:
        return case_submit(actor=actor, intake=intake, now=now)
    except DuplicateApplication:
        raise TransitionNotAllowed(str(DUPLICATE_ONLINE), code="duplicate_application") from None


def _delivery(intake: Intake, site: Site) -> tuple[str, Site | None]:
    """Plan 二(四) 结果反馈: the result goes back where the applicant came (the relaying room, else the receiving
    site), unless they chose the deciding site or the post at intake. A posted result has no counter: the site
    that has the result when it is ready posts it."""
    if intake.delivery == DeliveryChoice.POST:
        return DeliveryMethod.POST, None
    if intake.delivery == DeliveryChoice.DECIDING_SITE:
        return DeliveryMethod.WINDOW, _deciding_site_of(intake.item.current_version, site)
    return DeliveryMethod.WINDOW, intake.relay_site or site


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
    left_out = materials_unlisted(case, problems)
    if left_out:
        raise DomainError(
            _("The notice must list every material still missing or defective, also: %(names)s.")
            % {"names": "、".join(left_out)},
            code="supplement_incomplete",
        )
    is_repeat = case.supplement_count > 0
    if is_repeat and not repeat_reason.strip():
        raise DomainError(
            _("A supplement notice was already issued; a second one needs a reason and is reported to supervision."),
            code="repeat_supplement_needs_reason",
        )
    materials_list_in_notice(case, problems, actor=actor, at=now)
    materials_outstanding_count(case)
    case.status = Status.SUPPLEMENT_REQUESTED
    case.supplement_count += 1
    case.save(update_fields=["status", "supplement_count", "materials_outstanding"])
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
    """The applicant brought what the notice asked for: each material's own row becomes provided (its history
    says who received it when), and the case waits for acceptance again, with a new 5-working-day window from
    today. Whatever is still outstanding keeps acceptance waiting."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "receive_supplement")
    permissions.require(permissions.can(actor, "receive_supplement", case, on=_local_date(now)))
    supplied = materials_supply(case, materials, actor=actor, at=now)
    materials_outstanding_count(case)
    case.status = Status.RECEIVED
    case.acceptance_due = add_workdays(_local_date(now), PRECHECK_WORKING_DAYS).date
    case.save(update_fields=["status", "acceptance_due", "materials_outstanding"])
    _audit(
        actor,
        "receive_supplement",
        case,
        at=now,
        materials=supplied,
        outstanding=outstanding_names(case),
    )
    return case


def _open_tasks(case: Case, now: datetime.datetime, actor: User | None) -> ReviewTask | None:
    """The item's steps become tasks; joint items add one parallel review per co-department. Step limits run
    from the day the tasks open (for acceptance by law the case's own clock already runs from the receipt)."""
    on = _local_date(now)
    version = case.version
    steps = list(version.steps.all())
    tasks = []
    decision_index = len(steps) - 1
    for index, step in enumerate(steps):
        # Each step is done at the site of its tier above the receiving site (the catalogue's step tier).
        site = tier_site(case.receiving_site, step.tier)
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
    # The next step opens before the rows are written (one statement for all, none to read it back).
    waiting = [task for task in tasks if not task.is_parallel and task.state == ReviewTask.State.WAITING]
    next_task = min(waiting, key=lambda task: task.position, default=None)
    if next_task is not None:
        _step_opened(next_task, on)
    ReviewTask.objects.bulk_create(tasks)
    return next_task


@transaction.atomic
def case_accept(*, actor: User | None, case: Case, deemed: bool = False, now: datetime.datetime | None = None) -> Case:
    """ALL art. 32: accept the application; the clock starts. Materials missing or defective are asked for first
    (one supplement notice) or recorded as not needed. ``deemed``: no acceptance, refusal or notice came within 5
    working days of receipt, so the law counts it as accepted on the day it was received, whatever its materials."""
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
    by_law = deemed or accepted_by_law(case, _local_date(now))
    if case.materials_outstanding and not by_law:
        raise TransitionNotAllowed(
            _(
                "Not accepted yet: materials are missing or defective (%(names)s). Issue the one-time supplement "
                "notice listing them, or record why a material is not needed."
            )
            % {"names": "、".join(outstanding_names(case))},
            code="materials_incomplete",
        )
    case.status = Status.ACCEPTED
    case.accepted_at = now
    case.accepted_on = case.received_on if by_law else _local_date(now)
    case.accepted_by = actor
    case.is_deemed_accepted = by_law
    _set_deadlines(case)
    case.save(
        update_fields=[
            "status",
            "accepted_at",
            "accepted_on",
            "accepted_by",
            "is_deemed_accepted",
            "promised_due",
            "statutory_due",
            "deadlines_provisional",
        ]
    )
    next_task = _open_tasks(case, now, actor)
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
    # A step of a higher tier right after the intake (a village room's application reviewed at the town) moves it.
    _move_to_step(case, next_task, actor, now)
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
