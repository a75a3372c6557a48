"""The alert feed's rows, written in Python (core/html.py says why); the page around them is the template's."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from bianmin.core.html import iso_date, table_rows, url_by_pk

from ..models import Alert, Level

# The level's badge colour beside its own class (the stylesheet's red and yellow badges).
_BADGE = {Level.RED: " red", Level.SERIOUS: " red", Level.YELLOW: " yellow"}


def alert_rows(alerts: Iterable[Alert], rule_names: dict[str, str], *, is_supervisor: bool) -> SafeString:
    """The ``<tr>`` of each alert of the page, as supervision/alerts_table.html showed them, or the empty row."""
    labels = {
        "level": escape(gettext("Severity")),
        "rule": escape(gettext("Rule")),
        "concerns": escape(gettext("Concerns")),
        "where": escape(gettext("Where")),
        "state": escape(gettext("State")),
    }
    levels = {value: escape(label) for value, label in Level.choices}
    states = {value: escape(label) for value, label in Alert.State.choices}
    names = {code: escape(name) for code, name in rule_names.items()}
    anomaly = f' <span class="small muted">{escape(gettext("anomaly"))}</span>'
    deadline = gettext("deadline %(due)s")
    confirm = escape(gettext("Confirm or dismiss"))
    alert_url = url_by_pk("supervision:alert_detail")
    case_url = url_by_pk("cases:detail")
    order_url = url_by_pk("supervision:order_detail")
    out = []
    for alert in alerts:
        raised = timezone.localtime(alert.raised_at).strftime("%Y-%m-%d %H:%M")
        rule = names.get(alert.rule, "")
        if alert.due:
            rule += f'<br><span class="small muted">{escape(deadline % {"due": iso_date(alert.due)})}</span>'
        concerns = ""
        if alert.case:
            concerns += f'<a href="{case_url(alert.case_id)}">{escape(alert.case.tracking_number)}</a>'
        if alert.task:
            concerns += f'<br><span class="small">{escape(alert.task.name)}</span>'
        if alert.order:
            concerns += f'<a href="{order_url(alert.order_id)}">{escape(alert.order.number)}</a>'
        if alert.item:
            concerns += f'<br><span class="small muted">{escape(alert.item.code)}</span>'
        where = escape(alert.site.name)
        if alert.department:
            where += f'<br><span class="small muted">{escape(alert.department.name)}</span>'
        state = states.get(alert.state, escape(alert.state))
        if alert.state == Alert.State.PENDING_REVIEW and is_supervisor:
            state += f'<br><a href="{alert_url(alert.pk)}#actions">{confirm}</a>'
        out.append(
            f'<tr data-alert="{alert.pk}" data-rule="{escape(alert.rule)}">\n'
            f'    <td class="lead-cell"><a href="{alert_url(alert.pk)}">{raised}</a></td>\n'
            f'    <td data-label="{labels["level"]}"><span class="badge level-{escape(alert.level)}'
            f'{_BADGE.get(alert.level, "")}">{levels.get(alert.level, "")}</span>'
            f"{anomaly if alert.is_anomaly else ''}</td>\n"
            f'    <td data-label="{labels["rule"]}">{rule}</td>\n'
            f'    <td data-label="{labels["concerns"]}">{concerns}</td>\n'
            f'    <td data-label="{labels["where"]}">{where}</td>\n'
            f'    <td data-label="{labels["state"]}">{state}</td>\n'
            "  </tr>"
        )
    return table_rows(out, empty=gettext("No alerts match."), columns=6)
