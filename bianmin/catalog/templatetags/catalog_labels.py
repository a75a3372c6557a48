from django import template
from django.utils.translation import pgettext_lazy

from bianmin.catalog.models import CaseType

register = template.Library()

# The case type's name alone, for badges in lists: the full label ("上报件（报上级机关决定）") cut to fit read
# "上报件（报…"; the page gives the full label as the badge's title.
SHORT_LABELS = {
    CaseType.IMMEDIATE: pgettext_lazy("case type", "Immediate"),
    CaseType.COMMITTED: pgettext_lazy("case type", "Committed"),
    CaseType.ESCALATED: pgettext_lazy("case type", "Escalated"),
    CaseType.JOINT: pgettext_lazy("case type", "Joint"),
}


@register.filter
def case_type_short(case_type: str) -> str:
    return SHORT_LABELS.get(case_type, case_type)
