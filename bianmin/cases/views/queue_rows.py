"""The work queue's rows, written in Python (core/html.py says why); the page around them is the template's."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from bianmin.core.html import iso_date, table_rows, url_by_pk

from ..badges import clock_badge
from ..models import Case, DeliveryMethod, Status


def _next_step(case: Case, texts: dict[str, str]) -> str:
    """What is next: the open review steps with their due dates, else what the status waits for."""
    if case.open_tasks:
        steps = []
        for task in case.open_tasks:
            due = ""
            if task.due:
                due = ' <span class="small muted">(' + escape(texts["due"] % {"due": iso_date(task.due)}) + ")</span>"
            steps.append(escape(task.name) + due)
        return "<br>".join(steps)
    if case.status == Status.RECEIVED:
        return escape(texts["accept"] % {"due": iso_date(case.acceptance_due)})
    if case.status == Status.SUPPLEMENT_REQUESTED:
        return escape(texts["supplement"])
    if case.status in (Status.APPROVED, Status.DENIED):
        if case.ready_at is None:
            return escape(texts["finish"])
        if case.result_arrived_at is None:
            sender = case.sent_from_site.name if case.sent_from_site else ""
            return escape(texts["incoming"] % {"site": sender})
        return escape(texts["post"] if case.delivery_method == DeliveryMethod.POST else texts["deliver"])
    return "—"


def queue_rows(rows: Iterable[tuple[Case, dict]]) -> SafeString:
    """The ``<tr>`` of each (case, clock) of the page, as cases/staff/queue.html showed them, or the empty row."""
    labels = {
        "applicant": escape(gettext("Applicant")),
        "item": escape(gettext("Item")),
        "status": escape(gettext("Status")),
        "next": escape(gettext("What is next")),
        "clock": escape(gettext("Clock")),
    }
    texts = {
        "due": gettext("due %(due)s"),
        "accept": gettext("Accept or notify by %(due)s"),
        "supplement": gettext("Waiting for the applicant's materials"),
        "deliver": gettext("Result arrived: hand it over"),
        "post": gettext("Ready: post the result"),
        "incoming": gettext("Result sent from %(site)s: record its arrival"),
        "finish": gettext("Finish and deliver the result"),
    }
    extension = format_html('<br><span class="badge yellow">{}</span>', gettext("Extension requested"))
    detail_url = url_by_pk("cases:detail")
    out = []
    for case, clock in rows:
        relay = f" · {escape(case.relay_site.name)}" if case.relay_site else ""
        due = f'<br><span class="small muted">{iso_date(case.clock_due)}</span>' if case.clock_due else ""
        out.append(
            f'<tr data-case="{case.pk}">\n'
            f'    <td class="lead-cell"><a href="{detail_url(case.pk)}">{escape(case.tracking_number)}</a><br>'
            f'<span class="small muted">{escape(case.channel_label)}{relay}</span></td>\n'
            f'    <td data-label="{labels["applicant"]}">{escape(case.applicant_name)}</td>\n'
            f'    <td data-label="{labels["item"]}">{escape(case.item.code)} {escape(case.version.name)}<br>'
            f'<span class="small muted">{escape(case.current_site.name)}</span></td>\n'
            f'    <td data-label="{labels["status"]}">{escape(case.status_label)}</td>\n'
            f'    <td data-label="{labels["next"]}">{_next_step(case, texts)}'
            f"{extension if case.pending_extensions else ''}</td>\n"
            f'    <td data-label="{labels["clock"]}">{clock_badge(clock)}{due}</td>\n'
            "  </tr>"
        )
    return table_rows(out, empty=gettext("Nothing is waiting for you here."), columns=6)
