"""What the calendar's modules share: its time zone and limits, its errors, a deadline, a day's rule and row."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bianmin.core.errors import DomainError
from bianmin.core.models import CalendarDay
from bianmin.core.spreadsheets import SpreadsheetLimits

# The calendar's days are Beijing-time days whatever the server's or the user's time zone.
CALENDAR_TIME_ZONE = ZoneInfo("Asia/Shanghai")
MAKEUP_WORKDAY_NAME = "调休上班"
NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length or 40
# A year's notice lists a few dozen dates; anything far bigger is the wrong file.
MAX_IMPORT_ROWS = 1000
MAX_IMPORT_BYTES = 1_000_000
# Unpacked, such a notice is well under a megabyte; a zip bomb is refused from the zip's directory alone.
CALENDAR_WORKBOOK_LIMITS = SpreadsheetLimits(
    max_rows=MAX_IMPORT_ROWS + 1, max_columns=20, max_total_bytes=10_000_000, max_member_bytes=5_000_000
)
ONE_DAY = datetime.timedelta(days=1)

# chinesecalendar names holidays in English; the calendar shows the names of the State Council's notices.
_PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# The statutory holidays with a fixed solar date (全国年节及纪念日放假办法). The lunar ones (春节, 端午, 中秋)
# and 清明 move, and the State Council arranges the make-up days each year, so a year built from these
# rules alone stays provisional until its notice is imported or an administrator confirms it.
_FIXED_DATE_HOLIDAYS = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}


class CalendarGap(DomainError):
    """Working-day arithmetic reached a date the calendar has no data for."""

    code = "calendar_missing"

    def __init__(self, missing: datetime.date):
        super().__init__(
            _("The working-day calendar has no data for %(date)s. Ask an administrator to load that year.")
            % {"date": missing.isoformat()}
        )
        self.date = missing


class CalendarImportError(DomainError):
    """A calendar file or list of rows is invalid; ``errors`` holds every problem found, one sentence each."""

    code = "calendar_import_invalid"

    def __init__(self, errors: Sequence[str]):
        self.errors = [str(error) for error in errors]
        self.summary = ngettext(
            "The calendar data has %(count)d error, so nothing was changed.",
            "The calendar data has %(count)d errors, so nothing was changed.",
            len(self.errors),
        ) % {"count": len(self.errors)}
        super().__init__(" ".join([self.summary, *self.errors]))


@dataclass(frozen=True)
class Deadline:
    """The last day of a time limit, and whether it rests on a provisional (unconfirmed) calendar year."""

    date: datetime.date
    is_provisional: bool


class DayRule(NamedTuple):
    is_workday: bool
    name: str = ""


class CalendarRow(NamedTuple):
    """One exception of a State Council notice: a holiday, or a weekend made a working day.

    ``row`` is the row number in the source file, used in error messages.
    """

    date: datetime.date
    is_workday: bool
    name: str = ""
    row: int | None = None


class _DayState(NamedTuple):
    is_workday: bool
    name: str
    is_provisional: bool
