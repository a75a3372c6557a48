"""The working-day calendar (ALL art. 82: administrative time limits count working days).

Weekends and statutory holidays are not working days; make-up Saturdays and Sundays (调休上班) are. The day
a limit starts from is not counted, and a limit ending on a non-working day ends on the next working day.

Every date of the calendar is one ``CalendarDay`` row whose ``ordinal`` counts the working days from the
table's first date up to and including it. "N working days after D" is then the working day whose ordinal
is ordinal(D) + N, and "working days between A and B" is ordinal(B) - ordinal(A): each is one indexed
lookup. Writes keep the ordinals in step; every write goes through the services below.

Years the ``chinesecalendar`` package knows are seeded from it (confirmed). Later years get provisional
rules (weekends and the fixed-date holidays) until an administrator imports the State Council's notice or
confirms the year; results that depend on a provisional day say so (``Deadline.is_provisional``).

Modules: reading (the arithmetic), rules (whole years' rules), ordinals (writing days), hooks (what other
apps register), changes (the services), notice_file (reading a notice), sql (the arithmetic in SQL);
_common holds what they share. Callers import from here.
"""

from ._common import (
    CALENDAR_TIME_ZONE,
    CALENDAR_WORKBOOK_LIMITS,
    MAKEUP_WORKDAY_NAME,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    NAME_MAX_LENGTH,
    ONE_DAY,
    CalendarGap,
    CalendarImportError,
    CalendarRow,
    DayRule,
    Deadline,
)
from .changes import calendar_day_update, calendar_import, calendar_seed, calendar_year_confirm
from .hooks import (
    CalendarChangeHandler,
    can_manage_calendar,
    register_calendar_change_handler,
    register_calendar_manager_check,
    unregister_calendar_change_handler,
)
from .notice_file import parse_calendar_file
from .reading import (
    add_workdays,
    is_workday,
    provisional_years_in,
    provisional_years_needing_confirmation,
    workdays_between,
)
from .rules import package_days, package_years, provisional_days
from .sql import add_workdays_expression, workday_ordinal_expression, workdays_between_expression

__all__ = [
    "CALENDAR_TIME_ZONE",
    "CALENDAR_WORKBOOK_LIMITS",
    "MAKEUP_WORKDAY_NAME",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "NAME_MAX_LENGTH",
    "ONE_DAY",
    "CalendarChangeHandler",
    "CalendarGap",
    "CalendarImportError",
    "CalendarRow",
    "DayRule",
    "Deadline",
    "add_workdays",
    "add_workdays_expression",
    "calendar_day_update",
    "calendar_import",
    "calendar_seed",
    "calendar_year_confirm",
    "can_manage_calendar",
    "is_workday",
    "package_days",
    "package_years",
    "parse_calendar_file",
    "provisional_days",
    "provisional_years_in",
    "provisional_years_needing_confirmation",
    "register_calendar_change_handler",
    "register_calendar_manager_check",
    "unregister_calendar_change_handler",
    "workday_ordinal_expression",
    "workdays_between",
    "workdays_between_expression",
]
