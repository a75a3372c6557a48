"""Benchmark of the live monitor (issue 5): the demo county with 1,000,000 cases, 100,000 of them open.

    python bench/monitor.py [--database sqlite|postgres] [--cases 1000000] [--open 100000] [--repeat 9] [--fresh]
                            [--queries]

Works on a copy of the dataset of ``bench/dataset.py``, migrated, with the supervision tables created afresh from
the current models (reused by later runs unless ``--fresh``). Measures the server time (Django's test client, as
the demo supervisor at the county root: every open case) of the monitor page and of the partial htmx polls every
``MONITOR_POLL_SECONDS`` for each supervisor watching, unfiltered and with a few filters, with the clock frozen on
the dataset's last day at 10:00. Median and max of ``--repeat`` runs after one warm-up. ``--queries`` prints each
page's statements with their times.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import LAST_DAY, add_arguments, copy_url, database_exists, dataset_from, working_copy


def _prepare() -> None:
    """Migrate the copy and create the supervision tables from the current models (as bench/sweep.py does)."""
    from django.core.management import call_command
    from sweep import _fresh_supervision_tables

    call_command("migrate", verbosity=0)
    _fresh_supervision_tables()


def _timed(function, repeat: int) -> tuple[float, float]:
    function()  # warm-up
    samples = []
    for _run in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def _print_queries(client, path: str, params: dict) -> None:
    from django.db import connection

    timings: list[tuple[float, str]] = []

    def timed(execute, sql, sql_params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, sql_params, many, context)
        finally:
            timings.append((time.perf_counter() - started, " ".join(sql.split())))

    with connection.execute_wrapper(timed):
        client.get(path, params)
    print(f"    {len(timings)} statements, {sum(t for t, _sql in timings) * 1000:.0f} ms in SQL; the slowest:")
    for duration, sql in sorted(timings, reverse=True)[:4]:
        print(f"      {duration * 1000:7.1f} ms  {sql[:140]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--fresh", action="store_true", help="copy the dataset again")
    parser.add_argument("--queries", action="store_true")
    options = parser.parse_args()

    source = dataset_from(options)
    # A copy of the dataset made once (the supervision tables are recreated on it), so the shared one stays
    # untouched.
    made = options.fresh or not database_exists(copy_url(source, "monitor"))
    copy = working_copy(source, "monitor", reuse=not made)
    started = time.perf_counter()
    if made:
        _prepare()
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    print(f"database: {copy} (prepared in {time.perf_counter() - started:.1f} s)")

    import time_machine
    from django.test import Client

    from bianmin.accounts.models import User
    from bianmin.cases.models import OPEN_STATUSES, Case
    from bianmin.org.models import Site

    now = datetime.datetime.combine(LAST_DAY, datetime.time(10), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    print(f"{Case.objects.count():,} cases, {Case.objects.filter(status__in=OPEN_STATUSES).count():,} open")
    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    town = Site.objects.filter(level="town").order_by("path").first()
    department = Case.objects.filter(status__in=OPEN_STATUSES).values_list("department_id", flat=True).first()
    pages = [
        ("monitor page, everything", "/supervision/", {}),
        ("htmx poll (/live/), everything", "/supervision/live/", {}),
        ("htmx poll, red only", "/supervision/live/", {"colour": "red"}),
        ("htmx poll, page 20", "/supervision/live/", {"page": "20"}),
        ("htmx poll, one department", "/supervision/live/", {"department": department}),
        ("htmx poll, one town and below", "/supervision/live/", {"site": town.pk}),
        ("htmx poll, with late steps", "/supervision/live/", {"late_steps": "on"}),
    ]
    print(f"server time over {options.repeat} runs (median / max):")
    with time_machine.travel(now, tick=True):
        for label, path, params in pages:
            response = client.get(path, params)
            assert response.status_code == 200, (label, response.status_code)
            median, worst = _timed(lambda path=path, params=params: client.get(path, params), options.repeat)
            print(f"  {label}: {median:.0f} ms / {worst:.0f} ms")
            if options.queries:
                _print_queries(client, path, params)


if __name__ == "__main__":
    main()
