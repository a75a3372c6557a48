"""Every write of assessment: schemes and their items, manual scores, runs (start, compute, publish) and
objections. Each checks permission and the allowed move, locks, and writes its audit event in one transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.transitions import TransitionNotAllowed, check_transition
from bianmin.core.workdays import add_workdays

from .compute import period_of
from .metrics import METRICS, POINTS, RATE
from .models import AssessmentRun, ItemKind, ManualScore, Objection, Scheme, SchemeItem, SubjectResult
from .periods import period_check
from .permissions import can_manage_assessment, subject_ids_of
from .running import RUN_MOVES, today_of
from .tasks import compute_assessment_run

SCHEME_MOVES = {
    "activate": (Scheme.State.DRAFT,),
    "retire": (Scheme.State.ACTIVE,),
    "edit": (Scheme.State.DRAFT,),
}
OBJECTION_MOVES = {
    "uphold": (Objection.State.FILED,),
    "reject": (Objection.State.FILED,),
}


def _check_manager(actor: User) -> None:
    if not can_manage_assessment(actor):
        raise PermissionDenied(_("Only the county's centre administrators define, run and publish assessments."))


_today = today_of


def _decimal(value, *, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise DomainError(_("%(field)s must be a number.") % {"field": field}, code="number_invalid")
    return number


@transaction.atomic
def scheme_create(*, actor: User, now: datetime.datetime | None = None, **fields) -> Scheme:
    """Plan: 绩效考核制 — a centre administrator defines a scheme (in draft until activated)."""
    _check_manager(actor)
    scheme = Scheme(created_by=actor, created_at=now or timezone.now(), **fields)
    try:
        scheme.full_clean()
    except ValidationError as error:
        raise DomainError("; ".join(error.messages), code="scheme_invalid") from error
    if not scheme.pass_from <= scheme.good_from <= scheme.excellent_from <= scheme.cap:
        raise DomainError(_("The grades' thresholds must rise from pass to excellent."), code="thresholds_invalid")
    scheme.save()
    audit_record(actor=actor, action="assessment.scheme_create", obj=scheme, payload={"name": scheme.name})
    return scheme


@transaction.atomic
def scheme_item_add(*, actor: User, scheme: Scheme, **fields) -> SchemeItem:
    """Adds an item to a draft scheme; a points or rate item names a registered metric of its kind."""
    _check_manager(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    check_transition(SCHEME_MOVES, "edit", scheme.state, message=_("Only a draft scheme can be changed."))
    item = SchemeItem(scheme=scheme, **fields)
    if item.kind in (ItemKind.POINTS, ItemKind.RATE):
        metric = METRICS.get(item.metric)
        if metric is None or metric.kind != {ItemKind.POINTS: POINTS, ItemKind.RATE: RATE}[item.kind]:
            raise DomainError(_("Choose a metric of the item's kind."), code="metric_invalid")
    elif item.metric:
        raise DomainError(_("A manual or vote item has no metric."), code="metric_invalid")
    if item.cap is not None and item.cap < 0:
        raise DomainError(_("An item's cap is a number of points, not below zero."), code="cap_invalid")
    try:
        item.full_clean()
    except ValidationError as error:
        raise DomainError("; ".join(error.messages), code="item_invalid") from error
    item.save()
    audit_record(
        actor=actor, action="assessment.scheme_item_add", obj=scheme, payload={"item": item.pk, "name": item.name}
    )
    return item


def _scheme_move(*, actor: User, scheme: Scheme, move: str, state: str) -> Scheme:
    _check_manager(actor)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        check_transition(
            SCHEME_MOVES,
            move,
            scheme.state,
            message=_("The scheme is %(state)s.") % {"state": scheme.get_state_display()},
        )
        if move == "activate" and not scheme.items.exists():
            raise TransitionNotAllowed(_("A scheme needs at least one item."), code="scheme_empty")
        scheme.state = state
        scheme.save(update_fields=["state"])
        audit_record(actor=actor, action=f"assessment.scheme_{move}", obj=scheme)
    return scheme


def scheme_activate(*, actor: User, scheme: Scheme) -> Scheme:
    return _scheme_move(actor=actor, scheme=scheme, move="activate", state=Scheme.State.ACTIVE)


def scheme_retire(*, actor: User, scheme: Scheme) -> Scheme:
    return _scheme_move(actor=actor, scheme=scheme, move="retire", state=Scheme.State.RETIRED)


@transaction.atomic
def manual_score_enter(
    *,
    actor: User,
    item: SchemeItem,
    period_start: datetime.date,
    subject_id: int,
    points,
    reason: str,
    evidence: str = "",
    now: datetime.datetime | None = None,
) -> ManualScore:
    """A named assessor scores a manual item (or enters a vote's share in %) for one subject and period, with the
    reason and the evidence; entering again replaces it until a run freezes it."""
    _check_manager(actor)
    if item.kind not in (ItemKind.MANUAL, ItemKind.VOTE):
        raise DomainError(_("Only a manual or vote item is scored by hand."), code="item_not_manual")
    if not reason.strip():
        raise DomainError(_("Give the reason for the score."), code="reason_required")
    period_check(item.scheme.period_kind, period_start)
    value = _decimal(points, field=_("Points"))
    score, _created = ManualScore.objects.select_for_update().update_or_create(
        item=item,
        period_start=period_start,
        subject_id=subject_id,
        defaults={
            "points": value,
            "reason": reason.strip(),
            "evidence": evidence.strip()[:200],
            "assessor": actor,
            "entered_at": now or timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action="assessment.manual_score",
        obj=score,
        payload={"item": item.pk, "subject": subject_id, "points": str(value), "period": period_start.isoformat()},
    )
    return score


@transaction.atomic
def run_start(
    *, actor: User, scheme: Scheme, period_start: datetime.date, now: datetime.datetime | None = None
) -> AssessmentRun:
    """Queues the computation of a scheme for a period as its next version (the worker computes it)."""
    _check_manager(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.state != Scheme.State.ACTIVE:
        raise TransitionNotAllowed(_("Only a scheme in force is run."), code="scheme_not_active")
    period_check(scheme.period_kind, period_start)
    now = now or timezone.now()
    if period_start > _today(now):
        raise DomainError(_("That period has not begun."), code="period_in_future")
    latest = scheme.runs.filter(period_start=period_start).aggregate(latest=Max("version"))["latest"] or 0
    run = AssessmentRun.objects.create(
        scheme=scheme,
        period_start=period_start,
        period_end=period_of(scheme, period_start, _today(now)).end,
        version=latest + 1,
        started_by=actor,
        started_at=now,
    )
    audit_record(
        actor=actor,
        action="assessment.run_start",
        obj=run,
        payload={"scheme": scheme.pk, "period": period_start.isoformat(), "version": run.version},
    )
    transaction.on_commit(lambda: compute_assessment_run.enqueue(run.pk))
    return run


@transaction.atomic
def run_publish(*, actor: User, run: AssessmentRun, now: datetime.datetime | None = None) -> AssessmentRun:
    """Publishing (a move with its audit event): the subjects may object within the scheme's working days; an
    earlier published version of the same period is superseded."""
    _check_manager(actor)
    run = AssessmentRun.objects.select_for_update().select_related("scheme").get(pk=run.pk)
    check_transition(
        RUN_MOVES, "publish", run.state, message=_("This run is %(state)s.") % {"state": run.get_state_display()}
    )
    now = now or timezone.now()
    AssessmentRun.objects.filter(
        scheme=run.scheme, period_start=run.period_start, state=AssessmentRun.State.PUBLISHED
    ).update(state=AssessmentRun.State.SUPERSEDED)
    run.state = AssessmentRun.State.PUBLISHED
    run.published_at, run.published_by = now, actor
    run.objections_due = add_workdays(_today(now), run.scheme.objection_days).date
    run.save(update_fields=["state", "published_at", "published_by", "objections_due"])
    audit_record(
        actor=actor,
        action="assessment.run_publish",
        obj=run,
        payload={"version": run.version, "objections_due": run.objections_due.isoformat()},
    )
    return run


@transaction.atomic
def objection_file(
    *, actor: User, result: SubjectResult, reason: str, now: datetime.datetime | None = None
) -> Objection:
    """The subject objects to its published result within the working days the scheme allows."""
    result = SubjectResult.objects.select_for_update().select_related("run__scheme").get(pk=result.pk)
    run = result.run
    if result.subject_id not in subject_ids_of(actor, run.scheme.subject_kind):
        raise PermissionDenied(_("Only the assessed subject objects to its result."))
    now = now or timezone.now()
    if run.state != AssessmentRun.State.PUBLISHED:
        raise TransitionNotAllowed(_("Only a published result can be objected to."), code="run_not_published")
    if _today(now) > run.objections_due:
        raise TransitionNotAllowed(_("The time to object has passed."), code="objection_late")
    if result.objections.filter(state=Objection.State.FILED).exists():
        raise TransitionNotAllowed(_("An objection to this result awaits its answer."), code="objection_pending")
    if not reason.strip():
        raise DomainError(_("Say why the result is wrong."), code="reason_required")
    objection = Objection.objects.create(result=result, reason=reason.strip(), filed_by=actor, filed_at=now)
    audit_record(actor=actor, action="assessment.objection_file", obj=objection, payload={"result": result.pk})
    return objection


@transaction.atomic
def objection_answer(
    *, actor: User, objection: Objection, upheld: bool, answer: str, now: datetime.datetime | None = None
) -> Objection:
    """The assessor upholds or rejects an objection with an answer; an upheld one is corrected by a re-run."""
    _check_manager(actor)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    move = "uphold" if upheld else "reject"
    check_transition(OBJECTION_MOVES, move, objection.state, message=_("This objection was already answered."))
    if not answer.strip():
        raise DomainError(_("Give the answer."), code="answer_required")
    objection.state = Objection.State.UPHELD if upheld else Objection.State.REJECTED
    objection.answer, objection.answered_by, objection.answered_at = answer.strip(), actor, now or timezone.now()
    objection.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    audit_record(actor=actor, action=f"assessment.objection_{move}", obj=objection)
    return objection
