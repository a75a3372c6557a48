"""Pages of long lists.

A list's length is counted up to ``COUNT_CAP``: a count reads every row it counts, so an exact count of a list of a
county's years would cost what the rows cost and grow with them, while a page costs the same wherever it is. Past
the cap a list says "more than 10,000" and its pages go on to the cap (by number) or to the end (the API's cursors).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def count_to_cap(queryset: QuerySet) -> tuple[int, bool]:
    """The rows of ``queryset`` counted up to ``COUNT_CAP``, and whether there are more: one statement reading at
    most ``COUNT_CAP + 1`` rows, whatever the list's length."""
    counted = queryset.order_by()[: COUNT_CAP + 1].count()
    return min(counted, COUNT_CAP), counted > COUNT_CAP


class CappedPaginator(Paginator):
    """Pages of a list counted up to ``COUNT_CAP`` (``capped`` when it has more): the last page a number reaches
    is the cap's, and an OFFSET never goes past it."""

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return count_to_cap(self.object_list)

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def capped(self) -> bool:
        return self._counted[1]


class CountedPaginator(Paginator):
    """A paginator told its count (kept by counters or already computed): no second COUNT over the rows."""

    capped = False

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count
