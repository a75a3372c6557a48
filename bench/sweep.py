"""Benchmark of the alert sweep (issue 5): the demo county with 1,000,000 cases, 100,000 of them open.

    python bench/sweep.py [--database sqlite|postgres] [--cases 1000000] [--open 100000] [--repeat 3] [--plans]
                          [--profile]

Works on a copy of the dataset of ``bench/dataset.py`` (the sweep writes alerts), migrated (the indexes of newer
migrations) and with the supervision tables created afresh from the current models. Each repetition empties the
alerts and measures, in wall time:

- first run: the full sweep over an empty alert table (it raises every alert the dataset deserves, with their
  inbox messages);
- steady state: the sweep a minute later (what the worker runs every minute: condition rules over every open
  case, event rules over what changed since the last sweep and the rolling review's share, a 1,440th of the
  cases);
- full re-run: ``sweep(full=True)`` (``manage.py supervision sweep --full``), whose event rules look at every case
  at once, as the first sweep and one after a day without sweeps do.

``--plans`` prints the database's query plan of every rule's INSERT … SELECT and UPDATE; ``--profile`` runs each kind of
sweep once more and prints its slowest statements.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import LAST_DAY, add_arguments, dataset_from, working_copy


def _fresh_supervision_tables() -> None:
    """The dataset may predate the latest supervision models: drop their tables and create them from the models.

    (No table outside the supervision app refers to theirs: on PostgreSQL the CASCADE drops only the foreign keys
    between them, which ``create_model`` makes again.)"""
    from django.apps import apps
    from django.db import connection

    models = list(apps.get_app_config("supervision").get_models())
    tables = set(connection.introspection.table_names())
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("PRAGMA foreign_keys = OFF")
        for model in models:
            for table in [model._meta.db_table] + [f.m2m_db_table() for f in model._meta.local_many_to_many]:
                if table in tables:
                    cursor.execute(f'DROP TABLE "{table}"' + ("" if sqlite else " CASCADE"))
        if sqlite:
            cursor.execute("PRAGMA foreign_keys = ON")
    with connection.schema_editor() as editor:
        for model in models:
            editor.create_model(model)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _empty_alerts() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("supervision_inboxmessage", "supervision_alert", "supervision_sweeprun"):
            cursor.execute(f'DELETE FROM "{table}"')
        cursor.execute("DELETE FROM core_outboundmessage WHERE event = 'supervision_alert'")


def _timed(**kwargs) -> tuple[float, object]:
    from bianmin.supervision.sweep import sweep

    started = time.perf_counter()
    result = sweep(**kwargs)
    return time.perf_counter() - started, result


def _plans(now: datetime.datetime) -> None:
    from django.db import connection

    from bianmin.supervision.models import Alert
    from bianmin.supervision.rules import RULES, SweepContext
    from bianmin.supervision.sweep import _insert_sql

    ctx = SweepContext(now=now, today=now.date(), audit_after=0, notice_after=0)
    full = SweepContext(now=now, today=now.date())
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        for code, rule in RULES.items():
            if rule.causes is None:
                continue
            for label, context in (("full", full), ("incremental", ctx)):
                sql, params = _insert_sql(rule, context, "automatic", rule.default_level)
                cursor.execute(explain + sql.split(") ", 1)[1], params)
                print(f"\n{code} ({label}):")
                for row in cursor.fetchall():
                    print("   ", row[-1])
            if rule.clears:
                queryset = Alert.objects.filter(rule=code, state__in=Alert.LIVE_STATES).exclude(
                    rule.cause_remains(full)
                )
                sql, params = queryset.query.sql_with_params()
                cursor.execute(explain + sql, params)
                print(f"{code} (clear):")
                for row in cursor.fetchall():
                    print("   ", row[-1])


def _profile(now: datetime.datetime) -> None:
    """One first run, one steady-state sweep and one full re-run, with their slowest statements."""
    from django.db import connection

    timings: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, " ".join(sql.split())))

    _empty_alerts()
    runs = (
        ("first run", {"now": now}),
        ("steady state", {"now": now + datetime.timedelta(seconds=61)}),
        ("full re-run", {"now": now + datetime.timedelta(seconds=300), "full": True}),
    )
    for label, kwargs in runs:
        timings.clear()
        with connection.execute_wrapper(timed):
            seconds, _result = _timed(**kwargs)
        print(f"\n{label}: {seconds * 1000:.0f} ms, {len(timings)} statements, the slowest:")
        for duration, sql in sorted(timings, reverse=True)[:8]:
            print(f"    {duration * 1000:7.1f} ms  {sql[:150]}")


def _row(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"| {label:<34} | {min(ms):>8.0f} | {statistics.median(ms):>8.0f} | {max(ms):>8.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plans", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print the slowest statements of each kind of sweep")
    args = parser.parse_args()

    copy = working_copy(dataset_from(args), "sweep")
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # the indexes of migrations newer than the dataset
    _fresh_supervision_tables()
    print(f"migrated the copy and analysed it in {time.perf_counter() - started:.1f} s")

    from zoneinfo import ZoneInfo

    from bianmin.cases.models import Case
    from bianmin.supervision.models import Alert, InboxMessage

    # The dataset's "today", at 10:00 in Beijing.
    now = datetime.datetime.combine(LAST_DAY, datetime.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    if args.plans:
        _plans(now)
    open_count = Case.objects.filter(status__in=["received", "supplement_requested", "accepted", "suspended"]).count()
    print(f"\n{Case.objects.count()} cases, {open_count} open; on the copy {copy}")

    if args.profile:
        _profile(now)
    first, steady, full = [], [], []
    raised = notified = 0
    for repetition in range(args.repeat):
        _empty_alerts()
        seconds, result = _timed(now=now + datetime.timedelta(minutes=repetition))
        first.append(seconds)
        raised, notified = result.total_raised, result.notified
        for minute in range(1, 4):
            seconds, result = _timed(now=now + datetime.timedelta(minutes=repetition, seconds=minute * 60 + 1))
            assert not result.is_full and result.total_raised == 0, result
            steady.append(seconds)
        seconds, result = _timed(now=now + datetime.timedelta(minutes=repetition, seconds=300), full=True)
        assert result.total_raised == 0, result
        full.append(seconds)

    print(f"first run raised {raised} alerts and {notified} inbox messages; live alerts per rule:")
    from django.db.models import Count

    for rule, count in Alert.objects.order_by("rule").values_list("rule").annotate(count=Count("id")):
        print(f"    {rule:<30} {count:>7}")
    print(f"    inbox messages: {InboxMessage.objects.count()}")
    print(f"\n| sweep (wall time, ms, {args.repeat} repetitions)   |      min |   median |      max |")
    print("|------------------------------------|----------|----------|----------|")
    print(_row("first run (raises everything)", first))
    print(_row("steady state, every minute", steady))
    print(_row("full re-run (nothing new)", full))


if __name__ == "__main__":
    main()
