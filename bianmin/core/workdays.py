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
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

import chinese_calendar
from django.db import transaction
from django.db.models import (
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bianmin.core.audit import audit_record
from bianmin.core.dates import BeijingDate
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.models import CalendarDay, CalendarYear
from bianmin.core.spreadsheets import SpreadsheetLimits, SpreadsheetRefused, open_workbook, sheet_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

logger = logging.getLogger(__name__)

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


# --- Reading the calendar --------------------------------------------------------------------------


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        # Raises ValueError for a naive datetime: its calendar day would be a guess.
        return timezone.localdate(value, CALENDAR_TIME_ZONE)
    return value


def _first_date_after_table() -> datetime.date:
    last = CalendarDay.objects.aggregate(last=Max("date"))["last"]
    return last + ONE_DAY if last is not None else timezone.localdate(timezone=CALENDAR_TIME_ZONE)


def add_workdays(start: datetime.date | datetime.datetime, days: int) -> Deadline:
    """ALL art. 82: the day ``days`` working days after ``start``; the start day itself is not counted.

    The result is always a working day. ``days=0`` gives ``start`` when it is a working day and otherwise
    the next working day (a limit ending on a non-working day ends on the next working day). A negative
    ``days`` raises DomainError; a result outside the calendar raises CalendarGap. ``is_provisional`` is
    True when any day deciding the result, in (start, result] (or [start, result] for 0), is provisional.
    """
    if days < 0:
        raise DomainError(_("The number of working days cannot be negative."), code="invalid_workdays")
    start = _as_date(start)
    found = CalendarDay.objects.filter(date=start).values_list("ordinal", "is_workday").first()
    if found is None:
        raise CalendarGap(start)
    ordinal, start_is_workday = found
    if days == 0 and start_is_workday:
        result = start
    else:
        result = (
            CalendarDay.objects.filter(ordinal=ordinal + max(days, 1), is_workday=True)
            .values_list("date", flat=True)
            .first()
        )
        if result is None:
            raise CalendarGap(_first_date_after_table())
    first_deciding_day = start if days == 0 else start + ONE_DAY
    is_provisional = CalendarDay.objects.filter(
        date__gte=first_deciding_day, date__lte=result, is_provisional=True
    ).exists()
    return Deadline(date=result, is_provisional=is_provisional)


def workdays_between(start: datetime.date | datetime.datetime, end: datetime.date | datetime.datetime) -> int:
    """ALL art. 82: working days from ``start`` (not counted) to ``end`` (counted if a working day).

    Aware datetimes count by their Beijing-time date. Negative when ``end`` is before ``start``.
    """
    start, end = _as_date(start), _as_date(end)
    ordinals = dict(CalendarDay.objects.filter(date__in={start, end}).values_list("date", "ordinal"))
    for day in (start, end):
        if day not in ordinals:
            raise CalendarGap(day)
    return ordinals[end] - ordinals[start]


def is_workday(day: datetime.date | datetime.datetime) -> bool:
    """ALL art. 82: whether ``day`` is a working day (make-up weekends are; holidays are not)."""
    day = _as_date(day)
    found = CalendarDay.objects.filter(date=day).values_list("is_workday", flat=True).first()
    if found is None:
        raise CalendarGap(day)
    return found


def provisional_years_in(start: datetime.date, end: datetime.date) -> list[int]:
    """The provisional years among the days after the earlier date up to the later one (one query)."""
    low, high = sorted((_as_date(start), _as_date(end)))
    days = CalendarDay.objects.filter(date__gt=low, date__lte=high, is_provisional=True)
    return [first_day.year for first_day in days.dates("date", "year")]


def provisional_years_needing_confirmation(*, today: datetime.date | None = None) -> list[int]:
    """This year and next year when not confirmed (provisional or missing): the administrators' banner.

    One query. ``today`` is injectable; it defaults to today's Beijing-time date.
    """
    today = today or timezone.localdate(timezone=CALENDAR_TIME_ZONE)
    years = [today.year, today.year + 1]
    statuses = dict(CalendarYear.objects.filter(year__in=years).values_list("year", "status"))
    return [year for year in years if statuses.get(year) != CalendarYear.Status.CONFIRMED]


# --- Rules for whole years -------------------------------------------------------------------------


def _dates_of(year: int) -> list[datetime.date]:
    first = datetime.date(year, 1, 1)
    return [first + datetime.timedelta(days=offset) for offset in range((datetime.date(year + 1, 1, 1) - first).days)]


def _weekday_rule(day: datetime.date) -> DayRule:
    return DayRule(is_workday=day.weekday() < 5)


def package_years() -> range:
    """The years the installed chinesecalendar package has the State Council's arrangements for."""
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


def _package_holiday_name(english: str) -> str:
    if english in _PACKAGE_HOLIDAY_NAMES:
        return _PACKAGE_HOLIDAY_NAMES[english]
    try:
        return chinese_calendar.Holiday(english).chinese[:NAME_MAX_LENGTH]
    except ValueError:
        return english[:NAME_MAX_LENGTH]


def package_days(year: int) -> dict[datetime.date, DayRule]:
    """Every date of a year the package knows: its holidays, its make-up working days, else weekday rules."""
    days = {}
    for day in _dates_of(year):
        if day in chinese_calendar.workdays:
            days[day] = DayRule(True, MAKEUP_WORKDAY_NAME)
        elif day in chinese_calendar.holidays:
            days[day] = DayRule(False, _package_holiday_name(chinese_calendar.holidays[day]))
        else:
            days[day] = _weekday_rule(day)
    return days


def provisional_days(year: int) -> dict[datetime.date, DayRule]:
    """A year nobody has published yet: weekends plus the fixed-date holidays (元旦, 劳动节, 国庆节) only."""
    days = {}
    for day in _dates_of(year):
        holiday = _FIXED_DATE_HOLIDAYS.get((day.month, day.day))
        days[day] = DayRule(False, holiday) if holiday else _weekday_rule(day)
    return days


# --- Writing days and ordinals ---------------------------------------------------------------------


class _Written(NamedTuple):
    created: int
    changed_dates: list[datetime.date]  # working day, name or provisional flag changed
    workday_changes: int  # days that became working days or stopped being working days
    ordinals_changed: int


def _write_days(desired: dict[datetime.date, _DayState]) -> _Written:
    """Merge ``desired`` over the table and recompute every ordinal in one pass; write only what differs."""
    existing = {
        row[0]: row[1:]
        for row in CalendarDay.objects.values_list("date", "is_workday", "name", "is_provisional", "ordinal")
    }
    merged = {day: _DayState(*values[:3]) for day, values in existing.items()}
    merged.update(desired)
    to_create: list[CalendarDay] = []
    to_update: list[CalendarDay] = []
    changed_dates: list[datetime.date] = []
    workday_changes = ordinals_changed = 0
    ordinal = 0
    previous: datetime.date | None = None
    for day in sorted(merged):
        if previous is not None and day != previous + ONE_DAY:
            # Ordinals mean something only over a contiguous table.
            raise CalendarGap(previous + ONE_DAY)
        previous = day
        state = merged[day]
        ordinal += int(state.is_workday)
        old = existing.get(day)
        if old is not None and old == (*state, ordinal):
            continue
        row = CalendarDay(date=day, ordinal=ordinal, **state._asdict())
        if old is None:
            to_create.append(row)
            continue
        to_update.append(row)
        if tuple(old[:3]) != tuple(state):
            changed_dates.append(day)
        workday_changes += int(old[0] != state.is_workday)
        ordinals_changed += int(old[3] != ordinal)
    CalendarDay.objects.bulk_create(to_create, batch_size=1000)
    CalendarDay.objects.bulk_update(to_update, ["is_workday", "name", "is_provisional", "ordinal"], batch_size=500)
    return _Written(len(to_create), changed_dates, workday_changes, ordinals_changed)


def _lock_calendar_years() -> dict[int, CalendarYear]:
    # Every write locks all year rows in one order: the ordinals run across years, so two writers must
    # not recompute them at once, and a fixed order cannot deadlock. There are a few dozen rows.
    return {row.year: row for row in CalendarYear.objects.select_for_update().order_by("year")}


def _year_states(rules: dict[datetime.date, DayRule], *, is_provisional: bool) -> dict[datetime.date, _DayState]:
    return {day: _DayState(rule.is_workday, rule.name, is_provisional) for day, rule in rules.items()}


# --- Change handlers -------------------------------------------------------------------------------

CalendarChangeHandler = Callable[[list[int]], None]
_change_handlers: list[CalendarChangeHandler] = []


def register_calendar_change_handler(handler: CalendarChangeHandler) -> CalendarChangeHandler:
    """Call ``handler(years)`` after a commit that changed those calendar years (e.g. to recompute deadlines).

    Usable as a decorator; registering the same function twice has no effect.
    """
    if handler not in _change_handlers:
        _change_handlers.append(handler)
    return handler


def unregister_calendar_change_handler(handler: CalendarChangeHandler) -> None:
    if handler in _change_handlers:
        _change_handlers.remove(handler)


def _on_commit_call(handler: CalendarChangeHandler, years: list[int]) -> None:
    def call_handler() -> None:
        handler(list(years))

    call_handler.__qualname__ = f"calendar change handler {getattr(handler, '__qualname__', handler)!s}"
    # robust: a failing handler is logged and does not stop the others (the calendar change is committed).
    transaction.on_commit(call_handler, robust=True)


def _calendar_changed(years: Iterable[int]) -> None:
    changed = sorted(set(years))
    if changed:
        for handler in list(_change_handlers):
            _on_commit_call(handler, changed)


# --- Permission ------------------------------------------------------------------------------------


# Whether a person is a centre administrator at the county root. Roles live in org, above core, so org registers the
# answer (OrgConfig.ready); until it has, only a superuser changes the calendar.
_calendar_manager_checks: list[Callable[[User], bool]] = []


def register_calendar_manager_check(check: Callable[[User], bool]) -> None:
    _calendar_manager_checks[:] = [check]


def can_manage_calendar(user: User | None) -> bool:
    """Whether a user may change the calendar: a superuser or a centre administrator at the county root.

    The calendar is the same for every site, so a town's centre administrator may not change it.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(check(user) for check in _calendar_manager_checks)


def _require_calendar_admin(actor: User | None) -> None:
    # actor=None is a trusted caller: a management command run by an operator on the server.
    if actor is not None and not can_manage_calendar(actor):
        raise PermissionDenied(_("Only a county centre administrator may change the working-day calendar."))


def _audit_payload(payload: dict[str, Any], channel: str) -> dict[str, Any]:
    return {**payload, "channel": channel} if channel else payload


# --- Services --------------------------------------------------------------------------------------


def _is_kept_by_seed(calendar_year: CalendarYear | None) -> bool:
    # A person's work is never overwritten by the seed: an imported notice, a manual edit, or a
    # provisional year an administrator confirmed as it stands.
    if calendar_year is None:
        return False
    return calendar_year.source in (CalendarYear.Source.IMPORT, CalendarYear.Source.MANUAL) or (
        calendar_year.source == CalendarYear.Source.RULES and not calendar_year.is_provisional
    )


def _seed_plan(today: datetime.date) -> list[tuple[int, bool]]:
    known = package_years()
    provisional = range(known.stop, today.year + 3)
    return [(year, False) for year in known] + [(year, True) for year in provisional]


def _year_row_set(
    years: dict[int, CalendarYear], year: int, *, status: str, source: str, note: str = ""
) -> CalendarYear | None:
    """Create or update a year row for the seed; returns it when it must be saved."""
    row = years.get(year) or CalendarYear(year=year)
    wanted = {"status": status, "source": source, "note": note}
    if row._state.adding is False and all(getattr(row, field) == value for field, value in wanted.items()):
        return None
    for field, value in wanted.items():
        setattr(row, field, value)
    return row


@transaction.atomic
def calendar_seed(*, today: datetime.date | None = None) -> dict[str, int]:
    """ALL art. 82: load every year chinesecalendar knows, and provisional rules up to two years ahead.

    Idempotent: years imported or edited by an administrator (and provisional years an administrator
    confirmed) are kept; nothing is written when nothing changed. Returns counts of what it did.
    """
    today = today or timezone.localdate(timezone=CALENDAR_TIME_ZONE)
    years = _lock_calendar_years()
    note = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
    desired: dict[datetime.date, _DayState] = {}
    year_rows: list[CalendarYear] = []
    counts = {"package_years": 0, "provisional_years": 0, "kept_years": 0}
    for year, is_provisional in _seed_plan(today):
        if _is_kept_by_seed(years.get(year)):
            counts["kept_years"] += 1
            continue
        rules = provisional_days(year) if is_provisional else package_days(year)
        desired.update(_year_states(rules, is_provisional=is_provisional))
        counts["provisional_years" if is_provisional else "package_years"] += 1
        row = _year_row_set(
            years,
            year,
            status=CalendarYear.Status.PROVISIONAL if is_provisional else CalendarYear.Status.CONFIRMED,
            source=CalendarYear.Source.RULES if is_provisional else CalendarYear.Source.PACKAGE,
            note="" if is_provisional else note,
        )
        if row is not None:
            year_rows.append(row)
    for row in year_rows:
        row.save()
    written = _write_days(desired)
    changed_years = sorted({day.year for day in written.changed_dates})
    if changed_years:
        # Only a change to days that already existed is news; loading new years is not.
        audit_record(
            actor=None,
            action="calendar.seed",
            object_type="calendar",
            object_id="seed",
            payload={
                "years": changed_years,
                "changed_days": len(written.changed_dates),
                "workday_changes": written.workday_changes,
                "source": note,
            },
        )
        _calendar_changed(changed_years)
    return {
        **counts,
        "years_saved": len(year_rows),
        "days_created": written.created,
        "days_changed": len(written.changed_dates),
        "ordinals_changed": written.ordinals_changed,
    }


@transaction.atomic
def calendar_year_confirm(*, year: int, actor: User | None, channel: str = "") -> CalendarYear:
    """ALL art. 82: an administrator confirms a provisional year's working days as they stand.

    Open cases' deadlines in that year are recomputed after commit (see register_calendar_change_handler).
    """
    _require_calendar_admin(actor)
    calendar_year = _lock_calendar_years().get(year)
    if calendar_year is None:
        raise NotFound(_("The working-day calendar has no year %(year)d.") % {"year": year})
    if not calendar_year.is_provisional:
        raise DomainError(
            _("The working-day calendar for %(year)d is already confirmed.") % {"year": year},
            code="calendar_already_confirmed",
        )
    calendar_year.status = CalendarYear.Status.CONFIRMED
    calendar_year.confirmed_by = actor
    calendar_year.confirmed_at = timezone.now()
    calendar_year.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    CalendarDay.objects.filter(date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)).update(
        is_provisional=False
    )
    audit_record(
        actor=actor,
        action="calendar.confirm",
        object_type="calendar_year",
        object_id=str(year),
        payload=_audit_payload({"year": year, "source": calendar_year.source}, channel),
    )
    _calendar_changed([year])
    return calendar_year


def _normalised_row(raw: CalendarRow | Sequence[Any], index: int) -> CalendarRow:
    row = raw if isinstance(raw, CalendarRow) else CalendarRow(*raw)
    return row._replace(name=(row.name or "").strip(), row=row.row or index)


def _row_problem(row: CalendarRow, year: int, seen: dict[datetime.date, int]) -> str | None:
    if not isinstance(row.date, datetime.date) or isinstance(row.date, datetime.datetime):
        return _("the date is missing or not a date.")
    if row.date.year != year:
        return _("%(date)s is not in %(year)d.") % {"date": row.date.isoformat(), "year": year}
    if row.date in seen:
        return _("%(date)s is listed twice (first in row %(first)d).") % {
            "date": row.date.isoformat(),
            "first": seen[row.date],
        }
    if not isinstance(row.is_workday, bool):
        return _("say whether the day is a working day.")
    if len(row.name) > NAME_MAX_LENGTH:
        return _("the name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH}
    return None


def _row_error(row_number: int, problem: str) -> str:
    return _("Row %(row)d: %(problem)s") % {"row": row_number, "problem": problem}


def _check_year_value(year: Any) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
        raise CalendarImportError([_("%(year)s is not a year the calendar can hold.") % {"year": year}])


def _rows_problems(
    year: int, rows: Iterable[CalendarRow | Sequence[Any]]
) -> tuple[list[CalendarRow], list[tuple[int, str]]]:
    """The valid rows, and (row number, message) for every invalid one."""
    problems: list[tuple[int, str]] = []
    valid: list[CalendarRow] = []
    seen: dict[datetime.date, int] = {}
    for index, raw in enumerate(rows, start=1):
        try:
            row = _normalised_row(raw, index)
        except TypeError:
            problem = _("a row needs a date, whether it is a working day, and a name.")
            problems.append((index, _row_error(index, problem)))
            continue
        number = row.row or index
        problem = _row_problem(row, year, seen)
        if problem:
            problems.append((number, _row_error(number, problem)))
            continue
        seen[row.date] = number
        valid.append(row)
    return valid, problems


def _sorted_errors(problems: list[tuple[int, str]]) -> list[str]:
    return [message for _number, message in sorted(problems, key=lambda problem: problem[0])]


def _validated_rows(year: int, rows: Iterable[CalendarRow | Sequence[Any]]) -> list[CalendarRow]:
    _check_year_value(year)
    valid, problems = _rows_problems(year, rows)
    errors = _sorted_errors(problems)
    if not valid and not errors:
        errors.append(_("The data lists no holidays or make-up working days for %(year)d.") % {"year": year})
    if errors:
        raise CalendarImportError(errors)
    return valid


def _check_year_adjoins(year: int, years: dict[int, CalendarYear]) -> None:
    # The ordinals need a contiguous table: a year is imported inside the calendar or right next to it.
    if years and year not in years and year not in (min(years) - 1, max(years) + 1):
        raise CalendarImportError(
            [
                _("The calendar covers %(first)d to %(last)d; %(year)d must be next to those years.")
                % {"first": min(years), "last": max(years), "year": year}
            ]
        )


def calendar_import(
    *,
    year: int,
    rows: Iterable[CalendarRow | Sequence[Any]],
    actor: User | None,
    source: str = CalendarYear.Source.IMPORT,
    channel: str = "",
) -> CalendarYear:
    """ALL art. 82: load a year from the State Council's notice and confirm it.

    ``rows`` are the notice's exceptions (holidays and make-up working days), all within ``year``; every
    other date is a working day on Monday to Friday. Everything is validated first: one
    CalendarImportError lists every problem and nothing changes. Open cases' deadlines in that year are
    recomputed after commit (see register_calendar_change_handler).
    """
    if source not in (CalendarYear.Source.IMPORT, CalendarYear.Source.MANUAL):
        raise ValueError(f"calendar_import() source must be import or manual, not {source!r}")
    _require_calendar_admin(actor)
    exceptions = _validated_rows(year, list(rows))
    with transaction.atomic():
        years = _lock_calendar_years()
        _check_year_adjoins(year, years)
        rules = {day: _weekday_rule(day) for day in _dates_of(year)}
        for row in exceptions:
            default_name = MAKEUP_WORKDAY_NAME if row.is_workday and row.date.weekday() >= 5 else ""
            rules[row.date] = DayRule(row.is_workday, row.name or default_name)
        calendar_year = years.get(year) or CalendarYear(year=year)
        calendar_year.status = CalendarYear.Status.CONFIRMED
        calendar_year.source = source
        calendar_year.confirmed_by = actor
        calendar_year.confirmed_at = timezone.now()
        calendar_year.save()
        written = _write_days(_year_states(rules, is_provisional=False))
        audit_record(
            actor=actor,
            action="calendar.import",
            object_type="calendar_year",
            object_id=str(year),
            payload=_audit_payload(
                {
                    "year": year,
                    "source": source,
                    "rows": [[row.date, row.is_workday, rules[row.date].name] for row in exceptions],
                    "workday_changes": written.workday_changes,
                },
                channel,
            ),
        )
        _calendar_changed([year])
    return calendar_year


@transaction.atomic
def calendar_day_update(
    *, day: CalendarDay, is_workday: bool, name: str, actor: User | None, channel: str = ""
) -> CalendarDay:
    """ALL art. 82: an administrator corrects one date; later ordinals shift and the year becomes manual.

    Open cases' deadlines in that year are recomputed after commit (see register_calendar_change_handler).
    """
    _require_calendar_admin(actor)
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            _("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH}, code="invalid_name"
        )
    years = _lock_calendar_years()
    current = CalendarDay.objects.select_for_update().get(pk=day.pk)
    if (current.is_workday, current.name) == (is_workday, name):
        return current
    calendar_year = years.get(current.date.year)
    if calendar_year is None:
        raise CalendarGap(current.date)
    before = {"is_workday": current.is_workday, "name": current.name}
    if current.is_workday != is_workday:
        # This date and every later one gain or lose the one working day; earlier ordinals are unchanged.
        shift = 1 if is_workday else -1
        CalendarDay.objects.filter(date__gte=current.date).update(ordinal=F("ordinal") + shift)
    CalendarDay.objects.filter(pk=current.pk).update(is_workday=is_workday, name=name)
    calendar_year.source = CalendarYear.Source.MANUAL
    calendar_year.save(update_fields=["source"])
    audit_record(
        actor=actor,
        action="calendar.day_update",
        object_type="calendar_day",
        object_id=current.date.isoformat(),
        payload=_audit_payload({"before": before, "after": {"is_workday": is_workday, "name": name}}, channel),
    )
    _calendar_changed([current.date.year])
    current.refresh_from_db()
    return current


# --- Reading a notice file -------------------------------------------------------------------------

_COLUMN_ALIASES = {
    "日期": "date",
    "date": "date",
    "是否工作日": "is_workday",
    "is_workday": "is_workday",
    "名称": "name",
    "name": "name",
}
_WORKDAY_WORDS = {"是": True, "1": True, "workday": True, "上班": True, "否": False, "0": False}
_WORKDAY_WORDS.update({"holiday": False, "休息": False, "true": True, "false": False})


def _read_source(source: str | Path | IO[bytes], filename: str | None) -> tuple[str, bytes]:
    if isinstance(source, str | Path):
        path = Path(source)
        return filename or path.name, path.read_bytes()[: MAX_IMPORT_BYTES + 1]
    data = source.read(MAX_IMPORT_BYTES + 1)
    return filename or getattr(source, "name", "") or "", data if isinstance(data, bytes) else data.encode()


def _csv_table(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CalendarImportError([_("The file is not UTF-8 text. Save it as “CSV UTF-8”.")]) from exc
    try:
        return [list(row) for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # a field over csv's size limit, say
        raise CalendarImportError([_("The file is not a readable CSV table.")]) from exc


def _xlsx_table(data: bytes) -> list[list[Any]]:
    """The first sheet's rows, read through ``core.spreadsheets`` (zip inspected, streamed, bounded)."""
    try:
        workbook = open_workbook(data, CALENDAR_WORKBOOK_LIMITS)
        try:
            sheet = workbook.worksheets[0]
            return [list(values) for _number, values in sheet_rows(sheet, CALENDAR_WORKBOOK_LIMITS)]
        finally:
            workbook.close()
    except SpreadsheetRefused as refused:
        unreadable = refused.code == "not_a_workbook"
        message = _("The file is not a readable Excel (.xlsx) workbook.") if unreadable else refused.message
        raise CalendarImportError([message]) from refused
    except IndexError as exc:  # a workbook without sheets
        raise CalendarImportError([_("The file is not a readable Excel (.xlsx) workbook.")]) from exc


def _date_cell(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):  # OverflowError: a year like 99999999999
        return None


def _workday_cell(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    return _WORKDAY_WORDS.get(str(value or "").strip().lower())


def _header_columns(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _COLUMN_ALIASES.get(str(cell or "").strip().lower())
        if key and key not in columns:
            columns[key] = index
    if "date" not in columns or "is_workday" not in columns:
        raise CalendarImportError(
            [_("The first row must name the columns 日期 (date), 是否工作日 (is_workday) and 名称 (name).")]
        )
    return columns


def _cell(cells: list[Any], index: int | None) -> Any:
    return cells[index] if index is not None and index < len(cells) else None


def _parse_table_row(cells: list[Any], columns: dict[str, int], number: int) -> tuple[CalendarRow | None, list[str]]:
    date_value, workday_value = _cell(cells, columns["date"]), _cell(cells, columns["is_workday"])
    name = str(_cell(cells, columns.get("name")) or "").strip()
    day, workday = _date_cell(date_value), _workday_cell(workday_value)
    problems = []
    if day is None:
        problems.append(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": date_value or ""})
    if workday is None:
        problems.append(
            _("“%(value)s” does not say whether the day is a working day; write 是 or 否.")
            % {"value": workday_value or ""}
        )
    if len(name) > NAME_MAX_LENGTH:
        problems.append(_("the name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH})
    if problems or day is None or workday is None:
        return None, [_row_error(number, problem) for problem in problems]
    return CalendarRow(day, workday, name, number), []


def _read_table(name: str, data: bytes) -> list[list[Any]]:
    if len(data) > MAX_IMPORT_BYTES:
        raise CalendarImportError([_("The file is too large for a calendar year's notice.")])
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        table = _csv_table(data)
    elif suffix == ".xlsx":
        table = _xlsx_table(data)
    else:
        raise CalendarImportError([_("Upload a .csv or .xlsx file.")])
    if not table:
        raise CalendarImportError([_("The file is empty.")])
    if len(table) > MAX_IMPORT_ROWS + 1:
        raise CalendarImportError([_("The file has more rows than a calendar year's notice.")])
    return table


def parse_calendar_file(
    source: str | Path | IO[bytes], filename: str | None = None, *, year: int | None = None
) -> list[CalendarRow]:
    """Read a State Council notice table (CSV in UTF-8, with or without BOM, or .xlsx, first sheet).

    Columns, named in the first row: 日期/date, 是否工作日/is_workday (是/否, 1/0, workday/holiday,
    上班/休息) and 名称/name. Blank lines are skipped. Raises one CalendarImportError listing every bad
    cell; given ``year``, it also lists the rows calendar_import would refuse (wrong year, duplicates),
    so the person uploading sees every problem at once.
    """
    name, data = _read_source(source, filename)
    table = _read_table(name, data)
    columns = _header_columns(table[0])
    rows: list[CalendarRow] = []
    problems: list[tuple[int, str]] = []
    for number, cells in enumerate(table[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        row, messages = _parse_table_row(cells, columns, number)
        problems.extend((number, message) for message in messages)
        if row is not None:
            rows.append(row)
    if year is not None:
        _check_year_value(year)
        rows, row_problems = _rows_problems(year, rows)
        problems.extend(row_problems)
    if problems:
        raise CalendarImportError(_sorted_errors(problems))
    return rows


# --- The same arithmetic inside SQL, for set-based sweeps and statistics ---------------------------------
#
# Each helper returns a query expression to annotate or filter any queryset with, so a sweep over 10^5
# open cases is one statement that joins the calendar, not a Python loop. ``field`` names a DateField
# (or, with ``is_datetime=True``, a DateTimeField whose Beijing-time date counts) of the queryset's model,
# following relations with "__" as usual. A date outside the calendar yields NULL.


def _calendar_date(field: str, is_datetime: bool, depth: int = 1) -> Any:
    reference: Any = field
    for _level in range(depth):
        reference = OuterRef(reference)
    if not is_datetime:
        return reference
    # An outer reference carries no field type until resolved; the date expression needs to know it is a datetime.
    return BeijingDate(ExpressionWrapper(reference, output_field=DateTimeField()))


def workday_ordinal_expression(field: str, *, is_datetime: bool = False, _depth: int = 1) -> Subquery:
    """The working-day ordinal of the date in ``field`` (see CalendarDay)."""
    return Subquery(
        CalendarDay.objects.filter(date=_calendar_date(field, is_datetime, _depth)).values("ordinal")[:1],
        output_field=IntegerField(),
    )


def add_workdays_expression(field: str, days: int | Any, *, is_datetime: bool = False) -> Subquery:
    """ALL art. 82 in SQL: the date ``days`` (>= 1; an int or an expression) working days after ``field``."""
    # The ordinal lookup sits inside the date lookup, so its reference reaches out two levels.
    target = workday_ordinal_expression(field, is_datetime=is_datetime, _depth=2) + days
    return Subquery(
        CalendarDay.objects.filter(ordinal=target, is_workday=True).values("date")[:1],
        output_field=DateField(),
    )


def workdays_between_expression(start_field: str, end_field: str, *, is_datetime: bool = False) -> ExpressionWrapper:
    """ALL art. 82 in SQL: working days from ``start_field`` (not counted) to ``end_field``."""
    return ExpressionWrapper(
        workday_ordinal_expression(end_field, is_datetime=is_datetime)
        - workday_ordinal_expression(start_field, is_datetime=is_datetime),
        output_field=IntegerField(),
    )
