"""The event feed (变更流): the audit chain's events of the objects other systems may receive, in chain order, as far
as the caller's scope sees them.

**Why a cursor never skips an event.** The cursor is an event's ``sequence``. ``audit_record`` takes the sequence
from the single ``AuditHead`` row locked with ``SELECT … FOR UPDATE`` (``core/audit/chain.py`` ``_locked_head``) and
updates that row in the writer's own transaction, so the lock is held until the writer commits or rolls back. A
second writer waits on the lock and, on PostgreSQL (READ COMMITTED), then reads the row as the first writer
committed it: sequence ``n + 1`` is only ever assigned after the transaction of ``n`` has committed (a rolled-back
``n`` is taken again by the next writer: no gaps; ``tests/test_feed_order.py`` shows the wait on PostgreSQL). On
SQLite one writer holds the whole database until it commits (``IMMEDIATE`` transactions, settings/base.py).
So events commit in sequence order on both databases: once ``n`` is visible, every smaller sequence is. The page
reads the head's committed ``last_sequence`` first and only looks at events up to it, so a row being written is
never passed over: a consumer that resumes after the cursor it was given misses nothing and sees nothing twice.

**Bounded work per call.** A call examines at most ``SCAN_WINDOW`` sequences after the cursor (a range of the
unique sequence index; sequences are gap-free), keeps the events of ``FEED_OBJECT_TYPES``, asks each type's
selector which of their objects the caller sees (one query per type in the window), and answers at most ``limit``
of them. The cursor it returns is the last event answered when the page is full, else the end of the window
examined, so a caller whose scope holds few cases still advances through the chain and an empty page is not the end
unless the cursor stopped moving.

**Scope.** The caller's scope now: staff and the service accounts of system tokens see the events of the cases and
licences they may see (``cases.selectors.cases_visible_to``, ``licences.selectors.licences_visible_to``: a town's
for a town's account, everything for the county's supervisors and administrators); anyone else sees none. A case
that enters a scope later (forwarded from a town to the county) brings no earlier events to a consumer already past
them: such a consumer reads the case through the case API once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from bianmin.accounts.models import User
from bianmin.cases.selectors import cases_visible_to
from bianmin.core.audit.chain import HEAD_ID
from bianmin.core.models import AuditEvent, AuditHead
from bianmin.licences.selectors import licences_visible_to

from .events import FEED_OBJECT_TYPES

SCAN_WINDOW = 1000
MAX_LIMIT = 500


@dataclass(frozen=True)
class FeedPage:
    events: list[AuditEvent]
    next_cursor: int


# Per object type of the feed: which of these ids the user may see, through that object's selector.
VISIBLE: dict[str, Callable[[User, set[int]], QuerySet]] = {
    "cases.case": lambda user, ids: cases_visible_to(user).filter(pk__in=ids),
    "licences.licence": lambda user, ids: licences_visible_to(user).filter(pk__in=ids),
}


def _visible(user: User, window: list[tuple[int, str, str]]) -> set[tuple[str, str]]:
    """The (object type, id) of the window's events that ``user`` may see: one query per object type present."""
    wanted: dict[str, set[int]] = {}
    for _sequence, object_type, object_id in window:
        wanted.setdefault(object_type, set()).add(int(object_id))
    visible = set()
    for object_type, ids in wanted.items():
        visible |= {(object_type, str(pk)) for pk in VISIBLE[object_type](user, ids).values_list("pk", flat=True)}
    return visible


def feed_page(user: User, *, after: int = 0, limit: int = 100) -> FeedPage:
    """The events after the cursor ``after`` that ``user`` may receive, at most ``limit``, and the cursor to resume
    after. Four queries whatever the scope (five when the window holds licences' events too): the head, the
    window's references, the visible objects per type, the events."""
    head = AuditHead.objects.filter(id=HEAD_ID).values_list("last_sequence", flat=True).first() or 0
    end = min(after + SCAN_WINDOW, head)
    if end <= after:
        return FeedPage([], after)
    window = list(
        AuditEvent.objects.filter(sequence__gt=after, sequence__lte=end, object_type__in=list(FEED_OBJECT_TYPES))
        .order_by("sequence")
        .values_list("sequence", "object_type", "object_id")
    )
    visible = _visible(user, window)
    chosen = [sequence for sequence, object_type, object_id in window if (object_type, object_id) in visible][:limit]
    if not chosen:
        return FeedPage([], end)
    events = list(AuditEvent.objects.filter(sequence__in=chosen).order_by("sequence"))
    return FeedPage(events, chosen[-1] if len(chosen) == limit else end)
