"""The clock badge of a case (its colour and working days), shown on the case page and in every queue row."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext


def clock_badge(clock: dict) -> SafeString:
    """The badge for ``clock.clock()`` (or the queue's annotated clock): paused, no clock, overdue by N working
    days, due soon, or N working days left."""
    colour, days_left = clock["colour"], clock["days_left"]
    if colour == "paused":
        return format_html('<span class="badge clock paused">{}</span>', gettext("Paused"))
    if colour == "done":
        return format_html('<span class="badge clock done">{}</span>', gettext("No clock running"))
    if days_left is None:
        return format_html('<span class="badge clock done">{}</span>', gettext("No clock running"))
    if days_left < 0:
        days = -days_left
        text = ngettext("Overdue by %(days)s working day", "Overdue by %(days)s working days", days) % {"days": days}
        return format_html('<span class="badge clock red">{}</span>', text)
    if colour == "yellow":
        text = ngettext("Due soon: %(days)s working day left", "Due soon: %(days)s working days left", days_left) % {
            "days": days_left
        }
        return format_html('<span class="badge clock yellow">{}</span>', text)
    text = ngettext("%(days)s working day left", "%(days)s working days left", days_left) % {"days": days_left}
    return format_html('<span class="badge clock {}">{}</span>', colour, text)
