"""Who may do what to a case. The services enforce it; the pages use it to offer only allowed actions."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.catalog.models import CaseType
from bianmin.core.errors import PermissionDenied
from bianmin.org.models import Role, Site, SiteLevel
from bianmin.org.selectors import Scope, delegation_covers, user_scope

from .models import Case, ReviewTask

# Which delegated decision a chief representative needs for each action (首席代表制).
DELEGATED_DECISION = {
    "accept": "accept",
    "refuse": "accept",
    "request_supplement": "supplement",
    "receive_supplement": "supplement",
    "waive_material": "accept",
    "decide": "approve",
    "request_extension": "extend",
    "issue_certificate": "issue_certificate",
}

# Actions at the window: a clerk of the site handling the case may take them.
WINDOW_ACTIONS = {
    "accept",
    "refuse",
    "request_supplement",
    "receive_supplement",
    "waive_material",
    "suspend",
    "resume",
    "request_extension",
    "issue_certificate",
    "collect_fee",
    "mark_ready",
    "receive_result",
    "deliver",
    "record_signature",
    "withdraw",
}

# Result feedback (结果反馈) at the site that hands the result over: only its own clerks and agents record that the
# result arrived there, and once a result was sent to another site, only they hand it over (the department's
# representatives at the deciding level no longer hold it).
COUNTER_ACTIONS = {"receive_result", "deliver", "record_signature"}


def _is_chief_with(user: User, case: Case, decision: str, on: datetime.date) -> bool:
    return delegation_covers(user=user, department=case.department, decision=decision, item_code=case.item.code, on=on)


def can(
    user: User | None, action: str, case: Case, *, on: datetime.date | None = None, decision: str | None = None
) -> bool:
    """Whether ``user`` may take ``action`` on ``case`` (``None`` is the system: the worker, a command).
    For ``decide``, ``decision`` ("approve" or "deny") asks about one outcome; without it, about either."""
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    scope = user_scope(user)
    if not scope.can_write:
        return False  # supervisors read everything and change nothing
    on = on or timezone.localdate()
    if action == "decide":
        return _can_decide(user, scope, case, on, decision)
    if action == "decide_extension":
        return scope.holds(Role.DEPARTMENT_HEAD, department_id=case.department_id)
    if action in COUNTER_ACTIONS and (action == "receive_result" or case.sent_from_site_id):
        return _at_window(scope, case.current_site)
    if action in WINDOW_ACTIONS:
        return _can_at_window(user, scope, action, case, on)
    return False


def _can_decide(user: User, scope: Scope, case: Case, on: datetime.date, decision: str | None) -> bool:
    """The department head; a chief representative whose delegation covers this outcome (approve, deny) of
    this item today; for an immediate item (即办件) only, a clerk of the site when the decision step is a
    clerk's."""
    if scope.holds(Role.DEPARTMENT_HEAD, department_id=case.department_id):
        return True
    outcomes = [decision] if decision else ["approve", "deny"]
    if any(_is_chief_with(user, case, outcome, on) for outcome in outcomes):
        return True
    if case.version.case_type != CaseType.IMMEDIATE:
        return False
    step = case.tasks.filter(is_decision=True).only("role", "site").select_related("site").first()
    return step is not None and step.role == Role.CLERK and Role.CLERK in scope.roles and scope.covers_site(step.site)


def _can_at_window(user: User, scope: Scope, action: str, case: Case, on: datetime.date) -> bool:
    if scope.holds(Role.DEPARTMENT_HEAD, department_id=case.department_id):
        return True
    decision = DELEGATED_DECISION.get(action)
    if decision and _is_chief_with(user, case, decision, on):
        return True
    if decision is None and scope.holds(Role.CHIEF_REPRESENTATIVE, department_id=case.department_id):
        return True
    return _at_window(scope, case.current_site)


def _at_window(scope: Scope, site: Site) -> bool:
    """A clerk or an agent whose scope covers the site (a centre administrator's or supervisor's does not count)."""
    return bool({Role.CLERK, Role.AGENT} & scope.roles) and scope.covers_site(site)


def can_complete_task(user: User | None, task: ReviewTask) -> bool:
    """A step is done by its role: at its site (clerk, agent) or for its department (head, representative)."""
    if user is None or user.is_superuser:
        return True
    scope = user_scope(user)
    if not user.is_active or not scope.can_write:
        return False
    if task.role in (Role.CLERK, Role.AGENT):
        return scope.covers_site(task.site) and task.role in scope.roles
    # A head also takes a chief representative's step. A step at the county is the department-wide holder's; a step
    # at a town (its tier in the catalogue) is the town's reviewer's of that department, held at that town.
    roles = (
        (Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD) if task.role == Role.CHIEF_REPRESENTATIVE else (task.role,)
    )
    at = None if task.site.level == SiteLevel.COUNTY else task.site
    return any(scope.holds(role, department_id=task.department_id, site=at) for role in roles)


def can_receive_at(user: User | None, site: Site) -> bool:
    """Window and agency intake: clerks and agents of the site (or above it), chief representatives at the site of
    their window (their scope is their department's work, not the site's)."""
    if user is None or user.is_superuser:
        return True
    scope = user_scope(user)
    if not scope.can_write:
        return False
    if {Role.CLERK, Role.AGENT} & scope.roles and scope.covers_site(site):
        return True
    return scope.holds(Role.CHIEF_REPRESENTATIVE, site=site)


def can_relay_from(user: User | None, site: Site) -> bool:
    """An agency application is relayed from the agent's own service room (or hall): the site of their role."""
    if user is None or user.is_superuser:
        return True
    scope = user_scope(user)
    return scope.can_write and (scope.holds(Role.AGENT, site=site) or scope.holds(Role.CLERK, site=site))


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this on this case."))
