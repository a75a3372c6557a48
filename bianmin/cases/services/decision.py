"""The decision and what follows: certificate, fee, delivery; withdrawal; the immediate case (ALL art. 37–44, 58)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.catalog.models import CaseType, FeeRule
from bianmin.core.errors import DomainError
from bianmin.core.numbering import counter_next
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.core.workdays import add_workdays

from .. import permissions
from ..models import (
    Case,
    CaseMaterial,
    DeliveryMethod,
    Notice,
    ReviewTask,
    Status,
)
from ..workflow import check_transition
from ._common import (
    APPEAL_RIGHTS,
    CERTIFICATE_WORKING_DAYS,
    _audit,
    _finish_task,
    _issue,
    _local_date,
    _lock,
    _now,
    _tell,
)
from .intake import Intake, case_accept, case_submit
from .review import case_complete_task

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


# 制证 produces the licence as a document (number series, validity, signature, PDF): the licences app, above this one,
# registers its service here in its AppConfig.ready, so the case's pages, API and the immediate case reach it.
CertificateIssuer = Callable[..., Case]
_certificate_issuer: list[CertificateIssuer] = []


def register_certificate_issuer(issuer: CertificateIssuer) -> None:
    _certificate_issuer[:] = [issuer]


def case_issue_certificate(
    *,
    actor: User | None,
    case: Case,
    now: datetime.datetime | None = None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    scope: str = "",
) -> Case:
    """ALL art. 44: issue the licence of an approved case (within 10 working days of the approval), through the
    registered service (``licences.services.licence_issue``); the validity and what is permitted default to the
    item's rule and the application. Returns the case as changed."""
    if not _certificate_issuer:
        raise ImproperlyConfigured("No certificate issuer is registered: is bianmin.licences installed?")
    return _certificate_issuer[0](
        actor=actor, case=case, now=now, valid_from=valid_from, valid_until=valid_until, scope=scope
    )


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
    # 国办发〔2019〕51号: every case can be rated; the text message carries the rating page's link.
    link = settings.PUBLIC_URL + reverse("ratings_public:rate", args=[case.tracking_number]) + "?via=sms"
    _tell(case, "delivered", _("your result has been handed over. Please rate our service: %(link)s") % {"link": link})
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
