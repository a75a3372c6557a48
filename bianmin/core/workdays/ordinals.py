"""Writing days and their ordinals, year by year under a lock."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from bianmin.core.models import CalendarDay, CalendarYear

from ._common import ONE_DAY, CalendarGap, DayRule, _DayState

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
