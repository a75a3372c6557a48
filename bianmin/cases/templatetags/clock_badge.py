"""``{% clock_badge clock %}``: the clock badge of ``cases.badges`` in a template."""

from django import template

from ..badges import clock_badge as _clock_badge

register = template.Library()


@register.simple_tag
def clock_badge(clock: dict):
    return _clock_badge(clock)
