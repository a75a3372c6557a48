"""Table rows written in Python for the long lists (the work queue, the monitor, the alert feed, the orders).

The template language resolves every variable of every row through its generic lookup: 25 rows of a queue cost
about a third of the page's server time (docs/PERFORMANCE.md). The rows of those lists are written by plain
functions instead, with the same markup (``table_rows`` adds the empty list's row); everything else stays in
templates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A number no primary key reaches, reversed once and replaced per row: ``reverse()`` per row costs more than the
# rest of the row.
_SENTINEL = 987654321987654321


def url_by_pk(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many pks: the pattern is reversed once (for the active language and script
    prefix), each pk is put in its place."""
    head, _, tail = reverse(name, args=[_SENTINEL]).partition(str(_SENTINEL))
    return lambda pk: f"{head}{int(pk)}{tail}"


def iso_date(value: datetime.date | None) -> str:
    """A date as ``Y-m-d`` (the ``date:"Y-m-d"`` filter of the templates), empty for none."""
    return value.isoformat() if value is not None else ""


def table_rows(rows: list[str], *, empty: str, columns: int) -> SafeString:
    """The ``<tr>`` rows written by a list's function (every value in them escaped), or one row spanning the
    ``columns`` with the ``empty`` text when there are none."""
    if not rows:
        return mark_safe(f'<tr><td colspan="{columns}">{escape(empty)}</td></tr>')
    return mark_safe("".join(rows))  # every value in the rows is escaped by their function
