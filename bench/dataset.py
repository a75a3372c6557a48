"""The benchmark database: the demo county and its catalogue plus N synthetic cases over three years.

    python bench/dataset.py [--database sqlite|postgres] [--cases 1000000] [--open 100000]
                            [--path var/bench/cases-1000000.sqlite3 | --database-url postgres://…/bench_cases_1000000]

Builds the database once and reuses it while the parameters and this file's source match (a changed generator
rebuilds it): on SQLite a file under ``var/bench/`` (a ``.done`` file next to it holds the key), on PostgreSQL a
database ``bench_cases_<N>`` on ``postgres://postgres@127.0.0.1:5432`` (created if missing; the key is in its
``bench_marker`` table). ``ensure_dataset`` returns the DATABASE_URL with Django set up on it, and
``working_copy`` gives each benchmark its own copy (a file copy, or ``CREATE DATABASE … TEMPLATE``).

Cases are inserted in bulk (the services would take hours and the benchmarks measure reads and sweeps, not
intake): executemany in large transactions on SQLite, COPY on PostgreSQL, with the secondary indexes of
``cases_case`` (and on PostgreSQL the foreign keys of the loaded tables) created after the load from the
definitions the migrations made; a progress bar on stderr shows the rows, their rate and the time left. The
cases' dates come from the real working-day calendar, so deadlines, overdue cases and late steps are what the
services would have produced. At the end the clock columns, access keys and counts the services keep are
computed (``cases.access.cases_index_rebuild``) and the tables analysed. 10^6 cases take about 2.5 minutes on SQLite and
1.5 on PostgreSQL, 10^7 about 17 minutes on PostgreSQL (2 busy cores; bench/README.md).

Open cases (received in the last ~40 working days): 80 % accepted (each with one open review step, about one
in twelve past the promised deadline and one in six with a late step), 6 % received, 4 % waiting for
supplements, 10 % suspended. Finished cases (received over the whole period up to the day before the last):
84 % approved, 6 % denied, 4 % refused, 4 % withdrawn, 2 % handled on the spot (accepted, approved and
delivered the day they arrive); about one in ten decided after the promised deadline. About 3 % have a
supplement notice, a tenth of those a repeated one. Beside the cases (bench/records.py): the alerts and inbox
messages of the product's own sweep on the last day, supervision orders, accountability records, ratings and
complaints.

A decision is followed as ``cases/services/`` would: an approval sets the certificate's due date (10 working
days, ALL art. 44) and the certificate is issued within a few working days (2 % late), with the item's published
fee collected on items that charge one; the result (or the denial) is ready then and is handed over within 10
working days of the decision: at the window, by post for a third of online applications, back through the
relaying village for agency cases. A delivered case is closed (``delivered_at`` = ``closed_at``). Only the cases
decided in the last days are still approved or denied, awaiting their certificate or their delivery (about
7,000 at 10^6 cases).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import hashlib
import operator
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261127
FIRST_DAY = datetime.date(2024, 1, 2)
LAST_DAY = datetime.date(2026, 11, 26)  # "today" of the dataset
BATCH = 50_000  # cases a transaction
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
# Tables whose secondary indexes are created after the bulk load and the derived columns (the cases, and the
# side table of ``cases_index_rebuild`` when there is one).
BULK_INDEXED_TABLES = ("cases_case", "cases_caseaccess")
# Tables loaded here: on PostgreSQL their foreign keys are added back (and checked) after the load.
LOADED_TABLES = ("cases_case", "cases_reviewtask", "cases_notice")
CERTIFICATE_WORKING_DAYS = 10  # ALL art. 44, as cases/services/
DELIVERED_WITHIN = 10  # working days after the decision by which every result has been handed over


# --- Where the dataset lives --------------------------------------------------------------------------------------


def default_url(database: str, cases: int) -> str:
    if database == "postgres":
        return f"{POSTGRES_SERVER}/bench_cases_{cases}"
    return f"sqlite:///{ROOT / 'var' / 'bench' / f'cases-{cases}.sqlite3'}"


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in ("postgres", "postgresql", "pgsql")


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str):
    """An autocommit connection to the server's maintenance database (CREATE/DROP DATABASE run outside
    transactions)."""
    import psycopg

    return psycopg.connect(_with_database(url, "postgres").replace("postgres://", "postgresql://", 1), autocommit=True)


def _connect(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def database_exists(url: str) -> bool:
    if not is_postgres(url):
        return sqlite_path(url).exists()
    with _admin(url) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]).fetchone()
        return found is not None


def setup_django(url: str) -> None:
    """Point Django at the benchmark database (bench settings: DEBUG off, no query log)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bianmin.settings.bench"
    var_dir = sqlite_path(url).parent if not is_postgres(url) else ROOT / "var" / "bench"
    os.environ.setdefault("BIANMIN_VAR_DIR", str(var_dir))
    import django

    django.setup()


def ensure_dataset(
    *,
    database: str = "sqlite",
    cases: int = 1_000_000,
    open_cases: int = 100_000,
    path: Path | None = None,
    url: str | None = None,
) -> str:
    """Return the DATABASE_URL of a database with this many cases (building it if needed); Django is set up on it.

    ``database`` is "sqlite" or "postgres"; ``path`` (SQLite) or ``url`` (either) names another place than the
    default one."""
    if path is not None:
        if database != "sqlite" or url:
            raise ValueError("a path names a SQLite file: give PostgreSQL a database URL")
        url = f"sqlite:///{Path(path).resolve()}"
    url = url or default_url(database, cases)
    # The generator's own source is part of the key: a changed generator rebuilds the database.
    generator = Path(__file__).read_bytes() + (Path(__file__).parent / "records.py").read_bytes()
    source = hashlib.sha256(generator).hexdigest()[:16]
    wanted = f"{cases} {open_cases} {SEED} {source}"
    if is_postgres(url):
        return _ensure_postgres(url, wanted, cases=cases, open_cases=open_cases)
    return _ensure_sqlite(url, wanted, cases=cases, open_cases=open_cases)


def _ensure_sqlite(url: str, wanted: str, *, cases: int, open_cases: int) -> str:
    path = sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = path.with_suffix(".done")
    if path.exists() and marker.exists() and marker.read_text() == wanted:
        setup_django(url)
        return url
    for stale in (path, marker, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    setup_django(url)
    _build(cases=cases, open_cases=open_cases)
    marker.write_text(wanted)
    return url


def _marker(url: str) -> str | None:
    """The key in the database's ``bench_marker`` table: None without the table (not a benchmark database),
    "" while it is being built (or when a build stopped)."""
    with _connect(url) as connection:
        if connection.execute("SELECT to_regclass('bench_marker')").fetchone()[0] is None:
            return None
        row = connection.execute("SELECT key FROM bench_marker").fetchone()
        return row[0] if row else ""


def _ensure_postgres(url: str, wanted: str, *, cases: int, open_cases: int) -> str:
    name = database_name(url)
    if database_exists(url):
        key = _marker(url)
        if key == wanted:
            setup_django(url)
            return url
        if key is None:
            with _connect(url) as connection:
                tables = connection.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                ).fetchone()[0]
            if tables:
                raise SystemExit(f"{name} holds tables but no bench_marker: not a benchmark database, left alone")
        with _admin(url) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    with _admin(url) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    with _connect(url) as connection:
        connection.execute("CREATE TABLE bench_marker (key text NOT NULL)")
    setup_django(url)
    _build(cases=cases, open_cases=open_cases)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_marker")
        cursor.execute("INSERT INTO bench_marker (key) VALUES (%s)", [wanted])
    return url


def copy_url(url: str, name: str) -> str:
    """The URL of the benchmark ``name``'s copy of the dataset at ``url``."""
    if is_postgres(url):
        return _with_database(url, f"{database_name(url)}_{name}")
    source = sqlite_path(url)
    return f"sqlite:///{source.with_name(f'{source.stem}-{name}.sqlite3')}"


def working_copy(url: str, name: str, *, reuse: bool = False) -> str:
    """Copy the dataset at ``url`` for the benchmark ``name`` (unless ``reuse`` and the copy exists) and point
    Django at the copy, so the shared dataset stays untouched. Returns the copy's URL.

    SQLite: ``cases-<N>-<name>.sqlite3`` next to the file; PostgreSQL: ``CREATE DATABASE bench_cases_<N>_<name>
    TEMPLATE bench_cases_<N>`` (a file-level copy: its indexes, statistics and visibility map come along)."""
    from django.conf import settings
    from django.db import connections

    target = copy_url(url, name)
    connections["default"].close()
    if not (reuse and database_exists(target)):
        started = time.perf_counter()
        if is_postgres(url):
            _copy_postgres(url, target)
        else:
            copy = sqlite_path(target)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(sqlite_path(url), copy)
        print(f"copied the dataset to {_display(target)} in {time.perf_counter() - started:.1f} s", flush=True)
    target_name = database_name(target) if is_postgres(target) else str(sqlite_path(target))
    settings.DATABASES["default"]["NAME"] = target_name
    connections["default"].settings_dict["NAME"] = target_name
    os.environ["DATABASE_URL"] = target
    return target


def _copy_postgres(source: str, target: str) -> None:
    import psycopg

    name, template = database_name(target), database_name(source)
    with _admin(source) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # FILE_COPY copies the files (one checkpoint) instead of writing the whole database to the WAL.
        strategy = " STRATEGY FILE_COPY" if admin.info.server_version >= 150000 else ""
        for attempt in range(10):
            try:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')
                return
            except psycopg.errors.ObjectInUse:
                # The template may not have another session (an autovacuum worker, a closing connection).
                if attempt == 9:
                    raise
                time.sleep(3)


def _display(url: str) -> str:
    return database_name(url) if is_postgres(url) else sqlite_path(url).name


# --- Building ---------------------------------------------------------------------------------------------------


class Progress:
    """A progress bar on stderr: done / total, rate, ETA (a line per tenth when stderr is not a terminal)."""

    def __init__(self, total: int, label: str, unit: str = "rows") -> None:
        self.total, self.label, self.unit = max(total, 1), label, unit
        self.started = self.shown = time.perf_counter()
        self.is_tty = sys.stderr.isatty()
        self.next_tenth = 1

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if self.is_tty:
            if now - self.shown < 0.25 and done < self.total:
                return
            sys.stderr.write("\r" + self._line(done, now))
        else:
            if done * 10 < self.next_tenth * self.total:
                return
            self.next_tenth = done * 10 // self.total + 1
            sys.stderr.write(self._line(done, now) + "\n")
        sys.stderr.flush()
        self.shown = now

    def close(self, done: int | None = None) -> float:
        elapsed = time.perf_counter() - self.started
        if self.is_tty:
            sys.stderr.write("\r" + self._line(self.total if done is None else done, time.perf_counter()) + "\n")
            sys.stderr.flush()
        return elapsed

    def _line(self, done: int, now: float) -> str:
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate else 0.0
        filled = int(30 * done / self.total)
        return (
            f"{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{self.total:,} {self.unit} "
            f"{100 * done / self.total:5.1f} % {rate:,.0f}/s elapsed {_clock(elapsed)} ETA {_clock(eta)}  "
        )


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _step(label: str, started: float) -> None:
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)


def _build(*, cases: int, open_cases: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from records import add_records

    from bianmin.core.workdays import calendar_seed
    from bianmin.demo.loader import load_demo

    started = step = time.perf_counter()
    vendor = connection.vendor
    print(f"dataset: building {cases:,} cases ({open_cases:,} open) on {vendor}", flush=True)
    call_command("migrate", verbosity=0)
    calendar_seed(today=LAST_DAY)
    load_demo(with_catalog=True)
    _step("schema, calendar and demo county", step)

    schema = _BulkSchema(connection)
    step = time.perf_counter()
    schema.before_load()
    generator = _Generator(postgres=vendor == "postgresql")
    generator.run(cases=cases, open_cases=open_cases)
    _step(f"cases inserted ({generator.task_count:,} review steps, {generator.notice_count:,} notices)", step)

    step = time.perf_counter()
    schema.after_load()
    _step("foreign keys and sequences", step)

    _derived_columns(schema)

    step = time.perf_counter()
    schema.create_indexes()
    _step(f"{len(schema.indexes)} secondary indexes created", step)

    add_records(LAST_DAY)

    step = time.perf_counter()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # VACUUM also sets the visibility map (index-only scans) and hint bits, as autovacuum would have
            # on a live database; the template copies carry them.
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")
    schema.finish()
    _step("analysed" if vendor != "postgresql" else "vacuumed and analysed", step)
    size = _size(connection)
    print(
        f"dataset: {cases:,} cases ({open_cases:,} open) built in {time.perf_counter() - started:.0f} s, "
        f"{size / 2**20:,.0f} MiB",
        flush=True,
    )


def _derived_columns(schema: _BulkSchema) -> None:
    """The clock columns, access keys and counts the services keep (cases/access.py), recomputed set-based for
    every case."""
    from bianmin.cases.access import cases_index_rebuild
    from bianmin.cases.models import Case

    schema.drop_indexes()  # the access rows' secondary indexes are built after they are filled
    step = time.perf_counter()
    bar = Progress(Case.objects.count(), "access keys", unit="cases")
    result = cases_index_rebuild(batch=100_000, progress=lambda done, _total: bar.update(done))
    bar.close()
    _step(f"derived columns: cases_index_rebuild() {result}", step)
    schema.compact()


def _size(connection) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        return cursor.fetchone()[0]


class _BulkSchema:
    """Takes the secondary indexes of the bulk-loaded tables (and on PostgreSQL the loaded tables' foreign keys)
    off during the load and puts them back from the definitions the migrations made, so the schema afterwards is
    the migrated one."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.indexes: list[tuple[str, str]] = []  # (name, CREATE INDEX statement), in the order they were dropped
        self.foreign_keys: list[tuple[str, str, str]] = []  # (table, name, definition)
        self.sizes: dict[str, int] = {}

    def _tables(self, names) -> list[str]:
        existing = set(self.connection.introspection.table_names())
        return [name for name in names if name in existing]

    def drop_indexes(self) -> None:
        """Drop the secondary (non-unique, non-constraint) indexes of the bulk tables not dropped yet."""
        with self.connection.cursor() as cursor:
            for table in self._tables(BULK_INDEXED_TABLES):
                if self.postgres:
                    cursor.execute(
                        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                        "JOIN pg_class c ON c.oid = i.indexrelid "
                        "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
                        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                        "ORDER BY c.relname",
                        [table],
                    )
                else:
                    cursor.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
                        [table],
                    )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    self.indexes.append((name, definition))

    def before_load(self) -> None:
        self.drop_indexes()
        with self.connection.cursor() as cursor:
            if self.postgres:
                # Per-row foreign-key triggers cost more than the load itself: checked once, set-based, after it.
                for table in self._tables(LOADED_TABLES):
                    cursor.execute(
                        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                        [table],
                    )
                    for name, definition in cursor.fetchall():
                        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                        self.foreign_keys.append((table, name, definition))
                cursor.execute("SET maintenance_work_mem = '1GB'")
                cursor.execute("SET synchronous_commit = off")
            else:
                # A build that stops half-way is rebuilt from scratch: no journal and no syncs while loading.
                cursor.execute("PRAGMA journal_mode = OFF")
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -1000000")  # 1 GB: the index builds sort in memory
                cursor.execute("PRAGMA temp_store = MEMORY")
                cursor.execute("PRAGMA threads = 2")

    def after_load(self) -> None:
        from django.core.management.color import no_style

        from bianmin.cases.models import Case, Notice, ReviewTask

        with self.connection.cursor() as cursor:
            for table, name, definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for statement in self.connection.ops.sequence_reset_sql(no_style(), [Case, ReviewTask, Notice]):
                cursor.execute(statement)
            self.sizes = {table: self._table_size(cursor, table) for table in self._tables(BULK_INDEXED_TABLES)}

    def _table_size(self, cursor, table: str) -> int:
        if not self.postgres:
            return 0
        cursor.execute("SELECT pg_relation_size(%s)", [table])
        return cursor.fetchone()[0]

    def compact(self) -> None:
        """On PostgreSQL an UPDATE of every row leaves a dead copy of each: rewrite a table that grew by half
        (before its secondary indexes exist, so only the primary and unique ones are rebuilt)."""
        if not self.postgres:
            return
        with self.connection.cursor() as cursor:
            for table, before in self.sizes.items():
                if before and self._table_size(cursor, table) > 1.5 * before:
                    started = time.perf_counter()
                    cursor.execute(f'VACUUM FULL "{table}"')
                    _step(f"{table} rewritten without the rows' old versions", started)

    def create_indexes(self) -> None:
        if not self.indexes:
            return
        progress = Progress(len(self.indexes), "indexes", "indexes")
        with self.connection.cursor() as cursor:
            for done, (_name, definition) in enumerate(self.indexes, 1):
                cursor.execute(definition)
                progress.update(done)
        progress.close()

    def finish(self) -> None:
        if not self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")


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

    def between(self, first: datetime.date, last: datetime.date) -> int:
        """Working days from ``first`` to ``last`` (both working days)."""
        return self.ordinal[last] - self.ordinal[first]


def _utc(day: datetime.date, hour: int, minute: int = 0, suffix: str = "") -> str:
    """A Beijing-time moment on ``day`` in UTC, as SQLite stores Django datetimes (no offset) or, with the
    suffix "+00", as PostgreSQL reads a timestamptz."""
    moment = datetime.datetime.combine(day, datetime.time(hour, minute)) - datetime.timedelta(hours=8)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + suffix


FINISHED = ["approved"] * 84 + ["denied"] * 6 + ["refused"] * 4 + ["withdrawn"] * 4 + ["immediate"] * 2
OPEN_STATUSES = ["accepted"] * 80 + ["received"] * 6 + ["supplement_requested"] * 4 + ["suspended"] * 10
CHANNELS = ["window"] * 60 + ["online"] * 30 + ["agency"] * 10
# Working days from the decision to the certificate (2 % late: after the 10 days of art. 44) and from the result
# being ready to its handover.
CERTIFICATE_DELAYS = [0] * 40 + [1] * 30 + [2] * 15 + [3] * 9 + [4] * 4
DELIVERY_DELAYS = [0] * 30 + [1] * 25 + [2] * 15 + [3] * 10 + [4] * 8 + [5] * 5 + [6] * 3 + [8] * 2 + [10] * 2
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


class _Writer:
    """Writes rows as they are made: executemany on SQLite, COPY on PostgreSQL (psycopg 3), where a thread sends
    the rows while the next ones are made and the server stores them on the other core."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    def write(self, cursor, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
        names = ", ".join(columns)
        if self.postgres:
            from psycopg.copy import QueuedLibpqWriter

            raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN", writer=QueuedLibpqWriter(raw)) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


class _Random(random.Random):
    """Random numbers from one seed, with randrange and choice from ``random()`` (a float): the generator draws
    about ten a case, and the stock ones cost a microsecond each."""

    def randrange(self, start: int, stop: int | None = None) -> int:
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


class _Item:
    """What the generator reads of an item and its current version, as plain attributes."""

    __slots__ = (
        "department_code",
        "department_id",
        "fee",
        "id",
        "is_immediate",
        "promised_days",
        "statutory_days",
        "validity_years",
        "version_id",
    )

    def __init__(self, item, fees: dict[int, tuple[Decimal, bool]]) -> None:
        from bianmin.catalog.models import CaseType

        version = item.current_version
        self.id, self.version_id, self.department_id = item.pk, version.pk, item.department_id
        self.department_code = item.department.code
        self.promised_days, self.statutory_days = version.promised_days, version.statutory_days
        self.is_immediate = version.case_type == CaseType.IMMEDIATE and not version.has_fee
        # (sum of the fixed fees, has a formula fee), on a version that charges one.
        self.fee = fees.get(version.pk) if version.has_fee else None
        match = re.search(r"(\d+)\s*年", version.result_validity)
        self.validity_years = int(match.group(1)) if match else None


class _Generator:
    """Builds case, review-step and notice rows in batches with one random stream (reproducible)."""

    def __init__(self, *, postgres: bool) -> None:
        from django.db import connection

        from bianmin.cases.models import Case
        from bianmin.catalog.models import FeeRule, ServiceItem
        from bianmin.org.models import Site

        self.calendar = _Calendar()
        self.rng = _Random(SEED)
        self.writer = _Writer(postgres)
        self.utc = functools.lru_cache(maxsize=None)(functools.partial(_utc, suffix="+00" if postgres else ""))
        fees: dict[int, tuple[Decimal, bool]] = {}
        for version_id, amount in FeeRule.objects.values_list("version_id", "amount"):
            fixed, formula = fees.get(version_id, (Decimal("0"), False))
            fees[version_id] = (fixed + (amount or 0), formula or amount is None)
        self.items = [
            _Item(item, fees)
            for item in ServiceItem.objects.filter(current_version__isnull=False)
            .select_related("current_version", "department")
            .order_by("code")
        ]
        self.immediate = [item for item in self.items if item.is_immediate]
        # Sites as (id, parent id).
        by_level: dict[str, list[tuple[int, int | None]]] = {}
        for site_id, level, parent_id in (
            Site.objects.filter(is_active=True).order_by("path").values_list("pk", "level", "parent_id")
        ):
            by_level.setdefault(level, []).append((site_id, parent_id))
        self.county = by_level["county"][0][0]
        self.towns = [site_id for site_id, _parent in by_level.get("town", [])]
        self.villages = by_level.get("village", [])
        workdays = [d for d in self.calendar.workdays if FIRST_DAY <= d < LAST_DAY]
        self.span = workdays
        # Every concrete column but generated ones and those the database fills itself (db_default); new columns
        # of the model get their default (derived columns are computed after the load).
        fields = [
            f
            for f in Case._meta.concrete_fields
            if not f.primary_key and not getattr(f, "generated", False) and not _has_db_default(f)
        ]
        self.columns = ["id"] + [f.column for f in fields]
        self.values = operator.itemgetter(*self.columns)
        self.defaults = {
            f.column: f.get_db_prep_save(f.get_default(), connection) if f.has_default() else (None if f.null else "")
            for f in fields
        }
        self.tasks: list[tuple] = []
        self.notices: list[tuple] = []
        self.notice_number = 0
        self.task_count = self.notice_count = 0
        self.certificates: dict[tuple[str, int], int] = {}
        self.fee_receipts: dict[int, int] = {}

    def run(self, *, cases: int, open_cases: int) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
            first_id = cursor.fetchone()[0] + 1
        progress = Progress(cases, "cases")
        for start in range(0, cases, BATCH):
            stop = min(start + BATCH, cases)
            rows = (
                self.case(first_id + index, is_open=index >= cases - open_cases, progress=progress, done=index + 1)
                for index in range(start, stop)
            )
            self.flush(rows)
        progress.close()

    def flush(self, rows: Iterable[tuple]) -> None:
        """One transaction: the cases as they are made, then their review steps and notices."""
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            self.writer.write(cursor, "cases_case", self.columns, rows)
            if self.tasks:
                self.writer.write(cursor, "cases_reviewtask", TASK_COLUMNS, self.tasks)
            if self.notices:
                self.writer.write(cursor, "cases_notice", NOTICE_COLUMNS, self.notices)
        self.task_count += len(self.tasks)
        self.notice_count += len(self.notices)
        self.tasks.clear()
        self.notices.clear()

    def place(self, channel: str) -> tuple[int, int]:
        """(receiving site, site handling it): agency cases come from a village room to its town."""
        if channel == "agency" and self.villages:
            village, town = self.villages[self.rng.randrange(len(self.villages))]
            return village, town or self.county
        if self.towns and self.rng.random() < 0.4:
            town = self.towns[self.rng.randrange(len(self.towns))]
            return town, town
        return self.county, self.county

    def case(self, case_id: int, *, is_open: bool, progress: Progress | None = None, done: int = 0) -> tuple:
        if progress is not None and done % 5000 == 0:
            progress.update(done)
        rng, calendar = self.rng, self.calendar
        item = self.items[rng.randrange(len(self.items))]
        channel = CHANNELS[rng.randrange(100)]
        receiving, current = self.place(channel)
        if is_open:
            # Open cases arrived within their promised limit (the overdue share is set in ``accepted``).
            received_on = calendar.add(LAST_DAY, -rng.randrange(0, min(40, item.promised_days + 1)))
        else:
            received_on = self.span[rng.randrange(len(self.span))]
        status = (OPEN_STATUSES if is_open else FINISHED)[rng.randrange(100)]
        immediate = status == "immediate"
        if immediate:
            if self.immediate:
                item = self.immediate[rng.randrange(len(self.immediate))]
            status = "approved"
        supplements = (2 if rng.random() < 0.1 else 1) if rng.random() < 0.03 and not immediate else 0
        row = dict(self.defaults)
        row.update(
            id=case_id,
            tracking_number=f"B{case_id:09d}",
            item_id=item.id,
            version_id=item.version_id,
            department_id=item.department_id,
            channel=channel,
            status=status,
            applicant_name=f"申请人{case_id % 9973}",
            applicant_id_type="resident_id",
            applicant_id_number=f"420222{1950 + case_id % 50}0101{case_id % 1000:03d}X",
            applicant_phone=f"138{case_id % 100000000:08d}",
            receiving_site_id=receiving,
            current_site_id=current,
            relay_site_id=receiving if current != receiving else None,
            supplement_count=supplements,
        )
        self.received(row, received_on)
        if immediate:
            self.on_the_spot(row, item, received_on)
        else:
            self.life(case_id, row, item, current, received_on)
        for repeat in range(supplements):
            issued = self.utc(calendar.add(received_on, repeat), 11)
            self.notice(case_id, "supplement", issued, "{}", is_repeat=repeat > 0)
        return self.values(row)

    def life(self, case_id: int, row: dict, item, current, received_on: datetime.date) -> None:
        """What happened to a case after its receipt, up to the dataset's last day."""
        rng, calendar, status = self.rng, self.calendar, row["status"]
        is_accepted = status not in ("received", "supplement_requested") and not (
            status == "refused" and rng.random() < 0.5
        )
        if is_accepted:
            delay = rng.randrange(0, 4) + (2 if row["supplement_count"] else 0)
            self.accepted(row, item, min(calendar.add(received_on, delay), LAST_DAY))
        if status == "accepted":
            self.open_step(case_id, row, item, current)
        elif status in ("approved", "denied"):
            self.decided(row, item)
        elif status == "withdrawn" and is_accepted:
            closed = self.utc(min(calendar.add(datetime.date.fromisoformat(row["accepted_on"]), 1), LAST_DAY), 11)
            row.update(closed_at=closed, withdrawn_at=closed)
        elif status == "refused":
            row["closed_at"] = self.utc(min(calendar.add(received_on, rng.randrange(0, 5)), LAST_DAY), 11)
            self.notice(case_id, "refusal", row["closed_at"], '{"reasons": "不属于本机关职权范围"}')

    def received(self, row: dict, received_on: datetime.date) -> None:
        row.update(
            created_at=self.utc(received_on, 9),
            received_at=self.utc(received_on, 9, self.rng.randrange(60)),
            received_on=received_on.isoformat(),
            acceptance_due=self.calendar.add(received_on, 5).isoformat(),
        )

    def accepted(self, row: dict, item, accepted_on: datetime.date, *, on_the_spot: bool = False) -> None:
        version, rng, calendar = item, self.rng, self.calendar
        if row["status"] == "accepted" and rng.random() < 0.08:
            # Accepted long enough ago to be past the promised deadline today.
            accepted_on = calendar.add(LAST_DAY, -(version.promised_days + rng.randrange(1, 6)))
            self.received(row, calendar.add(accepted_on, -1))
        suspended = extension = 0
        if not on_the_spot:
            suspended = rng.randrange(3, 10) if row["status"] == "suspended" or rng.random() < 0.02 else 0
            extension = 10 if rng.random() < 0.01 else 0
        row.update(
            accepted_at=self.utc(accepted_on, 10),
            accepted_on=accepted_on.isoformat(),
            promised_due=calendar.add(accepted_on, version.promised_days + suspended + extension).isoformat(),
            statutory_due=calendar.add(accepted_on, version.statutory_days + suspended + extension).isoformat(),
            suspended_days=suspended,
            extension_days=extension,
        )

    def open_step(self, case_id: int, row: dict, item, current) -> None:
        calendar = self.calendar
        limit = max(1, item.promised_days)
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
                current,
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
        """Decided within the limit (one in ten late), no later than the dataset's last day; then delivered."""
        rng, calendar = self.rng, self.calendar
        accepted_on = datetime.date.fromisoformat(row["accepted_on"])
        allowed = item.promised_days + row["suspended_days"] + row["extension_days"]
        used = allowed + rng.randrange(1, 5) if rng.random() < 0.1 else rng.randrange(0, allowed + 1)
        left = calendar.between(accepted_on, LAST_DAY)
        if used > left:
            used = rng.randrange(0, left + 1)
        decided_on = calendar.add(accepted_on, used)
        row.update(decided_at=self.utc(decided_on, 15), decision_reasons="符合条件")
        if row["status"] == "approved":
            certificate_due = calendar.add(decided_on, CERTIFICATE_WORKING_DAYS)
            late = rng.random() < 0.02
            delay = CERTIFICATE_WORKING_DAYS + rng.randrange(1, 4) if late else rng.choice(CERTIFICATE_DELAYS)
            ready_on = calendar.add(decided_on, delay)
            row["certificate_due"] = certificate_due.isoformat()
            if ready_on > LAST_DAY:
                return  # the certificate is still to be issued
            self.certificate(row, item, ready_on, hour=16)
        else:
            ready_on = decided_on
        delivered_on = calendar.add(ready_on, rng.choice(DELIVERY_DELAYS))
        if calendar.between(decided_on, delivered_on) > DELIVERED_WITHIN:
            delivered_on = max(ready_on, calendar.add(decided_on, DELIVERED_WITHIN))
        method = self.delivery_method(row)
        ready_at = self.utc(ready_on, 16, 30)
        row.update(delivery_method=method, ready_at=ready_at, result_arrived_at=ready_at)
        if method == "window":
            # 结果反馈 (case_mark_ready): back where it was received, the relaying room included; a result sent
            # there moves with it, and its sender keeps seeing it.
            row["delivery_site_id"] = row["relay_site_id"] or row["current_site_id"]
            if row["delivery_site_id"] != row["current_site_id"]:
                row.update(sent_from_site_id=row["current_site_id"], current_site_id=row["delivery_site_id"])
        if delivered_on > LAST_DAY:
            return  # ready, awaiting its handover
        hour = 17 if delivered_on == ready_on else 9 + rng.randrange(8)
        delivered = self.utc(delivered_on, hour, rng.randrange(60) if hour < 17 else 0)
        row.update(status="closed", delivered_at=delivered, closed_at=delivered)

    def on_the_spot(self, row: dict, item, day: datetime.date) -> None:
        """即办件 (case_handle_immediately): accepted, approved, certificate issued and delivered in one visit."""
        self.accepted(row, item, day, on_the_spot=True)
        row.update(
            decided_at=self.utc(day, 10, 20),
            decision_reasons="",
            certificate_due=self.calendar.add(day, CERTIFICATE_WORKING_DAYS).isoformat(),
        )
        self.certificate(row, item, day, hour=10, minute=30)
        delivered = self.utc(day, 10, 40)
        row.update(status="closed", delivery_method="window", ready_at=delivered, delivered_at=delivered)
        row.update(closed_at=delivered, result_arrived_at=delivered, delivery_site_id=row["current_site_id"])

    def certificate(self, row: dict, item, day: datetime.date, *, hour: int, minute: int = 0) -> None:
        """The numbered certificate (case_issue_certificate) and, on an item that charges one, its published fee
        (case_collect_fee), the same day."""
        key = (item.department_code, day.year)
        self.certificates[key] = sequence = self.certificates.get(key, 0) + 1
        years = item.validity_years
        valid_until = None
        if years:
            try:
                valid_until = (day.replace(year=day.year + years) - datetime.timedelta(days=1)).isoformat()
            except ValueError:  # 29 February
                valid_until = day.replace(year=day.year + years, day=28).isoformat()
        row.update(
            certificate_number=f"{item.department_code}-{day.year}-{sequence:06d}",
            certificate_issued_at=self.utc(day, hour, minute),
            certificate_valid_until=valid_until,
        )
        if item.fee is not None:
            fixed, has_formula = item.fee
            amount = fixed + Decimal(10 * self.rng.randrange(1, 30)) if has_formula else fixed
            self.fee_receipts[day.year] = receipt = self.fee_receipts.get(day.year, 0) + 1
            row.update(
                fee_amount=f"{amount:.2f}",
                fee_receipt_number=f"SF{day.year}{receipt:07d}",
                fee_paid_at=self.utc(day, hour, minute + 10),
            )

    def delivery_method(self, row: dict) -> str:
        if row["channel"] == "online" and self.rng.random() < 1 / 3:
            return "post"
        return "window"

    def notice(self, case_id: int, kind: str, issued_at: str, content: str, *, is_repeat: bool = False) -> None:
        self.notice_number += 1
        self.notices.append((case_id, kind, f"BENCH-{self.notice_number:08d}", issued_at, "阳新县", content, is_repeat))


def _has_db_default(field) -> bool:
    from django.db.models import NOT_PROVIDED

    return getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED


# --- Command line -------------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The dataset's options, shared by the benchmarks."""
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    place = parser.add_mutually_exclusive_group()
    place.add_argument("--path", type=Path, help="SQLite file (default var/bench/cases-<N>.sqlite3)")
    place.add_argument(
        "--database-url", help=f"PostgreSQL database (default {POSTGRES_SERVER}/bench_cases_<N>), or sqlite:///…"
    )


def dataset_from(options: argparse.Namespace) -> str:
    return ensure_dataset(
        database=options.database,
        cases=options.cases,
        open_cases=options.open,
        path=options.path,
        url=options.database_url,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    options = parser.parse_args()
    print(dataset_from(options))


if __name__ == "__main__":
    main()
