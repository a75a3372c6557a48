"""Every write of 好差评: a rating, the tablet's prompt, the default ratings, a rectification's moves and an appeal.

Each is one function: the permission, the move from ``RECTIFICATION_MOVES`` (``core.transitions``), a row lock and
the audit event in one transaction. The rater is always the applicant (国办发〔2019〕51号: "评价人为办事企业和群众"):
a person holding a staff role, or a staff account, can never submit a rating (``rating_submit`` refuses them).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.cases.models import Case, Status
from bianmin.cases.selectors import case_get_for_user
from bianmin.core import transitions
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.uploads import upload_clean
from bianmin.core.workdays import add_workdays
from bianmin.org.models import Role, RoleAssignment, Window
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope

from .models import (
    BAD_LEVELS,
    ONLINE_INDICATORS,
    TAGS,
    WINDOW_INDICATORS,
    Appeal,
    Channel,
    Level,
    Rating,
    RatingTag,
    Rectification,
    TabletPrompt,
)

State = Rectification.State
PROMPT_SECONDS = 180  # how long the tablet shows a case before it returns to idle
COMMENT_LIMIT = 500

# move -> (the states it may start from, the state it leads to); "reject" returns to the state before the appeal.
RECTIFICATION_MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    "verify": (frozenset({State.OPEN}), State.VERIFIED),
    "rectify": (frozenset({State.VERIFIED}), State.RECTIFIED),
    "call_back": (frozenset({State.RECTIFIED}), State.CALLED_BACK),
    "record_outcome": (frozenset({State.RECTIFIED, State.CALLED_BACK}), State.DONE),
    "appeal": (frozenset({State.OPEN, State.VERIFIED}), State.APPEALED),
    "uphold": (frozenset({State.APPEALED}), State.EXCLUDED),
    "reject": (frozenset({State.APPEALED}), None),
    "rate_fix": (frozenset({State.DONE}), State.DONE),
}
MOVES: transitions.MoveTable = {move: starts for move, (starts, _target) in RECTIFICATION_MOVES.items()}
HANDLER_MOVES = ("verify", "rectify", "call_back", "record_outcome")
INDICATORS_OF = {Channel.WINDOW: WINDOW_INDICATORS, Channel.ONLINE: ONLINE_INDICATORS, Channel.SMS: ONLINE_INDICATORS}


def rectification_days() -> int:
    return settings.RATINGS_RECTIFICATION_DAYS


def is_staff_person(user: User | None) -> bool:
    """A staff account or anyone holding a role: never a rater."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or bool(user_scope(user).roles)


# --- Who handled the case (谁办理谁负责) -------------------------------------------------------------------------


def _clerk_window_of(staff: object, site: object) -> QuerySet:
    """The window where the staff member is a clerk at the site (the first assigned): ids or OuterRefs."""
    return (
        RoleAssignment.objects.filter(user_id=staff, role=Role.CLERK, site_id=site, window__isnull=False)
        .order_by("pk")
        .values("window_id")[:1]
    )


def _window_of(staff_id: int | None, site_id: int) -> int | None:
    if staff_id is None:
        return None
    return _clerk_window_of(staff_id, site_id).values_list("window_id", flat=True).first()


def _handled_by(case: Case, prompt: TabletPrompt | None) -> dict:
    """The site, department, window, staff member and item a rating is counted for: at a tablet, the window and the
    clerk who asked; otherwise the receiving site and the clerk who received the case (and that clerk's window)."""
    if prompt is not None:
        staff_id, window_id = prompt.requested_by_id, prompt.window_id
    else:
        staff_id = case.received_by_id
        window_id = _window_of(staff_id, case.receiving_site_id)
    return {
        "site_id": case.receiving_site_id,
        "department_id": case.department_id,
        "window_id": window_id,
        "staff_id": staff_id,
        "item_id": case.item_id,
    }


# --- Ratings -----------------------------------------------------------------------------------------------------


def _level(value, message: str) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise DomainError(message, code="level_invalid")
    return level


def _indicators(channel: str, given: Mapping[str, object]) -> dict[str, int]:
    allowed = INDICATORS_OF[channel]
    values = {}
    for code, value in given.items():
        if value in (None, ""):
            continue
        if code not in allowed:
            raise DomainError(_("This indicator does not belong to this kind of rating."), code="indicator_invalid")
        values[code] = _level(value, _("Choose one of the five levels for each indicator."))
    return values


def _tags(given: Iterable[str]) -> list[str]:
    tags = list(dict.fromkeys(given))
    if any(tag not in TAGS for tag in tags):
        raise DomainError(_("Choose tags from the list."), code="tag_invalid")
    return tags


def _checked_prompt(prompt: TabletPrompt | None, case: Case, now: datetime.datetime) -> TabletPrompt | None:
    if prompt is None:
        return None
    prompt = TabletPrompt.objects.select_for_update().get(pk=prompt.pk)
    if prompt.case_id != case.pk or prompt.answered_at is not None or prompt.expires_at <= now:
        raise transitions.TransitionNotAllowed(
            _("This rating request has expired. Ask the window to show it again."), code="prompt_expired"
        )
    return prompt


def _open_rectification(rating: Rating, now: datetime.datetime) -> Rectification:
    days = rectification_days()
    return Rectification.objects.create(
        rating=rating,
        case_id=rating.case_id,
        site_id=rating.site_id,
        department_id=rating.department_id,
        handler_id=rating.staff_id,
        opened_at=now,
        due_days=days,
        due=add_workdays(timezone.localdate(now), days).date,
    )


def rating_submit(
    *,
    actor: User | None,
    case: Case,
    channel: str,
    level,
    indicators: Mapping[str, object] | None = None,
    tags: Iterable[str] = (),
    comment: str = "",
    is_named: bool = True,
    prompt: TabletPrompt | None = None,
    now: datetime.datetime | None = None,
) -> Rating:
    """GB/T 39735-2020: the applicant rates the handling of their case, one rating per case and channel, with the
    overall satisfaction and the channel's national indicators; a bad review opens its rectification (国办发〔2019〕51号
    "差评整改"). ``actor`` is the person signed in, if any: staff can never rate for the applicant. The caller has
    verified the applicant (the tracking check, or the window's prompt on its tablet)."""
    now = now or timezone.now()
    if is_staff_person(actor):
        raise PermissionDenied(_("Staff cannot rate a service for the applicant."), code="staff_cannot_rate")
    if channel not in INDICATORS_OF:
        raise DomainError(_("This is not a way to rate a service."), code="channel_invalid")
    if (channel == Channel.WINDOW) != (prompt is not None):
        raise DomainError(_("A rating at the window is given on the window's tablet."), code="channel_invalid")
    level = _level(level, _("Choose how satisfied you are."))
    values = _indicators(channel, indicators or {})
    tags = _tags(tags)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise DomainError(_("The comment may be at most 500 characters."), code="comment_too_long")
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if case.status == Status.DRAFT:
            raise NotFound(_("No matching case was found."), code="case_not_found")
        prompt = _checked_prompt(prompt, case, now)
        if Rating.objects.filter(case=case, channel=channel).exists():
            raise transitions.TransitionNotAllowed(
                _("This case has already been rated this way. Thank you."), code="already_rated"
            )
        rating = Rating.objects.create(
            case=case,
            channel=channel,
            level=level,
            comment=comment,
            is_named=bool(is_named),
            rated_at=now,
            rated_on=timezone.localdate(now),
            **values,
            **_handled_by(case, prompt),
        )
        RatingTag.objects.bulk_create(RatingTag(rating=rating, tag=tag) for tag in tags)
        if prompt is not None:
            prompt.answered_at = now
            prompt.save(update_fields=["answered_at"])
        rectification = _open_rectification(rating, now) if level in BAD_LEVELS else None
        audit_record(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action="rating.submit",
            obj=rating,
            payload={
                "case": case.tracking_number,
                "channel": channel,
                "level": level,
                "rectification": rectification.pk if rectification else None,
            },
            occurred_at=now,
        )
    return rating


def rating_prompt_at_window(
    *, actor: User, case: Case, window: Window, now: datetime.datetime | None = None
) -> TabletPrompt:
    """一次一评: the clerk who just served the applicant puts the case on their window's tablet, facing the applicant,
    for PROMPT_SECONDS; only the applicant's touch on the tablet rates it."""
    now = now or timezone.now()
    if not (actor.is_superuser or user_scope(actor).is_window_clerk(window)):
        raise PermissionDenied(_("Only a clerk of this window can ask for a rating on its tablet."))
    if case_get_for_user(actor, case.pk) is None:
        raise NotFound(_("No matching case was found."), code="case_not_found")
    with transaction.atomic():
        TabletPrompt.objects.filter(window=window, answered_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        prompt = TabletPrompt.objects.create(
            window=window,
            case=case,
            requested_by=actor,
            requested_at=now,
            expires_at=now + datetime.timedelta(seconds=PROMPT_SECONDS),
        )
        audit_record(
            actor=actor,
            action="rating.prompt",
            obj=prompt,
            payload={"case": case.tracking_number, "window": window.pk},
            occurred_at=now,
        )
    return prompt


# --- The county's default rating (no rating within N natural days) ----------------------------------------------

# The Rating columns the default ratings fill, and the annotation that fills each one, in the same order.
_DEFAULT_COLUMNS = (
    ("case_id", "pk"),
    ("channel", "d_channel"),
    ("level", "d_level"),
    ("comment", "d_comment"),
    ("is_named", "d_false"),
    ("is_default", "d_true"),
    ("is_excluded", "d_false"),
    ("rated_at", "d_at"),
    ("rated_on", "d_on"),
    ("site_id", "receiving_site"),
    ("department_id", "department"),
    ("window_id", "d_window"),  # the receiving clerk's window, as for the other ratings
    ("staff_id", "received_by"),
    ("item_id", "item"),
)


def ratings_default_apply(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """The optional county rule "no rating within N natural days counts as 基本满意" (RATINGS_DEFAULT_AFTER_DAYS, 0 =
    off): one INSERT … SELECT gives every case closed at least N days ago and never rated its default rating, flagged
    ``is_default`` so the figures count it apart. Returns how many were made."""
    now = now or timezone.now()
    days = settings.RATINGS_DEFAULT_AFTER_DAYS if days is None else days
    if days <= 0:
        return 0
    cutoff = now - datetime.timedelta(days=days)
    rows = (
        Case.objects.filter(status=Status.CLOSED, closed_at__lte=cutoff)
        .filter(~Exists(Rating.objects.filter(case_id=OuterRef("pk"))))
        .annotate(
            d_channel=Value(Channel.DEFAULT, output_field=CharField()),
            d_level=Value(Level.BASICALLY_SATISFIED, output_field=IntegerField()),
            d_comment=Value("", output_field=CharField()),
            d_false=Value(False, output_field=BooleanField()),
            d_true=Value(True, output_field=BooleanField()),
            d_at=Value(now, output_field=DateTimeField()),
            d_on=Value(timezone.localdate(now), output_field=DateField()),
            d_window=Subquery(_clerk_window_of(OuterRef("received_by"), OuterRef("receiving_site"))),
        )
        .order_by()
        .values_list(*(source for _column, source in _DEFAULT_COLUMNS))
    )
    sql, params = rows.query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(column) for column, _source in _DEFAULT_COLUMNS)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {connection.ops.quote_name(Rating._meta.db_table)} ({columns}) {sql}", params)
            made = max(cursor.rowcount, 0)
        if made:
            audit_record(
                actor=None,
                action="rating.default",
                object_type="ratings.rating",
                object_id="",
                payload={"made": made, "days": days},
                occurred_at=now,
            )
    return made


# --- Rectification (谁办理谁负责) -------------------------------------------------------------------------------


def _lock(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating", "case", "site", "department")
        .get(pk=rectification.pk)
    )


def _check(rectification: Rectification, move: str) -> None:
    transitions.check_transition(
        MOVES,
        move,
        rectification.state,
        message=_("This cannot be done now: the rectification is “%(state)s”.")
        % {"state": rectification.get_state_display()},
    )


def _leads(actor: User, rectification: Rectification) -> bool:
    scope = user_scope(actor)
    return any(
        scope.holds(role, department_id=rectification.department_id)
        for role in (Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD)
    )


def may_handle(actor: User, rectification: Rectification) -> bool:
    """The handler of the case, or the head or chief representative of its department (谁办理谁负责)."""
    if actor.is_superuser:
        return True
    if not user_scope(actor).can_write:
        return False
    return rectification.handler_id == actor.pk or _leads(actor, rectification)


def may_appeal(actor: User, rectification: Rectification) -> bool:
    """申诉 is the department's: its head or chief representative."""
    return actor.is_superuser or (user_scope(actor).can_write and _leads(actor, rectification))


def may_decide_appeal(actor: User, rectification: Rectification) -> bool:
    return is_supervisor(actor) and user_scope(actor).covers_site(rectification.site)


def rectification_actions_for(user: User, rectification: Rectification) -> list[str]:
    """The moves ``user`` may make now (what the task page offers)."""
    checks = {"appeal": may_appeal, "uphold": may_decide_appeal, "reject": may_decide_appeal}
    checks |= dict.fromkeys(HANDLER_MOVES, may_handle)
    offered = [
        move
        for move in transitions.moves_from(MOVES, rectification.state)
        if move in checks and checks[move](user, rectification)
    ]
    if "record_outcome" in offered and rectification.state == State.RECTIFIED and rectification.rating.is_named:
        offered.remove("record_outcome")
    return offered


def _required_text(value: str, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code=code)
    return value


def _audit(actor: User | None, move: str, rectification: Rectification, now: datetime.datetime, **payload) -> None:
    audit_record(
        actor=actor,
        action=f"rectification.{move}",
        obj=rectification,
        payload={"case": rectification.case.tracking_number, "state": rectification.state, **payload},
        occurred_at=now,
    )


def _handler_move(actor: User, rectification: Rectification, move: str) -> Rectification:
    rectification = _lock(rectification)
    _check(rectification, move)
    if not may_handle(actor, rectification):
        raise PermissionDenied(_("Only the handler of the case or the department's leads act on this rectification."))
    return rectification


@transaction.atomic
def rectification_verify(
    *, actor: User, rectification: Rectification, is_founded: bool, findings: str, now: datetime.datetime | None = None
) -> Rectification:
    """整改 step 1: verify the bad review (is it founded, what happened)."""
    now = now or timezone.now()
    rectification = _handler_move(actor, rectification, "verify")
    rectification.findings = _required_text(findings, _("Say what the verification found."), "findings_required")
    rectification.is_founded = bool(is_founded)
    rectification.verified_at = now
    rectification.state = State.VERIFIED
    rectification.save(update_fields=["findings", "is_founded", "verified_at", "state"])
    _audit(actor, "verify", rectification, now, is_founded=rectification.is_founded)
    return rectification


@transaction.atomic
def rectification_rectify(
    *, actor: User, rectification: Rectification, measures: str, now: datetime.datetime | None = None
) -> Rectification:
    """整改 step 2: record what was fixed."""
    now = now or timezone.now()
    rectification = _handler_move(actor, rectification, "rectify")
    rectification.measures = _required_text(measures, _("Say what was rectified."), "measures_required")
    rectification.rectified_at = now
    rectification.state = State.RECTIFIED
    rectification.save(update_fields=["measures", "rectified_at", "state"])
    _audit(actor, "rectify", rectification, now)
    return rectification


@transaction.atomic
def rectification_call_back(
    *, actor: User, rectification: Rectification, note: str, now: datetime.datetime | None = None
) -> Rectification:
    """回访: call the applicant back after the fix (a named bad review always, 国办发〔2019〕51号)."""
    now = now or timezone.now()
    rectification = _handler_move(actor, rectification, "call_back")
    rectification.callback_note = _required_text(
        note, _("Say what the applicant said on the call back."), "callback_note_required"
    )
    rectification.called_back_at = now
    rectification.state = State.CALLED_BACK
    rectification.save(update_fields=["callback_note", "called_back_at", "state"])
    _audit(actor, "call_back", rectification, now)
    return rectification


@transaction.atomic
def rectification_record_outcome(
    *, actor: User, rectification: Rectification, outcome: str, now: datetime.datetime | None = None
) -> Rectification:
    """The end of the rectification: its outcome. A named bad review is called back first."""
    now = now or timezone.now()
    rectification = _handler_move(actor, rectification, "record_outcome")
    if rectification.state == State.RECTIFIED and rectification.rating.is_named:
        raise transitions.TransitionNotAllowed(
            _("A named bad review is called back before its outcome is recorded."), code="callback_required"
        )
    rectification.outcome = _required_text(outcome, _("Record the outcome."), "outcome_required")
    rectification.completed_at = now
    rectification.state = State.DONE
    rectification.save(update_fields=["outcome", "completed_at", "state"])
    _audit(actor, "record_outcome", rectification, now)
    return rectification


@transaction.atomic
def rectification_rate_fix(
    *, actor: User | None, rectification: Rectification, level, now: datetime.datetime | None = None
) -> Rectification:
    """整改满意: the applicant rates the fix, once. The caller has verified the applicant; staff never rate."""
    now = now or timezone.now()
    if is_staff_person(actor):
        raise PermissionDenied(_("Staff cannot rate a service for the applicant."), code="staff_cannot_rate")
    level = _level(level, _("Choose how satisfied you are."))
    rectification = _lock(rectification)
    _check(rectification, "rate_fix")
    if rectification.fix_level is not None:
        raise transitions.TransitionNotAllowed(_("You have already rated this fix. Thank you."), code="already_rated")
    rectification.fix_level = level
    rectification.fix_rated_at = now
    rectification.save(update_fields=["fix_level", "fix_rated_at"])
    _audit(None, "rate_fix", rectification, now, level=level)
    return rectification


# --- Appeals (申诉) ------------------------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(
    *,
    actor: User,
    rectification: Rectification,
    reason: str,
    evidence: File | None = None,
    now: datetime.datetime | None = None,
) -> Appeal:
    """申诉: the department asks to exclude a mistaken or malicious bad review, with its evidence (text, and a file
    checked by ``core.uploads.upload_clean``); the rectification waits for a supervisor."""
    now = now or timezone.now()
    rectification = _lock(rectification)
    _check(rectification, "appeal")
    if not may_appeal(actor, rectification):
        raise PermissionDenied(_("Only the department's head or chief representative may appeal a review."))
    reason = _required_text(reason, _("Give the reasons and the evidence for the appeal."), "reason_required")
    clean = upload_clean(evidence) if evidence is not None else None
    appeal = Appeal(
        rectification=rectification,
        reason=reason,
        state_before=rectification.state,
        filed_by=actor,
        filed_at=now,
        evidence_name=clean.name if clean is not None else "",
    )
    if clean is not None:
        appeal.evidence.save(clean.name, clean, save=False)
    appeal.save()
    rectification.state = State.APPEALED
    rectification.save(update_fields=["state"])
    _audit(actor, "appeal", rectification, now, appeal=appeal.pk)
    return appeal


def _pending_appeal(rectification: Rectification) -> Appeal:
    return Appeal.objects.select_for_update().get(rectification=rectification, state=Appeal.State.FILED)


@transaction.atomic
def appeal_decide(
    *, actor: User, rectification: Rectification, uphold: bool, note: str, now: datetime.datetime | None = None
) -> Appeal:
    """A supervisor decides the appeal: upheld, the rating is excluded from every figure (kept in the record) and the
    rectification ends; rejected, the rectification goes on from where it was."""
    now = now or timezone.now()
    rectification = _lock(rectification)
    move = "uphold" if uphold else "reject"
    _check(rectification, move)
    if not may_decide_appeal(actor, rectification):
        raise PermissionDenied(_("Only a supervisor of this site decides appeals."))
    note = _required_text(note, _("Give the reasons for the decision."), "note_required")
    appeal = _pending_appeal(rectification)
    appeal.state = Appeal.State.UPHELD if uphold else Appeal.State.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = actor, now, note
    appeal.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if uphold:
        rectification.state = State.EXCLUDED
        Rating.objects.filter(pk=rectification.rating_id).update(is_excluded=True)
    else:
        rectification.state = appeal.state_before
    rectification.save(update_fields=["state"])
    _audit(actor, move, rectification, now, appeal=appeal.pk)
    return appeal
