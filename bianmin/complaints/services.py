"""Every write of a complaint's life (投诉, 12345 工单), one function per move.

The life (DOMAIN §7, the 12345 hotline's rules): 受理 (accept or refuse, within 5 working days) → 派单 (assign to the
responsible department or site and a handler) → 办理 (handle) → 回复 (reply) → 办结 (finish, with the finding) → 回访
(call back) → 评价 (the complainant rates the handling). Each move: permission, the move from ``COMPLAINT_MOVES``
(``core.transitions``), a row lock, the audit event in the same transaction, messages after commit. Deadlines count
working days (ALL art. 82, ``core.workdays``) by kind, ``settings.COMPLAINT_HANDLING_DAYS``. A supervisor's reminder
(催办) on a late complaint gives it 5 more working days; still late then, it is reported (通报,
``complaints_report_late``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.cases.models import Case
from bianmin.core import transitions
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.notify import notify
from bianmin.core.numbering import counter_next
from bianmin.core.workdays import add_workdays
from bianmin.org.models import Department, Role, Site, Window
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope

from .models import Channel, Complaint, ComplaintKind, ComplaintSubject, IdentityView, PublicNotice, Reminder
from .selectors import may_see_identity

State = Complaint.State

# move -> (the states it may start from, the state it leads to; None: the state stays). The one table of the life.
COMPLAINT_MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({State.RECEIVED}), State.ACCEPTED),
    "refuse": (frozenset({State.RECEIVED}), State.REFUSED),
    "assign": (frozenset({State.ACCEPTED, State.ASSIGNED, State.HANDLING}), State.ASSIGNED),
    "handle": (frozenset({State.ASSIGNED}), State.HANDLING),
    "reply": (frozenset({State.ASSIGNED, State.HANDLING}), State.REPLIED),
    "finish": (frozenset({State.REPLIED}), State.FINISHED),
    "call_back": (frozenset({State.FINISHED}), State.CALLED_BACK),
    "rate": (frozenset({State.FINISHED, State.CALLED_BACK}), State.RATED),
    "remind": (frozenset(Complaint.RUNNING_STATES), None),
}
MOVE_STARTS: transitions.MoveTable = {move: starts for move, (starts, _target) in COMPLAINT_MOVES.items()}
SUPERVISOR_MOVES = ("accept", "refuse", "assign", "finish", "call_back", "remind")
HANDLER_MOVES = ("handle", "reply")
RECEIVERS_OF_HOTLINE = (Role.SUPERVISOR, Role.CENTRE_ADMIN)
MAX_TEXT = 5000


class DuplicateHotlineNumber(DomainError):
    code = "hotline_number_taken"
    status = 409


class UnknownReference(DomainError):
    """The complaint names a case, site or window that does not exist."""

    status = 422


def _move(complaint: Complaint, move: str) -> str:
    """The state ``move`` leads to, or TransitionNotAllowed (code ``transition_not_allowed``)."""
    transitions.check_transition(
        MOVE_STARTS,
        move,
        complaint.state,
        message=_("This cannot be done now: the complaint is “%(state)s”.") % {"state": complaint.get_state_display()},
    )
    return COMPLAINT_MOVES[move][1] or complaint.state


def handling_days(kind: str) -> int:
    """Working days to handle a complaint of ``kind`` (0: the same day), from the settings."""
    return int(settings.COMPLAINT_HANDLING_DAYS[kind])


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


def _lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("site", "department", "handler")
        .get(pk=complaint.pk)
    )


def _audit(actor: User | None, move: str, complaint: Complaint, now: datetime.datetime, **payload) -> None:
    # The complainant's identity never goes into the chain: the chain is read by more people than may see it.
    audit_record(
        actor=actor,
        action=f"complaint.{move}",
        obj=complaint,
        payload={"number": complaint.number, "state": complaint.state, **payload},
        occurred_at=now,
    )


def _required(value: str, message: str, code: str, *, max_length: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code=code)
    if len(value) > max_length:
        raise DomainError(_("The text is too long."), code="text_too_long")
    return value


def _may_supervise(actor: User | None, complaint: Complaint) -> bool:
    return actor is not None and is_supervisor(actor) and user_scope(actor).covers_site(complaint.site)


def _check_supervisor(actor: User | None, complaint: Complaint) -> None:
    if not _may_supervise(actor, complaint):
        raise PermissionDenied(_("Only a supervisor of this jurisdiction does this."))


def _check_handler(actor: User, complaint: Complaint) -> None:
    if complaint.handler_id != actor.pk:
        raise PermissionDenied(_("Only the handler the complaint is assigned to does this."))


def complaint_moves_for(user: User, complaint: Complaint) -> list[str]:
    """The moves ``user`` may make on ``complaint`` now (what the complaint page offers)."""
    allowed = transitions.moves_from(MOVE_STARTS, complaint.state)
    moves = []
    if _may_supervise(user, complaint):
        moves += [move for move in SUPERVISOR_MOVES if move in allowed]
    if complaint.handler_id == user.pk:
        moves += [move for move in HANDLER_MOVES if move in allowed]
    if "remind" in moves and not complaint_is_late(complaint, _today(timezone.now())):
        moves.remove("remind")
    return moves


def complaint_is_late(complaint: Complaint, today: datetime.date) -> bool:
    return complaint.state in Complaint.RUNNING_STATES and complaint.due < today


# --- Receiving -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Complainant:
    name: str
    phone: str
    id_number: str = ""


@dataclass(frozen=True)
class ComplaintIn:
    """What a complaint says, from any channel: the form, the staff page, the API, a row of the hotline's sheet."""

    kind: str
    subject: str
    text: str
    complainant: Complainant
    tracking_number: str = ""
    site: Site | None = None
    window: Window | None = None
    hotline_number: str = ""


def _check_receiver(actor: User | None, channel: str) -> None:
    if channel in (Channel.PORTAL, Channel.KIOSK):
        return  # anyone may complain
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in first."))
    scope = user_scope(actor)
    if channel == Channel.HOTLINE:
        if not (actor.is_superuser or scope.roles & set(RECEIVERS_OF_HOTLINE)):
            raise PermissionDenied(_("Only supervisors and centre administrators receive the hotline's work orders."))
    elif not (actor.is_superuser or scope.roles):
        raise PermissionDenied(_("Only staff enter complaints received by telephone."))


def _valid_input(data: ComplaintIn) -> tuple[Case | None, Site]:
    if data.kind not in ComplaintKind.values:
        raise DomainError(_("Choose the kind of the complaint."), code="kind_invalid")
    if data.subject not in ComplaintSubject.values:
        raise DomainError(_("Choose what the complaint is about."), code="subject_invalid")
    _required(data.text, _("Say what happened."), "text_required")
    _required(data.complainant.name, _("Give the complainant's name."), "name_required", max_length=100)
    phone = "".join((data.complainant.phone or "").split())
    if not (6 <= len(phone) <= 20 and phone.replace("-", "").isdigit()):
        raise DomainError(_("Give a telephone number we can call back."), code="phone_invalid")
    case = None
    if data.tracking_number.strip():
        case = Case.objects.select_related("current_site").filter(tracking_number=data.tracking_number.strip()).first()
        if case is None:
            raise UnknownReference(
                _("There is no case with the tracking number “%(number)s”.") % {"number": data.tracking_number},
                code="unknown_case",
            )
    if case is not None:
        site = case.current_site
    elif data.window is not None:
        site = data.window.site
    elif data.site is not None:
        site = data.site
    else:
        site = Site.objects.filter(parent__isnull=True, is_active=True).order_by("path").first()
        if site is None:
            raise UnknownReference(_("Choose the site the complaint is about."), code="unknown_site")
    return case, site


def complaint_receive(
    *,
    actor: User | None,
    channel: str,
    data: ComplaintIn,
    now: datetime.datetime | None = None,
) -> Complaint:
    """Receive a complaint by any channel (the portal, a kiosk, the telephone, a 12345 work order): its number and
    query code go to the complainant by SMS; the acceptance decision is due within 5 working days."""
    now = now or timezone.now()
    if channel not in Channel.values:
        raise DomainError(_("Choose the channel."), code="channel_invalid")
    _check_receiver(actor, channel)
    case, site = _valid_input(data)
    hotline_number = data.hotline_number.strip() or None
    if channel == Channel.HOTLINE and hotline_number is None:
        raise DomainError(_("Give the hotline's order number."), code="hotline_number_required")
    with transaction.atomic():
        if hotline_number and Complaint.objects.filter(hotline_number=hotline_number).exists():
            raise DuplicateHotlineNumber(
                _("The hotline's order %(number)s was received already.") % {"number": hotline_number}
            )
        acceptance_due = add_workdays(now, int(settings.COMPLAINT_ACCEPTANCE_DAYS)).date
        year = _today(now).year
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(
                    number=f"TS-{year}-{counter_next(f'complaint:{year}'):05d}",
                    hotline_number=hotline_number,
                    channel=channel,
                    kind=data.kind,
                    subject=data.subject,
                    text=data.text.strip(),
                    case=case,
                    window=data.window,
                    name=data.complainant.name.strip(),
                    phone="".join(data.complainant.phone.split()),
                    id_number="".join((data.complainant.id_number or "").split()).upper(),
                    site=site,
                    received_at=now,
                    received_by=actor if actor is not None and actor.is_authenticated else None,
                    acceptance_due=acceptance_due,
                    due=acceptance_due,
                )
        except IntegrityError:  # a concurrent receipt of the same hotline order
            raise DuplicateHotlineNumber(
                _("The hotline's order %(number)s was received already.") % {"number": hotline_number}
            ) from None
        _audit(
            actor if actor is not None and actor.is_authenticated else None,
            "receive",
            complaint,
            now,
            channel=channel,
            kind=complaint.kind,
            subject=complaint.subject,
            site=site.code,
            case=case.tracking_number if case else "",
            hotline_number=hotline_number or "",
            acceptance_due=acceptance_due,
        )
        notify(
            phone=complaint.phone,
            subject=_("Your complaint was received"),
            body=_(
                "Your complaint %(number)s was received. Query code: %(code)s. We decide on accepting it by %(due)s."
            )
            % {"number": complaint.number, "code": complaint.query_code, "due": acceptance_due},
            obj=complaint,
            event="complaint_received",
        )
    return complaint


# --- The moves -----------------------------------------------------------------------------------------------------


def complaint_accept(*, actor: User, complaint: Complaint, now: datetime.datetime | None = None) -> Complaint:
    """受理: accept the complaint; the handling deadline of its kind starts (urgent the same day, consultation and
    help 3, complaints 13 working days by default)."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        complaint.state = _move(complaint, "accept")
        _check_supervisor(actor, complaint)
        complaint.handling_days = handling_days(complaint.kind)
        complaint.due = add_workdays(now, complaint.handling_days).date
        complaint.accepted_at = now
        complaint.save(update_fields=["state", "handling_days", "due", "accepted_at"])
        _audit(actor, "accept", complaint, now, due=complaint.due, handling_days=complaint.handling_days)
    return complaint


def complaint_refuse(
    *, actor: User, complaint: Complaint, reason: str, now: datetime.datetime | None = None
) -> Complaint:
    """受理: refuse to accept, with the reason told to the complainant."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        complaint.state = _move(complaint, "refuse")
        _check_supervisor(actor, complaint)
        complaint.refusal_reason = _required(reason, _("Say why the complaint is not accepted."), "reason_required")
        complaint.save(update_fields=["state", "refusal_reason"])
        _audit(actor, "refuse", complaint, now, reason=complaint.refusal_reason)
        notify(
            phone=complaint.phone,
            subject=_("Your complaint was not accepted"),
            body=_("Your complaint %(number)s was not accepted: %(reason)s")
            % {"number": complaint.number, "reason": complaint.refusal_reason},
            obj=complaint,
            event="complaint_refused",
        )
    return complaint


def _handler_fits(handler: User, department: Department | None, site: Site) -> bool:
    """The handler holds an active role for the department, or at the site."""
    scope = user_scope(handler)
    if department is not None:
        return department.pk in scope.departments_of(*Role.values)
    return any(assignment.site_id == site.pk for assignment in scope.assignments)


def complaint_assign(
    *,
    actor: User,
    complaint: Complaint,
    handler: User,
    department: Department | None = None,
    site: Site | None = None,
    now: datetime.datetime | None = None,
) -> Complaint:
    """派单: send the complaint to the responsible department (or site) and the person who handles it; only they
    and the supervisors see the complainant's identity."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        complaint.state = _move(complaint, "assign")
        _check_supervisor(actor, complaint)
        if site is not None and site.pk != complaint.site_id:
            if not user_scope(actor).covers_site(site):
                raise NotFound(_("This is not in your jurisdiction."), code="site_out_of_scope")
            complaint.site = site
        if department is not None and not department.is_active:
            raise DomainError(_("This department is no longer active."), code="department_inactive")
        if not handler.is_active or not _handler_fits(handler, department, complaint.site):
            raise DomainError(
                _("The handler must work for the responsible department or at the site."), code="handler_unfit"
            )
        complaint.department, complaint.handler, complaint.assigned_at = department, handler, now
        complaint.save(update_fields=["state", "site", "department", "handler", "assigned_at"])
        _audit(
            actor,
            "assign",
            complaint,
            now,
            site=complaint.site.code,
            department=department.code if department else "",
            handler=handler.get_username(),
        )
    return complaint


def complaint_handle(*, actor: User, complaint: Complaint, now: datetime.datetime | None = None) -> Complaint:
    """办理: the handler takes the complaint up."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        complaint.state = _move(complaint, "handle")
        _check_handler(actor, complaint)
        complaint.save(update_fields=["state"])
        _audit(actor, "handle", complaint, now)
    return complaint


def complaint_reply(
    *, actor: User, complaint: Complaint, reply: str, now: datetime.datetime | None = None
) -> Complaint:
    """回复: the handler's answer to the complainant, shown on their tracking page; the clock stops."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        complaint.state = _move(complaint, "reply")
        _check_handler(actor, complaint)
        complaint.reply = _required(reply, _("Write the reply."), "reply_required")
        complaint.replied_at = now
        complaint.save(update_fields=["state", "reply", "replied_at"])
        _audit(actor, "reply", complaint, now, late=complaint.due < _today(now))
        notify(
            phone=complaint.phone,
            subject=_("Your complaint was answered"),
            body=_("Your complaint %(number)s was answered. See the reply with your query code.")
            % {"number": complaint.number},
            obj=complaint,
            event="complaint_replied",
        )
    return complaint


def complaint_finish(
    *,
    actor: User,
    complaint: Complaint,
    finding: str,
    accountable_department: Department | None = None,
    accountable_staff: User | None = None,
    now: datetime.datetime | None = None,
) -> Complaint:
    """办结: the supervisor closes the complaint with its finding; an upheld complaint is held against the case's,
    the assigned or the named department and the staff member complained about (assessment counts them)."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        complaint.state = _move(complaint, "finish")
        _check_supervisor(actor, complaint)
        if finding not in Complaint.Finding.values:
            raise DomainError(_("Say whether the complaint is upheld."), code="finding_invalid")
        complaint.finding = finding
        if finding == Complaint.Finding.UPHELD:
            case_department_id = complaint.case.department_id if complaint.case_id else None
            complaint.accountable_department_id = (
                accountable_department.pk if accountable_department else case_department_id or complaint.department_id
            )
            complaint.accountable_staff_id = accountable_staff.pk if accountable_staff else complaint.staff_id
        complaint.finished_at = now
        complaint.save(update_fields=["state", "finding", "accountable_department", "accountable_staff", "finished_at"])
        _audit(
            actor,
            "finish",
            complaint,
            now,
            finding=finding,
            accountable_department=complaint.accountable_department_id,
            accountable_staff=complaint.accountable_staff_id,
        )
    return complaint


def complaint_call_back(
    *, actor: User, complaint: Complaint, note: str, now: datetime.datetime | None = None
) -> Complaint:
    """回访: the supervisor (or the handler) calls the complainant back and notes what they said."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        complaint.state = _move(complaint, "call_back")
        if not (_may_supervise(actor, complaint) or complaint.handler_id == actor.pk):
            raise PermissionDenied(_("Only a supervisor of this jurisdiction or the handler calls back."))
        complaint.callback_note = _required(note, _("Note what the complainant said."), "note_required")
        complaint.called_back_at = now
        complaint.save(update_fields=["state", "callback_note", "called_back_at"])
        _audit(actor, "call_back", complaint, now)
    return complaint


def complaint_rate(
    *, complaint: Complaint, rating: int, comment: str = "", now: datetime.datetime | None = None
) -> Complaint:
    """评价: the complainant (verified by number and query code) rates the handling, 1 (very dissatisfied) to 5
    (very satisfied), once. Staff never rate for them: no page of theirs calls this."""
    now = now or timezone.now()
    if rating not in (1, 2, 3, 4, 5):
        raise DomainError(_("Choose a rating from 1 to 5."), code="rating_invalid")
    with transaction.atomic():
        complaint = _lock(complaint)
        complaint.state = _move(complaint, "rate")
        complaint.rating, complaint.rating_comment, complaint.rated_at = rating, (comment or "").strip()[:500], now
        complaint.save(update_fields=["state", "rating", "rating_comment", "rated_at"])
        _audit(None, "rate", complaint, now, rating=rating)
    return complaint


def complaint_remind(
    *, actor: User, complaint: Complaint, note: str = "", now: datetime.datetime | None = None
) -> Reminder:
    """催办: a supervisor's reminder on a late complaint; still late 5 working days later, it is reported (通报)."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        _move(complaint, "remind")
        _check_supervisor(actor, complaint)
        if not complaint_is_late(complaint, _today(now)):
            raise transitions.TransitionNotAllowed(
                _("Only a late complaint is reminded: this one is due on %(due)s.") % {"due": complaint.due},
                code="not_late",
            )
        report_on = add_workdays(now, int(settings.COMPLAINT_REPORT_AFTER_REMINDER_DAYS)).date
        reminder = Reminder.objects.create(
            complaint=complaint, note=(note or "").strip(), reminded_by=actor, reminded_at=now, report_on=report_on
        )
        _audit(actor, "remind", complaint, now, reminder=reminder.pk, report_on=report_on)
    return reminder


def complaints_report_late(*, now: datetime.datetime | None = None) -> int:
    """通报: every complaint still late on its reminder's report day gets a public notice (once per reminder),
    recorded and listed for the supervisors. Run by the worker (``tasks.report_late_complaints``)."""
    now = now or timezone.now()
    today = _today(now)
    reported = 0
    with transaction.atomic():
        reminders = (
            Reminder.objects.select_for_update(of=("self",))
            .filter(
                report_on__lte=today,
                public_notice__isnull=True,
                complaint__state__in=Complaint.RUNNING_STATES,
                complaint__due__lt=today,
            )
            .select_related("complaint")
            .order_by("pk")
        )
        for reminder in reminders:
            complaint = reminder.complaint
            PublicNotice.objects.create(
                complaint=complaint,
                reminder=reminder,
                site_id=complaint.site_id,
                department_id=complaint.department_id,
                due=complaint.due,
                reported_at=now,
            )
            _audit(None, "report", complaint, now, reminder=reminder.pk, due=complaint.due)
            reported += 1
    return reported


# --- The complainant's identity --------------------------------------------------------------------------------------


def identity_view_record(
    *, viewer: User, complaint: Complaint, what: str, now: datetime.datetime | None = None
) -> bool:
    """Record that ``viewer`` saw the complainant's identity; refused (False, nothing written) for anyone who may not
    see it, who is then shown it masked. Not an audit-chain event: a read changes nothing."""
    if not may_see_identity(viewer, complaint):
        return False
    IdentityView.objects.create(viewer=viewer, complaint=complaint, what=what, viewed_at=now or timezone.now())
    return True
