"""What other apps register: handlers told of a calendar change, and who may change the calendar."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.core.errors import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User


# --- Change handlers -------------------------------------------------------------------------------

CalendarChangeHandler = Callable[[list[int]], None]
_change_handlers: list[CalendarChangeHandler] = []


def register_calendar_change_handler(handler: CalendarChangeHandler) -> CalendarChangeHandler:
    """Call ``handler(years)`` after a commit that changed those calendar years (e.g. to recompute deadlines).

    Usable as a decorator; registering the same function twice has no effect.
    """
    if handler not in _change_handlers:
        _change_handlers.append(handler)
    return handler


def unregister_calendar_change_handler(handler: CalendarChangeHandler) -> None:
    if handler in _change_handlers:
        _change_handlers.remove(handler)


def _on_commit_call(handler: CalendarChangeHandler, years: list[int]) -> None:
    def call_handler() -> None:
        handler(list(years))

    call_handler.__qualname__ = f"calendar change handler {getattr(handler, '__qualname__', handler)!s}"
    # robust: a failing handler is logged and does not stop the others (the calendar change is committed).
    transaction.on_commit(call_handler, robust=True)


def _calendar_changed(years: Iterable[int]) -> None:
    changed = sorted(set(years))
    if changed:
        for handler in list(_change_handlers):
            _on_commit_call(handler, changed)


# --- Permission ------------------------------------------------------------------------------------


# Whether a person is a centre administrator at the county root. Roles live in org, above core, so org registers the
# answer (OrgConfig.ready); until it has, only a superuser changes the calendar.
_calendar_manager_checks: list[Callable[[User], bool]] = []


def register_calendar_manager_check(check: Callable[[User], bool]) -> None:
    _calendar_manager_checks[:] = [check]


def can_manage_calendar(user: User | None) -> bool:
    """Whether a user may change the calendar: a superuser or a centre administrator at the county root.

    The calendar is the same for every site, so a town's centre administrator may not change it.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(check(user) for check in _calendar_manager_checks)


def _require_calendar_admin(actor: User | None) -> None:
    # actor=None is a trusted caller: a management command run by an operator on the server.
    if actor is not None and not can_manage_calendar(actor):
        raise PermissionDenied(_("Only a county centre administrator may change the working-day calendar."))


def _audit_payload(payload: dict[str, Any], channel: str) -> dict[str, Any]:
    return {**payload, "channel": channel} if channel else payload
