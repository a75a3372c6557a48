"""The words every notice shares: titles, dates, time limits, amounts and the first sentence's placeholders."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from bianmin.catalog.models import SpecialProcedure

from ..models import Case, Notice


def notice_title(kind: str) -> str:
    """The document's title as printed (受理通知书 …), not the kind's short label."""
    titles = {
        Notice.Kind.RECEIPT: pgettext("notice title", "Receipt of application"),
        Notice.Kind.ACCEPTANCE: pgettext("notice title", "Acceptance notice"),
        Notice.Kind.SUPPLEMENT: pgettext("notice title", "Notice to supplement materials (one-time notice)"),
        Notice.Kind.REFUSAL: pgettext("notice title", "Notice of refusal to accept"),
        Notice.Kind.SUSPENSION: pgettext("notice title", "Notice of a special procedure"),
        Notice.Kind.EXTENSION: pgettext("notice title", "Notice of extension"),
        Notice.Kind.APPROVAL: pgettext("notice title", "Decision to grant the administrative licence"),
        Notice.Kind.DENIAL: pgettext("notice title", "Decision not to grant the administrative licence"),
        Notice.Kind.FEE_RECEIPT: pgettext("notice title", "Fee receipt"),
        Notice.Kind.DELIVERY: pgettext("notice title", "Delivery receipt"),
    }
    return titles[kind]


def long_date(value: datetime.date | datetime.datetime | str | None) -> str:
    """A date in the active language's long form: 2026年10月13日."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "DATE_FORMAT")


def date_time(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{long_date(local)} {local:%H:%M}"


def working_days(days: int) -> str:
    return ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days}


def deadline(days: int, due: str | datetime.date | None) -> str:
    if not due:
        return working_days(days)
    return _("%(days)s, by %(date)s") % {"days": working_days(days), "date": long_date(due)}


def list_separator() -> str:
    return pgettext("between the items of a list", ", ")


def yuan(amount: str | Decimal) -> str:
    try:
        shown = f"{Decimal(str(amount)):.2f}"
    except InvalidOperation:
        shown = str(amount)
    return _("%(amount)s yuan") % {"amount": shown}


def procedure_label(kind: str) -> str:
    try:
        return str(SpecialProcedure.Kind(kind).label)
    except ValueError:
        return kind


def application_placeholders(case: Case) -> dict[str, str]:
    """The placeholders every notice's first sentence uses."""
    return {
        "item": case.version.name,
        "date": long_date(case.received_on),
        "accepted": long_date(case.accepted_on),
    }
