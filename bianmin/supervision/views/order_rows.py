"""The order list's rows and what an order is on, written in Python (core/html.py says why)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, pgettext

from bianmin.core.html import iso_date, table_rows, url_by_pk

from ..models import SupervisionOrder

RUNNING = (SupervisionOrder.State.ISSUED, SupervisionOrder.State.RETURNED)


def order_target(order: SupervisionOrder, *, case_url=None, alert_url=None) -> SafeString:
    """What the order is on: its case, its alert, a window, or the department as a whole."""
    if order.case:
        url = (case_url or url_by_pk("cases:detail"))(order.case.pk)
        return mark_safe(f'{escape(gettext("Case"))} <a href="{url}">{escape(order.case.tracking_number)}</a>')
    if order.alert:
        url = (alert_url or url_by_pk("supervision:alert_detail"))(order.alert_id)
        return mark_safe(f'<a href="{url}">{escape(gettext("Alert no. %(number)s") % {"number": order.alert.pk})}</a>')
    if order.window:
        return escape(str(order.window))
    return escape(gettext("The department as a whole"))


def _respond_by(order: SupervisionOrder, today: datetime.date) -> str:
    """The due date and, for a running order, its working days overdue or left."""
    badge = ""
    if order.state in RUNNING and order.due < today:
        days = -order.days_left
        text = ngettext("%(days)s working day overdue", "%(days)s working days overdue", days) % {"days": days}
        badge = f'<span class="badge red">{escape(text)}</span>\n      '
    elif order.state in RUNNING:
        days = order.days_left
        text = ngettext("%(days)s working day left", "%(days)s working days left", days) % {"days": days}
        badge = f'<span class="badge{" yellow" if days <= 1 else " green"}">{escape(text)}</span>'
    return f"{iso_date(order.due)}\n      {badge}"


def order_rows(orders: Iterable[SupervisionOrder], today: datetime.date, *, may_issue: bool) -> SafeString:
    """The ``<tr>`` of each order of the page, overdue ones marked, or the empty row."""
    labels = {
        "on": escape(gettext("On")),
        "department": escape(gettext("Department")),
        "state": escape(gettext("State")),
        "respond": escape(gettext("Respond by")),
        "issued": escape(pgettext("order", "Issued at")),
    }
    states = {value: escape(label) for value, label in SupervisionOrder.State.choices}
    order_url = url_by_pk("supervision:order_detail")
    case_url = url_by_pk("cases:detail")
    alert_url = url_by_pk("supervision:alert_detail")
    out = []
    for order in orders:
        overdue = ' class="has-error"' if order.state in RUNNING and order.due < today else ""
        issued = timezone.localtime(order.issued_at).strftime("%Y-%m-%d %H:%M")
        issuer = escape(order.issued_by.get_full_name()) if order.issued_by else ""
        out.append(
            f'<tr data-order="{order.pk}"{overdue}>\n'
            f'    <td class="lead-cell"><a href="{order_url(order.pk)}">{escape(order.number)}</a><br>'
            f'<span class="small muted">{escape(Truncator(order.instruction).chars(50))}</span></td>\n'
            f'    <td data-label="{labels["on"]}">'
            f"{order_target(order, case_url=case_url, alert_url=alert_url)}</td>\n"
            f'    <td data-label="{labels["department"]}">{escape(order.department.name)}<br>'
            f'<span class="small muted">{escape(order.site.name)}</span></td>\n'
            f'    <td data-label="{labels["state"]}"><span class="badge state-{escape(order.state)}">'
            f"{states.get(order.state, '')}</span></td>\n"
            f'    <td data-label="{labels["respond"]}">{_respond_by(order, today)}</td>\n'
            f'    <td data-label="{labels["issued"]}">{issued}<br><span class="small muted">{issuer}</span></td>\n'
            "  </tr>"
        )
    if may_issue:
        empty = gettext("No supervision order matches. Issue one from a case, an alert or with the button above.")
    else:
        empty = gettext("No supervision order concerns your departments.")
    return table_rows(out, empty=empty, columns=6)
