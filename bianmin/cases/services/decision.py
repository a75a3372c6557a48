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
def case_mark_ready(
    *, actor: User | None, case: Case, method: str | None = None, now: datetime.datetime | None = None
) -> Case:
    """Plan 二(四) 结果反馈: the result is ready. Handed over at another site (where the applicant applied, the
    relaying village room), it is sent there and the case moves with it; the applicant is told where to collect it
    once it has arrived (``case_receive_result``). ``method`` changes the applicant's choice at intake."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "mark_ready")
    permissions.require(permissions.can(actor, "mark_ready", case, on=_local_date(now)))
    if case.ready_at:
        raise TransitionNotAllowed(_("The result was already marked ready."), code="already_ready")
    _check_ready(case, method)
    _choose_method(case, method)
    case.ready_at = now
    is_sent = _result_elsewhere(case)
    if is_sent:
        case.sent_from_site, case.current_site = case.current_site, case.delivery_site
    else:
        case.result_arrived_at, case.result_received_by = now, actor
    case.save()
    _audit(
        actor,
        "mark_ready",
        case,
        at=now,
        method=case.delivery_method,
        delivery_site=case.delivery_site.code if case.delivery_site_id else None,
        sent_from=case.sent_from_site.code if is_sent else None,
    )
    if is_sent:
        _tell(
            case,
            "sent",
            _("the result of your application was sent to %(place)s; we will tell you when you can collect it.")
            % {"place": case.delivery_site.name},
        )
    elif case.delivery_method == DeliveryMethod.WINDOW:
        _tell_arrived(case)
    return case


def _choose_method(case: Case, method: str | None) -> None:
    """The applicant's choice at intake, or a new one: a counter of the delivery site (where they applied unless
    they chose another) or the post (from the site that has the result)."""
    method = method or case.delivery_method or DeliveryMethod.WINDOW
    if method == DeliveryMethod.POST:
        case.delivery_method, case.delivery_site = DeliveryMethod.POST, None
        return
    case.delivery_method = DeliveryMethod.WINDOW
    if case.delivery_site_id is None:
        case.delivery_site = case.relay_site or case.receiving_site


def _result_elsewhere(case: Case) -> bool:
    return case.delivery_method == DeliveryMethod.WINDOW and case.delivery_site_id != case.current_site_id


def _place(site) -> str:
    """The site as a text message names it: its name, address and opening hours."""
    parts = [site.name, site.address, site.opening_hours]
    return "，".join(part for part in parts if part)


def _tell_arrived(case: Case) -> None:
    _tell(
        case,
        "ready",
        _("the result of your application is ready for you at %(place)s. Bring your identity document.")
        % {"place": _place(case.current_site)},
    )


def _check_ready(case: Case, method: str | None) -> None:
    if method is not None and method not in DeliveryMethod.values:
        raise DomainError(_("Choose how the result is delivered."), code="delivery_invalid")
    if case.status == Status.APPROVED:
        if not case.certificate_issued_at:
            raise TransitionNotAllowed(_("Issue the certificate first."), code="certificate_missing")
        if case.version.has_fee and not case.fee_paid_at:
            raise TransitionNotAllowed(_("Collect the fee first."), code="fee_missing")


@transaction.atomic
def case_receive_result(*, actor: User | None, case: Case, now: datetime.datetime | None = None) -> Case:
    """Plan 二(四) 结果反馈: the clerk of the delivery site records that the result sent there has arrived; only
    now is the applicant told to collect it there (with the site's address and hours)."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "receive_result")
    permissions.require(permissions.can(actor, "receive_result", case, on=_local_date(now)))
    if case.ready_at is None:
        raise TransitionNotAllowed(_("The result has not been sent yet."), code="result_not_sent")
    if case.result_arrived_at is not None:
        raise TransitionNotAllowed(_("The result's arrival was already recorded."), code="result_arrived")
    case.result_arrived_at, case.result_received_by = now, actor
    case.save(update_fields=["result_arrived_at", "result_received_by"])
    _audit(actor, "receive_result", case, at=now, site=case.current_site.code)
    _tell_arrived(case)
    return case


@transaction.atomic
def case_deliver(
    *,
    actor: User | None,
    case: Case,
    method: str | None = None,
    recipient_name: str = "",
    recipient_id_number: str = "",
    post_tracking_number: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Hand over the result (or the denial) and close the case, recording who handed what to whom: at a counter
    with a delivery receipt (送达回证) for the recipient to sign, or by post with its tracking number. A result sent
    to another site is handed over there once its arrival is recorded."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "deliver")
    permissions.require(permissions.can(actor, "deliver", case, on=_local_date(now)))
    _check_ready(case, method)
    if case.ready_at is None:
        _choose_method(case, method)
        if _result_elsewhere(case):
            raise TransitionNotAllowed(
                _("The result is handed over at %(site)s: mark it ready to send it there.")
                % {"site": case.delivery_site.name},
                code="result_elsewhere",
            )
        case.ready_at = case.result_arrived_at = now
        case.result_received_by = actor
    elif method is not None and method != case.delivery_method:
        raise DomainError(_("The result was already sent for this way of delivery."), code="delivery_invalid")
    if case.result_arrived_at is None:
        raise TransitionNotAllowed(_("Record first that the result has arrived here."), code="result_not_arrived")
    notice = _record_handover(case, actor, now, recipient_name, recipient_id_number, post_tracking_number)
    case.delivery_note = note.strip()
    case.delivered_at = now
    case.delivered_by = actor
    case.closed_at = now
    case.status = Status.CLOSED
    case.save()
    _audit(
        actor,
        "deliver",
        case,
        at=now,
        method=case.delivery_method,
        note=note.strip(),
        site=case.current_site.code,
        notice=notice.number if notice else None,
        post_tracking_number=case.post_tracking_number or None,
    )
    # 国办发〔2019〕51号: every case can be rated; the text message carries the rating page's link.
    link = settings.PUBLIC_URL + reverse("ratings_public:rate", args=[case.tracking_number]) + "?via=sms"
    rate = _("Please rate our service: %(link)s") % {"link": link}
    if case.delivery_method == DeliveryMethod.POST:
        posted = _("your result was posted to you, postal tracking number %(number)s.") % {
            "number": case.post_tracking_number
        }
        _tell(case, "delivered", f"{posted} {rate}")
    else:
        handed_over = _("your result has been handed over.")
        _tell(case, "delivered", f"{handed_over} {rate}")
    return case


def _record_handover(
    case: Case, actor: User | None, now: datetime.datetime, name: str, id_number: str, tracking: str
) -> Notice | None:
    """Who received what: the post's tracking number, or the recipient at the counter and the delivery receipt
    (送达回证) printed for their signature."""
    if case.delivery_method == DeliveryMethod.POST:
        if not tracking.strip():
            raise DomainError(_("Enter the postal tracking number."), code="tracking_number_required")
        case.post_tracking_number = tracking.strip()
        case.recipient_name = case.applicant_name
        return None
    case.recipient_name = name.strip() or case.applicant_name
    if case.recipient_name != case.applicant_name and not id_number.strip():
        # Someone else collects it: their own document is checked and recorded, never the applicant's number.
        raise DomainError(
            _("Enter the document number of the person who collects it."), code="recipient_document_required"
        )
    case.recipient_id_number = (id_number.strip() or case.applicant_id_number).upper()
    # What was handed over, as data: the PDF names each in the language it is printed in.
    documents = [
        {"kind": kind, "number": number}
        for kind, number in case.notices.filter(kind__in=[Notice.Kind.APPROVAL, Notice.Kind.DENIAL]).values_list(
            "kind", "number"
        )
    ]
    if case.certificate_number:
        documents.append({"name": case.version.result_name, "number": case.certificate_number})
    return _issue(
        case,
        Notice.Kind.DELIVERY,
        actor,
        now,
        {
            "documents": documents,
            "recipient": case.recipient_name,
            "recipient_id_number": case.recipient_id_number,
            "is_applicant": case.recipient_name == case.applicant_name,
            "place": case.current_site.name,
            "address": case.current_site.address,
            "handed_over_by": (actor.get_full_name() or actor.username) if actor else "",
        },
    )


@transaction.atomic
def case_record_signature(*, actor: User | None, case: Case, now: datetime.datetime | None = None) -> Case:
    """The recipient signed the delivery receipt (送达回证) handed over with the result; the signed paper is filed."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "record_signature")
    permissions.require(permissions.can(actor, "record_signature", case, on=_local_date(now)))
    if case.delivery_method != DeliveryMethod.WINDOW or case.delivered_at is None:
        raise TransitionNotAllowed(
            _("Only a result handed over at a counter has a receipt to sign."), code="no_receipt"
        )
    if case.delivery_signed_at is not None:
        raise TransitionNotAllowed(_("The signed receipt was already recorded."), code="receipt_signed")
    case.delivery_signed_at = now
    case.save(update_fields=["delivery_signed_at"])
    _audit(actor, "record_signature", case, at=now)
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
