"""The services that change the calendar: seed, confirm a year, import a year's notice, edit a day."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import chinese_calendar
from django.db import transaction
from django.db.models import (
    F,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.models import CalendarDay, CalendarYear

from ._common import (
    CALENDAR_TIME_ZONE,
    MAKEUP_WORKDAY_NAME,
    NAME_MAX_LENGTH,
    CalendarGap,
    CalendarImportError,
    CalendarRow,
    DayRule,
    _DayState,
)
from .hooks import _audit_payload, _calendar_changed, _require_calendar_admin
from .ordinals import _lock_calendar_years, _write_days, _year_states
from .rules import _dates_of, _weekday_rule, package_days, package_years, provisional_days

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User


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
