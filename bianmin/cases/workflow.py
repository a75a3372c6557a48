"""The case's allowed moves: one table, read by the services (to refuse) and the pages (to offer)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bianmin.catalog.models import CaseType
from bianmin.core import transitions

from .models import Case, Status

# action -> the statuses it may start from.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "submit": frozenset({Status.DRAFT}),
    "request_supplement": frozenset({Status.RECEIVED}),
    "receive_supplement": frozenset({Status.SUPPLEMENT_REQUESTED}),
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
    "deliver": frozenset({Status.APPROVED, Status.DENIED}),
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


def allowed_actions(case) -> list[str]:
    return transitions.moves_from(ALLOWED_FROM, case.status)
