"""The case's allowed moves, and what a person may do with a case now.

``ALLOWED_FROM`` is the one table of moves (read through ``core.transitions``); ``actions_available`` is the one
answer to "what may this user do with this case now": the case page shows exactly these actions, the API lists
them (``allowed_actions``), and each is a move the service would accept (the services still check the move and
the permission themselves, so nothing depends on the page having asked).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.catalog.models import CaseType
from bianmin.core import transitions

from . import permissions
from .models import Case, DeliveryMethod, Extension, ReviewTask, Status

# action -> the statuses it may start from.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "submit": frozenset({Status.DRAFT}),
    "request_supplement": frozenset({Status.RECEIVED}),
    "receive_supplement": frozenset({Status.SUPPLEMENT_REQUESTED}),
    "waive_material": frozenset({Status.RECEIVED}),
    "accept": frozenset({Status.RECEIVED}),
    "refuse": frozenset({Status.RECEIVED, Status.SUPPLEMENT_REQUESTED}),
    "complete_task": frozenset({Status.ACCEPTED}),
    "suspend": frozenset({Status.ACCEPTED}),
    "resume": frozenset({Status.SUSPENDED}),
    "request_extension": frozenset({Status.ACCEPTED, Status.SUSPENDED}),
    "decide_extension": frozenset({Status.ACCEPTED, Status.SUSPENDED}),
    "decide": frozenset({Status.ACCEPTED}),
    "issue_certificate": frozenset({Status.APPROVED}),
    "collect_fee": frozenset({Status.APPROVED}),
    "mark_ready": frozenset({Status.APPROVED, Status.DENIED}),
    "receive_result": frozenset({Status.APPROVED, Status.DENIED}),
    "deliver": frozenset({Status.APPROVED, Status.DENIED}),
    "record_signature": frozenset({Status.CLOSED}),
    "withdraw": frozenset(
        {Status.DRAFT, Status.RECEIVED, Status.SUPPLEMENT_REQUESTED, Status.ACCEPTED, Status.SUSPENDED}
    ),
}

EXTENSION_LIMIT = 10  # ALL art. 42
JOINT_EXTENSION_LIMIT = 15  # ALL art. 42, joint or centralised handling


def check_transition(case: Case, action: str) -> None:
    """Raise TransitionNotAllowed, with the case's current status in words, when ``action`` cannot happen now."""
    transitions.check_transition(
        ALLOWED_FROM,
        action,
        case.status,
        message=_("This cannot be done now: the case is “%(status)s”.") % {"status": case.get_status_display()},
    )


def extension_limit(case: Case) -> int:
    """The most working days all extensions of the case may add up to (ALL art. 42)."""
    return JOINT_EXTENSION_LIMIT if case.version.case_type == CaseType.JOINT else EXTENSION_LIMIT


# --- What beyond the status a move needs. Each mirrors a refusal of its service (cases/services/), which stays
# the authority; tests/test_case_actions.py checks that they agree for every status and role. Tasks and extensions
# are read through ``case.tasks.all()`` and ``case.extensions.all()``, so a caller that prefetched them asks nothing.


def _pending_extension(case: Case, on: datetime.date) -> bool:
    return any(extension.state == Extension.State.REQUESTED for extension in case.extensions.all())


def _may_request_supplement(case: Case, on: datetime.date) -> bool:
    """After the 5-working-day window a first notice is too late: the law has accepted the case (case_accept)."""
    return case.supplement_count > 0 or on <= case.acceptance_due


def accepted_by_law(case: Case, on: datetime.date) -> bool:
    """No acceptance, refusal or supplement notice within 5 working days of receipt: the law has accepted the case
    as of its receipt (ALL art. 32), whatever its materials."""
    return case.supplement_count == 0 and case.acceptance_due is not None and on > case.acceptance_due


def _may_accept(case: Case, on: datetime.date) -> bool:
    """Acceptance waits for every material missing or defective to be supplied or recorded as not needed
    (case_accept: materials_incomplete), unless the law has already accepted the case."""
    return case.materials_outstanding == 0 or accepted_by_law(case, on)


def _may_waive_material(case: Case, on: datetime.date) -> bool:
    return case.materials_outstanding > 0


def _may_request_extension(case: Case, on: datetime.date) -> bool:
    return not _pending_extension(case, on) and case.extension_days < extension_limit(case)


def _reviews_done(case: Case, on: datetime.date) -> bool:
    """The decision waits for every earlier step and every co-department's review (case_decide: review_pending)."""
    return not any(
        task.state in (ReviewTask.State.OPEN, ReviewTask.State.WAITING) and not task.is_decision
        for task in case.tasks.all()
    )


def _ready_to_hand_over(case: Case, on: datetime.date) -> bool:
    """A denial at once; an approval once its certificate is issued and its fee, if any, paid (case_mark_ready)."""
    if case.status == Status.DENIED:
        return True
    return case.certificate_issued_at is not None and (not case.version.has_fee or case.fee_paid_at is not None)


def _result_here(case: Case, on: datetime.date) -> bool:
    """Handed over where the result is: arrived at the delivery site (case_receive_result), or not yet marked ready
    and handed over at the site that has it (case_deliver: result_elsewhere, result_not_arrived)."""
    if not _ready_to_hand_over(case, on):
        return False
    if case.ready_at is not None:
        return case.result_arrived_at is not None
    site_id = case.delivery_site_id or case.relay_site_id or case.receiving_site_id
    return case.delivery_method == DeliveryMethod.POST or site_id == case.current_site_id


def _unsigned_receipt(case: Case, on: datetime.date) -> bool:
    """case_record_signature: a result handed over at a counter whose signed receipt is not yet recorded."""
    return (
        case.delivery_method == DeliveryMethod.WINDOW and case.delivered_at is not None and not case.delivery_signed_at
    )


PRECONDITIONS: dict[str, Callable[[Case, datetime.date], bool]] = {
    "request_supplement": _may_request_supplement,
    "waive_material": _may_waive_material,
    "accept": _may_accept,
    "request_extension": _may_request_extension,
    "decide_extension": _pending_extension,
    "decide": _reviews_done,
    "issue_certificate": lambda case, on: case.certificate_issued_at is None,
    "collect_fee": lambda case, on: case.version.has_fee and case.fee_paid_at is None,
    "mark_ready": lambda case, on: case.ready_at is None and _ready_to_hand_over(case, on),
    "receive_result": lambda case, on: case.ready_at is not None and case.result_arrived_at is None,
    "deliver": _result_here,
    "record_signature": _unsigned_receipt,
}


def steps_for(user: User | None, case: Case) -> list[ReviewTask]:
    """The review steps of the case that ``user`` may complete now: open, not the decision, their role's."""
    return [
        task
        for task in case.tasks.all()
        if task.state == ReviewTask.State.OPEN and not task.is_decision and permissions.can_complete_task(user, task)
    ]


def _may(user: User | None, action: str, case: Case, on: datetime.date) -> bool:
    if action == "complete_task":
        return bool(steps_for(user, case))
    if action == "withdraw" and user is not None and case.applicant_user_id == user.pk:
        return True  # the applicant withdraws their own application (case_withdraw)
    return permissions.can(user, action, case, on=on)


def actions_available(user: User | None, case: Case, *, on: datetime.date | None = None) -> list[str]:
    """The moves ``user`` may make on ``case`` now, in the table's order, as stable codes: allowed from the
    case's status, with what else the move needs in place, and permitted to the user. ``submit`` is never one:
    it creates the case."""
    on = on or timezone.localdate()
    return [
        action
        for action in transitions.moves_from(ALLOWED_FROM, case.status)
        if action != "submit"
        and (action not in PRECONDITIONS or PRECONDITIONS[action](case, on))
        and _may(user, action, case, on)
    ]
