"""The monitor's rows, written in Python (bianmin/core/html.py says why); the page around them is the template's."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from bianmin.cases.models import Case, Status
from bianmin.core.html import iso_date, table_rows, url_by_pk

_COLUMNS = (
    "Item",
    "Department",
    "Current site",
    "Status",
    "Received on",
    "Promised deadline",
    "Working days left",
    "Clock",
    "Late steps",
)


def monitor_rows_html(cases: Iterable[Case]) -> SafeString:
    """The ``<tr>`` of each case of the page, with its clock colour and late steps, or the empty row."""
    item, department, site, status, received, promised, left, clock, late = (
        escape(gettext(column)) for column in _COLUMNS
    )
    accept_by = gettext("Accept by %(due)s")
    detail_url = url_by_pk("cases:detail")
    out = []
    for case in cases:
        if case.status == Status.RECEIVED:
            deadline = f'<span class="small muted">{escape(accept_by % {"due": iso_date(case.acceptance_due)})}</span>'
        else:
            deadline = iso_date(case.promised_due) or "—"
        days_left = "—" if case.days_left is None else int(case.days_left)
        late_steps = f'<span class="badge red">{int(case.late_steps)}</span>' if case.late_steps else "0"
        colour = escape(case.colour)
        out.append(
            f'<tr data-case="{case.pk}" data-colour="{colour}">\n'
            f'    <td class="lead-cell"><a href="{detail_url(case.pk)}">{escape(case.tracking_number)}</a><br>'
            f'<span class="small muted">{escape(case.masked_applicant)}</span></td>\n'
            f'    <td data-label="{item}">{escape(case.version.name)}<br>'
            f'<span class="small muted">{escape(case.item.code)}</span></td>\n'
            f'    <td data-label="{department}">{escape(case.department.name)}</td>\n'
            f'    <td data-label="{site}">{escape(case.current_site.name)}</td>\n'
            f'    <td data-label="{status}">{escape(case.status_label)}</td>\n'
            f'    <td data-label="{received}" class="date">{iso_date(case.received_on)}</td>\n'
            f'    <td data-label="{promised}" class="date">{deadline}</td>\n'
            f'    <td data-label="{left}" class="days-left">{days_left}</td>\n'
            f'    <td data-label="{clock}"><span class="badge clock {colour}" data-colour="{colour}">'
            f"{escape(case.colour_label)}</span></td>\n"
            f'    <td data-label="{late}" class="late-steps">{late_steps}</td>\n'
            "  </tr>"
        )
    return table_rows(out, empty=gettext("No open case matches these filters."), columns=10)
