"""Allowed moves of what has a life (a case, a supervision order, an alert): each keeps one table of its moves, and
one check refuses a move its current state does not allow, always with the same error.

A table maps each move to the states it may start from. The services call ``check_transition`` before they change
anything; the pages and the API offer what ``moves_from`` lists (and what the permissions grant), so what is
offered and what is accepted come from the same table.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.utils.functional import Promise

from .errors import DomainError

# move -> the states it may start from
MoveTable = Mapping[str, Collection[str]]


class TransitionNotAllowed(DomainError):
    """The state forbids the move: 409, code ``transition_not_allowed`` when the table refuses it.

    A service that refuses a move for a fact beyond the state which a client may act upon (the case was already
    accepted, the certificate is missing …) raises this same error with that fact's code (``already_accepted``,
    ``certificate_missing``, …): one type, one status, for every "not now"."""

    code = "transition_not_allowed"
    status = 409


def is_allowed(table: MoveTable, move: str, state: str) -> bool:
    return state in table[move]


def moves_from(table: MoveTable, state: str) -> list[str]:
    """The moves the table allows from ``state``, in the table's order."""
    return [move for move, starts in table.items() if state in starts]


def check_transition(table: MoveTable, move: str, current_state: str, *, message: str | Promise) -> None:
    """Raise TransitionNotAllowed with ``message`` (which says the state, or what the move needs) unless ``move``
    may start from ``current_state``. An unknown move is a programming error (KeyError), never a refusal."""
    if not is_allowed(table, move, current_state):
        raise TransitionNotAllowed(message)
