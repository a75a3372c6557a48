"""The benchmark database: the demo county and its catalogue plus N synthetic cases over three years.

    python bench/dataset.py [--cases 1000000] [--open 100000] [--path var/bench/cases-1000000.sqlite3]

Builds a SQLite file once (about 2 minutes for 10^6 cases on a 2-core machine) and reuses it while the
parameters match. Cases are inserted with plain multi-row INSERTs (the services would take hours and the
benchmarks measure reads and sweeps, not intake); their dates come from the real working-day calendar, so
deadlines, overdue cases and late steps are what the services would have produced.

Open cases (received in the last ~40 working days): 80 % accepted (each with one open review step, about one
in twelve past the promised deadline and one in six with a late step), 6 % received, 4 % waiting for
supplements, 10 % suspended. Finished cases: 84 % approved, 6 % denied, 4 % refused, 4 % withdrawn, 2 %
closed; about one in ten finished after the promised deadline. About 3 % have a supplement notice, a tenth of
those a repeated one.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261127
FIRST_DAY = datetime.date(2024, 1, 2)
LAST_DAY = datetime.date(2026, 11, 26)  # "today" of the dataset
BATCH = 5000


def setup_django(path: Path) -> None:
    """Point Django at the benchmark database (bench settings: DEBUG off, no query log)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bianmin.settings.bench"
    os.environ.setdefault("BIANMIN_VAR_DIR", str(path.parent))
    import django

    django.setup()


def default_path(cases: int) -> Path:
    return ROOT / "var" / "bench" / f"cases-{cases}.sqlite3"


def ensure_dataset(*, cases: int = 1_000_000, open_cases: int = 100_000, path: Path | None = None) -> Path:
    """Return the path of a database with this many cases (building it if needed); Django is set up on it."""
    path = path or default_path(cases)
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = path.with_suffix(".done")
    # The generator's own source is part of the key: a changed generator rebuilds the file.
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    wanted = f"{cases} {open_cases} {SEED} {source}"
    if path.exists() and marker.exists() and marker.read_text() == wanted:
        setup_django(path)
        return path
    for stale in (path, marker, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    setup_django(path)
    _build(cases=cases, open_cases=open_cases)
    marker.write_text(wanted)
    return path


class _Calendar:
    """Working-day arithmetic over the seeded calendar, in memory (ordinal of each date and back)."""

    def __init__(self) -> None:
        from bianmin.core.models import CalendarDay

        rows = list(CalendarDay.objects.order_by("date").values_list("date", "ordinal", "is_workday"))
        self.ordinal = {day: ordinal for day, ordinal, _workday in rows}
        self.by_ordinal = {ordinal: day for day, ordinal, is_workday in rows if is_workday}
        self.workdays = [day for day, _ordinal, is_workday in rows if is_workday]

    def add(self, day: datetime.date, days: int) -> datetime.date:
        return self.by_ordinal[self.ordinal[day] + days]


def _utc(day: datetime.date, hour: int, minute: int = 0) -> str:
    """A Beijing-time moment on ``day`` as SQLite stores Django datetimes (UTC, no offset)."""
    moment = datetime.datetime.combine(day, datetime.time(hour, minute)) - datetime.timedelta(hours=8)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _build(*, cases: int, open_cases: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from bianmin.core.workdays import calendar_seed
    from bianmin.demo.loader import load_demo

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    calendar_seed(today=LAST_DAY)
    load_demo(with_catalog=True)
    generator = _Generator()
    generator.run(cases=cases, open_cases=open_cases)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"dataset: {cases} cases ({open_cases} open) built in {time.perf_counter() - started:.0f} s", flush=True)


CLOSED_STATUSES = ["approved"] * 84 + ["denied"] * 6 + ["refused"] * 4 + ["withdrawn"] * 4 + ["closed"] * 2
OPEN_STATUSES = ["accepted"] * 80 + ["received"] * 6 + ["supplement_requested"] * 4 + ["suspended"] * 10
CHANNELS = ["window"] * 60 + ["online"] * 30 + ["agency"] * 10
TASK_COLUMNS = [
    "case_id",
    "position",
    "name",
    "role",
    "department_id",
    "site_id",
    "is_parallel",
    "is_decision",
    "limit_days",
    "state",
    "opened_on",
    "due",
    "outcome",
    "comment",
]
NOTICE_COLUMNS = ["case_id", "kind", "number", "issued_at", "issuer_name", "content", "is_repeat"]


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"


class _Generator:
    """Builds case, review-step and notice rows in batches with one random stream (reproducible)."""

    def __init__(self) -> None:
        from bianmin.cases.models import Case
        from bianmin.catalog.models import ServiceItem
        from bianmin.org.models import Site

        self.calendar = _Calendar()
        self.rng = random.Random(SEED)
        self.items = list(
            ServiceItem.objects.filter(current_version__isnull=False).select_related("current_version").order_by("code")
        )
        by_level: dict[str, list] = {}
        for site in Site.objects.filter(is_active=True).select_related("parent").order_by("path"):
            by_level.setdefault(site.level, []).append(site)
        self.county = by_level["county"][0]
        self.towns = by_level.get("town", [])
        self.villages = by_level.get("village", [])
        workdays = [d for d in self.calendar.workdays if FIRST_DAY <= d <= LAST_DAY]
        self.span = workdays[:-45]
        fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in fields]
        self.defaults = {f.column: f.get_default() if f.has_default() else (None if f.null else "") for f in fields}
        self.case_sql = _insert_sql("cases_case", self.columns)
        self.task_sql = _insert_sql("cases_reviewtask", TASK_COLUMNS)
        self.notice_sql = _insert_sql("cases_notice", NOTICE_COLUMNS)
        self.rows: list[tuple] = []
        self.tasks: list[tuple] = []
        self.notices: list[tuple] = []
        self.notice_number = 0

    def run(self, *, cases: int, open_cases: int) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
            first_id = cursor.fetchone()[0] + 1
        for index in range(cases):
            self.rows.append(self.case(first_id + index, is_open=index >= cases - open_cases))
            if len(self.rows) >= BATCH:
                self.flush()
        self.flush()

    def flush(self) -> None:
        from django.db import connection, transaction

        if not self.rows:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(self.case_sql, self.rows)
            if self.tasks:
                cursor.executemany(self.task_sql, self.tasks)
            if self.notices:
                cursor.executemany(self.notice_sql, self.notices)
        self.rows.clear()
        self.tasks.clear()
        self.notices.clear()

    def place(self, channel: str):
        """(receiving site, site handling it): agency cases come from a village room to its town."""
        if channel == "agency" and self.villages:
            village = self.villages[self.rng.randrange(len(self.villages))]
            return village, village.parent or self.county
        if self.towns and self.rng.random() < 0.4:
            town = self.towns[self.rng.randrange(len(self.towns))]
            return town, town
        return self.county, self.county

    def case(self, case_id: int, *, is_open: bool) -> tuple:
        rng, calendar = self.rng, self.calendar
        item = self.items[rng.randrange(len(self.items))]
        channel = CHANNELS[rng.randrange(100)]
        receiving, current = self.place(channel)
        if is_open:
            # Open cases arrived within their promised limit (the overdue share is set in ``accepted``).
            received_on = calendar.add(LAST_DAY, -rng.randrange(0, min(40, item.current_version.promised_days + 1)))
        else:
            received_on = self.span[rng.randrange(len(self.span))]
        status = (OPEN_STATUSES if is_open else CLOSED_STATUSES)[rng.randrange(100)]
        supplements = (2 if rng.random() < 0.1 else 1) if rng.random() < 0.03 else 0
        row = dict(self.defaults)
        row.update(
            tracking_number=f"B{case_id:09d}",
            item_id=item.pk,
            version_id=item.current_version.pk,
            department_id=item.department_id,
            channel=channel,
            status=status,
            applicant_name=f"申请人{case_id % 9973}",
            applicant_id_type="resident_id",
            applicant_id_number=f"420222{1950 + case_id % 50}0101{case_id % 1000:03d}X",
            applicant_phone=f"138{case_id % 100000000:08d}",
            receiving_site_id=receiving.pk,
            current_site_id=current.pk,
            relay_site_id=receiving.pk if current.pk != receiving.pk else None,
            supplement_count=supplements,
        )
        self.received(row, received_on)
        is_accepted = status not in ("received", "supplement_requested") and not (
            status == "refused" and rng.random() < 0.5
        )
        if is_accepted:
            delay = rng.randrange(0, 4) + (2 if supplements else 0)
            self.accepted(row, item, min(calendar.add(received_on, delay), LAST_DAY))
        if status == "accepted":
            self.open_step(case_id, row, item, current)
        elif status in ("approved", "denied"):
            self.decided(row, item)
        elif status in ("withdrawn", "closed") and is_accepted:
            closed = _utc(calendar.add(datetime.date.fromisoformat(row["accepted_on"]), 1), 11)
            row.update(closed_at=closed, withdrawn_at=closed if status == "withdrawn" else None)
        elif status == "refused":
            row["closed_at"] = _utc(calendar.add(received_on, rng.randrange(0, 5)), 11)
            self.notice(case_id, "refusal", row["closed_at"], '{"reasons": "不属于本机关职权范围"}')
        for repeat in range(supplements):
            self.notice(case_id, "supplement", _utc(calendar.add(received_on, repeat), 11), "{}", is_repeat=repeat > 0)
        return tuple(row[column] for column in self.columns)

    def received(self, row: dict, received_on: datetime.date) -> None:
        row.update(
            created_at=_utc(received_on, 9),
            received_at=_utc(received_on, 9, self.rng.randrange(60)),
            received_on=received_on.isoformat(),
            acceptance_due=self.calendar.add(received_on, 5).isoformat(),
        )

    def accepted(self, row: dict, item, accepted_on: datetime.date) -> None:
        version, rng, calendar = item.current_version, self.rng, self.calendar
        if row["status"] == "accepted" and rng.random() < 0.08:
            # Accepted long enough ago to be past the promised deadline today.
            accepted_on = calendar.add(LAST_DAY, -(version.promised_days + rng.randrange(1, 6)))
            self.received(row, calendar.add(accepted_on, -1))
        suspended = rng.randrange(3, 10) if row["status"] == "suspended" or rng.random() < 0.02 else 0
        extension = 10 if rng.random() < 0.01 else 0
        row.update(
            accepted_at=_utc(accepted_on, 10),
            accepted_on=accepted_on.isoformat(),
            promised_due=calendar.add(accepted_on, version.promised_days + suspended + extension).isoformat(),
            statutory_due=calendar.add(accepted_on, version.statutory_days + suspended + extension).isoformat(),
            suspended_days=suspended,
            extension_days=extension,
        )

    def open_step(self, case_id: int, row: dict, item, current) -> None:
        calendar = self.calendar
        limit = max(1, item.current_version.promised_days)
        opened = datetime.date.fromisoformat(row["accepted_on"])
        if self.rng.random() < 0.16:
            opened = calendar.add(LAST_DAY, -(limit + self.rng.randrange(1, 4)))
        due = calendar.add(opened, limit)
        self.tasks.append(
            (
                case_id,
                1,
                "审核",
                "chief_representative",
                item.department_id,
                current.pk,
                False,
                False,
                limit,
                "open",
                opened.isoformat(),
                due.isoformat(),
                "",
                "",
            )
        )

    def decided(self, row: dict, item) -> None:
        allowed = item.current_version.promised_days + row["suspended_days"] + row["extension_days"]
        used = allowed + self.rng.randrange(1, 5) if self.rng.random() < 0.1 else self.rng.randrange(0, allowed + 1)
        decided_on = min(self.calendar.add(datetime.date.fromisoformat(row["accepted_on"]), used), LAST_DAY)
        row.update(decided_at=_utc(decided_on, 15), closed_at=_utc(decided_on, 16), decision_reasons="符合条件")

    def notice(self, case_id: int, kind: str, issued_at: str, content: str, *, is_repeat: bool = False) -> None:
        self.notice_number += 1
        self.notices.append((case_id, kind, f"BENCH-{self.notice_number:08d}", issued_at, "阳新县", content, is_repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--path", type=Path)
    options = parser.parse_args()
    path = ensure_dataset(cases=options.cases, open_cases=options.open, path=options.path)
    print(path)


if __name__ == "__main__":
    main()
