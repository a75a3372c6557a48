"""Supervision orders (督办): a supervisor orders a department to fix something within a number of working days;
the department's head or chief representative responds; the supervisor accepts the response or returns it, with a
new due date if they like; an order still waiting past its due date becomes an anomaly (the sweep's
``order_overdue`` rule). Each move is one function: permission, the move from ``ORDER_MOVES``, a row lock, the
audit event and the inbox messages in one transaction (``inbox_send`` writes its rows in the caller's transaction
and its SMS/e-mails go through the outbox, sent after commit).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.cases.models import Case
from bianmin.cases.selectors import case_get_for_user
from bianmin.core import transitions
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.numbering import counter_next
from bianmin.core.workdays import add_workdays
from bianmin.org.models import Department, Site, Window
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope, windows_visible_to

from ..inbox import department_leads, inbox_send
from ..models import Alert, OrderResponse, SupervisionOrder
from ..selectors.orders import alerts_in_scope, led_department_ids, site_in_scope, supervisor_home_site

State = SupervisionOrder.State

MIN_DUE_DAYS = 1
MAX_DUE_DAYS = 30

# action -> (the states it may start from, the state it leads to). The one table of an order's life.
ORDER_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "respond": (frozenset({State.ISSUED, State.RETURNED}), State.RESPONDED),
    "accept": (frozenset({State.RESPONDED}), State.ACCEPTED),
    "return": (frozenset({State.RESPONDED}), State.RETURNED),
    "withdraw": (frozenset({State.ISSUED, State.RESPONDED, State.RETURNED}), State.WITHDRAWN),
}
_STARTS: transitions.MoveTable = {action: starts for action, (starts, _target) in ORDER_MOVES.items()}


def _move(order: SupervisionOrder, action: str) -> str:
    """The state ``action`` leads to, or TransitionNotAllowed (code ``transition_not_allowed``)."""
    transitions.check_transition(
        _STARTS,
        action,
        order.state,
        message=_("This cannot be done now: the order is “%(state)s”.") % {"state": order.get_state_display()},
    )
    return ORDER_MOVES[action][1]


def _lock(order: SupervisionOrder) -> SupervisionOrder:
    return (
        SupervisionOrder.objects.select_for_update(of=("self",))
        .select_related("department", "site", "issued_by")
        .get(pk=order.pk)
    )


def _may_supervise(actor: User, order: SupervisionOrder) -> bool:
    return is_supervisor(actor) and site_in_scope(user_scope(actor), order.site)


def _may_withdraw(actor: User, order: SupervisionOrder) -> bool:
    return _may_supervise(actor, order) or (is_supervisor(actor) and order.issued_by_id == actor.pk)


def _allowed(action: str, order: SupervisionOrder) -> bool:
    return transitions.is_allowed(_STARTS, action, order.state)


def order_actions_for(user: User, order: SupervisionOrder) -> list[str]:
    """The moves ``user`` may make on ``order`` now (what the order page offers)."""
    actions = []
    if _allowed("respond", order) and order.department_id in led_department_ids(user):
        actions.append("respond")
    if _may_supervise(user, order):
        actions += [action for action in ("accept", "return") if _allowed(action, order)]
    if _allowed("withdraw", order) and _may_withdraw(user, order):
        actions.append("withdraw")
    return actions


def order_url(order: SupervisionOrder) -> str:
    return reverse("supervision:order_detail", args=[order.pk])


def _required(value: str, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code=code)
    return value


def _valid_due_days(due_days) -> int:
    try:
        days = int(due_days)
    except (TypeError, ValueError):
        days = 0
    if not MIN_DUE_DAYS <= days <= MAX_DUE_DAYS:
        raise DomainError(
            _("The time to respond must be between %(min)d and %(max)d working days.")
            % {"min": MIN_DUE_DAYS, "max": MAX_DUE_DAYS},
            code="due_days_invalid",
        )
    return days


def _due(now: datetime.datetime, due_days: int) -> datetime.date:
    return add_workdays(timezone.localdate(now), due_days).date


def _out_of_scope() -> NotFound:
    return NotFound(_("This is not in your jurisdiction."), code="order_target_out_of_scope")


def _derived_department(given: Department | None, derived: Department) -> Department:
    if given is not None and given.pk != derived.pk:
        raise DomainError(
            _("The order goes to the department of its target, %(department)s.") % {"department": derived.name},
            code="order_department_mismatch",
        )
    return derived


def _department_required() -> DomainError:
    return DomainError(_("Choose the department that must respond."), code="order_department_required")


def _case_target(actor: User, case: Case, department: Department | None) -> tuple[Department, Site]:
    visible = case_get_for_user(actor, case.pk)
    if visible is None:
        raise _out_of_scope()
    return _derived_department(department, visible.department), visible.current_site


def _alert_target(actor: User, alert: Alert, department: Department | None) -> tuple[Department, Site]:
    visible = alerts_in_scope(actor).select_related("site", "department").filter(pk=alert.pk).first()
    if visible is None:
        raise _out_of_scope()
    if visible.department is None:
        if department is None:
            raise _department_required()
        return department, visible.site
    return _derived_department(department, visible.department), visible.site


def _window_target(actor: User, window: Window, department: Department | None) -> tuple[Department, Site]:
    visible = windows_visible_to(actor).filter(pk=window.pk).first()
    if visible is None:
        raise _out_of_scope()
    departments = list(visible.departments.all())
    if department is None:
        if len(departments) != 1:
            raise _department_required()
        return departments[0], visible.site
    if department.pk not in {candidate.pk for candidate in departments}:
        raise DomainError(
            _("%(department)s is not served at this window.") % {"department": department.name},
            code="order_department_not_at_window",
        )
    return department, visible.site


def _order_target(
    actor: User,
    *,
    case: Case | None,
    alert: Alert | None,
    window: Window | None,
    department: Department | None,
) -> tuple[Department, Site]:
    """The department that must respond and the site the order is filed at (for scope), from its one target."""
    targets = [target for target in (case, alert, window) if target is not None]
    if len(targets) > 1 or (not targets and department is None):
        raise DomainError(
            _("Choose exactly one target: a case, an alert, a department or a window."), code="order_target_invalid"
        )
    if case is not None:
        return _case_target(actor, case, department)
    if alert is not None:
        return _alert_target(actor, alert, department)
    if window is not None:
        return _window_target(actor, window, department)
    home = supervisor_home_site(actor)
    if home is None:
        raise PermissionDenied(_("You have no jurisdiction to issue orders in."))
    return department, home


def _tell_leads(order: SupervisionOrder, subject: str, body: str, now: datetime.datetime) -> None:
    leads = department_leads([order.department_id]).get(order.department_id, set())
    inbox_send(recipient_ids=leads, subject=subject, body=body, url=order_url(order), now=now, order=order)


def _audit(actor: User, action: str, order: SupervisionOrder, now: datetime.datetime, **payload) -> None:
    audit_record(
        actor=actor,
        action=f"order.{action}",
        obj=order,
        payload={"number": order.number, "state": order.state, **payload},
        occurred_at=now,
    )


def order_issue(
    *,
    actor: User,
    instruction: str,
    due_days: int,
    case: Case | None = None,
    alert: Alert | None = None,
    department: Department | None = None,
    window: Window | None = None,
    now: datetime.datetime | None = None,
) -> SupervisionOrder:
    """督办: order the department behind a case, an alert or a window (or a department itself) to fix something
    within ``due_days`` working days (ALL art. 82 for the count); its leads are told at once."""
    now = now or timezone.now()
    if not is_supervisor(actor):
        raise PermissionDenied(_("Only supervisors issue supervision orders."))
    instruction = _required(instruction, _("Say what must be fixed."), "instruction_required")
    due_days = _valid_due_days(due_days)
    department, site = _order_target(actor, case=case, alert=alert, window=window, department=department)
    if not department.is_active:
        raise DomainError(_("This department is no longer active."), code="department_inactive")
    with transaction.atomic():
        due = _due(now, due_days)
        year = timezone.localdate(now).year
        order = SupervisionOrder.objects.create(
            number=f"DB-{year}-{counter_next(f'order:{year}'):05d}",
            case=case,
            alert=alert,
            window=window,
            department=department,
            site=site,
            instruction=instruction,
            due_days=due_days,
            due=due,
            state=State.ISSUED,
            issued_by=actor,
            issued_at=now,
        )
        _audit(actor, "issue", order, now, department=department.code, site=site.code, due=due, due_days=due_days)
        _tell_leads(
            order,
            _("Supervision order %(number)s: respond by %(due)s") % {"number": order.number, "due": due},
            instruction,
            now,
        )
    return order


def order_respond(
    *, actor: User, order: SupervisionOrder, text: str, now: datetime.datetime | None = None
) -> OrderResponse:
    """The department's head or chief representative answers the order (or answers again after a return)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order)
        if order.department_id not in led_department_ids(actor):
            raise PermissionDenied(_("Only the department's head or chief representative responds to its orders."))
        order.state = _move(order, "respond")
        text = _required(text, _("Write the response."), "response_required")
        response = OrderResponse.objects.create(order=order, text=text, responded_by=actor, responded_at=now)
        order.save(update_fields=["state"])
        _audit(actor, "respond", order, now, response=response.pk)
        inbox_send(
            recipient_ids=[order.issued_by_id],
            subject=_("Order %(number)s: %(department)s responded")
            % {"number": order.number, "department": order.department.name},
            body=text,
            url=order_url(order),
            now=now,
            order=order,
        )
    return response


def _latest_response(order: SupervisionOrder) -> OrderResponse:
    return order.responses.select_for_update().order_by("-responded_at", "-pk").first()


def _check_supervisor(actor: User, order: SupervisionOrder) -> None:
    if not _may_supervise(actor, order):
        raise PermissionDenied(_("Only a supervisor of this jurisdiction reviews the response."))


def _verdict(response: OrderResponse, verdict: str, note: str, actor: User, now: datetime.datetime) -> None:
    response.verdict, response.verdict_note, response.verdict_by, response.verdict_at = verdict, note, actor, now
    response.save(update_fields=["verdict", "verdict_note", "verdict_by", "verdict_at"])


def order_accept(
    *, actor: User, order: SupervisionOrder, note: str = "", now: datetime.datetime | None = None
) -> SupervisionOrder:
    """The supervisor accepts the latest response: the order is closed."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order)
        _check_supervisor(actor, order)
        order.state = _move(order, "accept")
        response = _latest_response(order)
        _verdict(response, OrderResponse.Verdict.ACCEPTED, (note or "").strip(), actor, now)
        order.closed_at = now
        order.save(update_fields=["state", "closed_at"])
        _audit(actor, "accept", order, now, response=response.pk)
        _tell_leads(
            order,
            _("Order %(number)s: your response was accepted") % {"number": order.number},
            response.verdict_note,
            now,
        )
    return order


def order_return(
    *,
    actor: User,
    order: SupervisionOrder,
    note: str,
    due_days: int | None = None,
    now: datetime.datetime | None = None,
) -> SupervisionOrder:
    """The supervisor returns the latest response with what is still wrong; ``due_days`` (working days from now)
    sets a new due date, otherwise the old one stands."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order)
        _check_supervisor(actor, order)
        order.state = _move(order, "return")
        note = _required(note, _("Say why the response is returned."), "note_required")
        fields = ["state"]
        if due_days is not None:
            order.due_days = _valid_due_days(due_days)
            order.due = _due(now, order.due_days)
            fields += ["due_days", "due"]
        response = _latest_response(order)
        _verdict(response, OrderResponse.Verdict.RETURNED, note, actor, now)
        order.save(update_fields=fields)
        _audit(actor, "return", order, now, response=response.pk, due=order.due, note=note)
        _tell_leads(
            order,
            _("Order %(number)s: your response was returned; respond again by %(due)s")
            % {"number": order.number, "due": order.due},
            note,
            now,
        )
    return order


def order_withdraw(
    *, actor: User, order: SupervisionOrder, reason: str, now: datetime.datetime | None = None
) -> SupervisionOrder:
    """The issuing supervisor (or any supervisor of the jurisdiction) withdraws an open order, saying why."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order)
        if not _may_withdraw(actor, order):
            raise PermissionDenied(_("Only a supervisor of this jurisdiction withdraws the order."))
        order.state = _move(order, "withdraw")
        reason = _required(reason, _("Say why the order is withdrawn."), "reason_required")
        order.closed_at = now
        order.save(update_fields=["state", "closed_at"])
        _audit(actor, "withdraw", order, now, reason=reason)
        _tell_leads(order, _("Order %(number)s was withdrawn") % {"number": order.number}, reason, now)
    return order
