"""The case's allowed moves: one table, read by the services (to refuse) and the pages (to offer)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bianmin.core.errors import DomainError

from .models import Status

# action -> the statuses it may start from.
ALLOWED_FROM: dict[str, set[str]] = {
    "submit": {Status.DRAFT},
    "request_supplement": {Status.RECEIVED},
    "receive_supplement": {Status.SUPPLEMENT_REQUESTED},
    "accept": {Status.RECEIVED},
    "refuse": {Status.RECEIVED, Status.SUPPLEMENT_REQUESTED},
    "complete_task": {Status.ACCEPTED},
    "suspend": {Status.ACCEPTED},
    "resume": {Status.SUSPENDED},
    "request_extension": {Status.ACCEPTED, Status.SUSPENDED},
    "decide_extension": {Status.ACCEPTED, Status.SUSPENDED},
    "decide": {Status.ACCEPTED},
    "issue_certificate": {Status.APPROVED},
    "collect_fee": {Status.APPROVED},
    "mark_ready": {Status.APPROVED, Status.DENIED},
    "deliver": {Status.APPROVED, Status.DENIED},
    "withdraw": {Status.DRAFT, Status.RECEIVED, Status.SUPPLEMENT_REQUESTED, Status.ACCEPTED, Status.SUSPENDED},
}


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    status = 409


def check_transition(case, action: str) -> None:
    """Raise TransitionNotAllowed, with the case's current status in words, when ``action`` cannot happen now."""
    if case.status not in ALLOWED_FROM[action]:
        raise TransitionNotAllowed(
            _("This cannot be done now: the case is “%(status)s”.") % {"status": case.get_status_display()}
        )


def allowed_actions(case) -> list[str]:
    return [action for action, statuses in ALLOWED_FROM.items() if case.status in statuses]
