"""Periods: a month, a quarter or a year, named by its first day."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from bianmin.core.errors import DomainError

from .models import PeriodKind

MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def period_check(kind: str, start: datetime.date) -> None:
    if start.day != 1 or (start.month - 1) % MONTHS[kind] or (kind == PeriodKind.YEAR and start.month != 1):
        raise DomainError(_("A period starts on the first day of its month, quarter or year."), code="period_invalid")


def period_end(kind: str, start: datetime.date) -> datetime.date:
    month = start.month - 1 + MONTHS[kind]
    first_after = datetime.date(start.year + month // 12, month % 12 + 1, 1)
    return first_after - datetime.timedelta(days=1)


def period_before(kind: str, start: datetime.date) -> datetime.date:
    month = start.month - 1 - MONTHS[kind]
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)


def period_label(kind: str, start: datetime.date) -> str:
    if kind == PeriodKind.MONTH:
        return f"{start:%Y-%m}"
    if kind == PeriodKind.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return str(start.year)
