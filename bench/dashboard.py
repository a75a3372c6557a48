"""Benchmark of the statistics dashboard (issue 5): the demo county with 1,000,000 cases.

    python bench/dashboard.py [--database sqlite|postgres] [--cases 1000000] [--open 100000] [--repeat 15]
                              [--skip-rebuild]

Works on a copy of the dataset of ``bench/dataset.py`` (the rebuild writes the figure tables), migrated to the
current statistics models. Measures, in wall time:

- ``statistics rebuild`` over the whole dataset (every day from the first receipt), and the figure row counts
  per year (daily and monthly);
- the worker's periodic refresh (today and yesterday);
- server time of pages through Django's test client as the demo supervisor (county root: everything), with the
  wall clock frozen on the dataset's last day: the dashboard for this month (the default) and for a whole
  year (by month and by week), the drill-down page, and Excel exports. Median and max of ``--repeat`` runs
  after one warm-up.
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

from dataset import LAST_DAY, add_arguments, dataset_from, working_copy


def _timed(function, repeat: int) -> tuple[float, float]:
    function()  # warm-up
    samples = []
    for _run in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def _row_counts() -> list[tuple[int, int, int]]:
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from bianmin.statistics.models import DailyFigure, MonthlyFigure

    daily = dict(
        DailyFigure.objects.annotate(year=ExtractYear("day"))
        .values("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    monthly = dict(
        MonthlyFigure.objects.annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    return [(year, daily[year], monthly.get(year, 0)) for year in sorted(daily)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--skip-rebuild", action="store_true", help="reuse the copy and its figures from a last run")
    options = parser.parse_args()

    # The rebuild writes the figure tables: a copy of the dataset (kept for --skip-rebuild).
    copy = working_copy(dataset_from(options), "dashboard", reuse=options.skip_rebuild)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import time_machine
    from django.test import Client

    from bianmin.accounts.models import User
    from bianmin.cases.models import Case
    from bianmin.statistics.figures import figures_rebuild, figures_refresh

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    now = datetime.datetime.combine(LAST_DAY, datetime.time(18), tzinfo=shanghai)
    print(f"database: {copy} ({Case.objects.count():,} cases)")

    if not options.skip_rebuild:
        started = time.perf_counter()
        result = figures_rebuild(last=LAST_DAY, now=now)
        print(f"statistics rebuild: {time.perf_counter() - started:.1f} s ({result})")
    for year, daily, monthly in _row_counts():
        print(f"rows in {year}: DailyFigure {daily:,}, MonthlyFigure {monthly:,}")

    started = time.perf_counter()
    figures_refresh(now=now)
    print(f"periodic refresh (today and yesterday): {(time.perf_counter() - started) * 1000:.0f} ms")

    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    year = {"from": f"{LAST_DAY.year - 1}-01-01", "to": f"{LAST_DAY.year - 1}-12-31"}
    pages = [
        ("dashboard, this month (default)", "/supervision/statistics/", {}),
        ("dashboard, this year to date", "/supervision/statistics/", {"quick": "this_year"}),
        (f"dashboard, {LAST_DAY.year - 1} by month", "/supervision/statistics/", {**year, "group": "month"}),
        (f"dashboard, {LAST_DAY.year - 1} by week", "/supervision/statistics/", {**year, "group": "week"}),
        (
            "dashboard, this year, one department",
            "/supervision/statistics/",
            {"quick": "this_year", "department": Case.objects.values_list("department_id", flat=True).first()},
        ),
        ("drill-down: finished this month, page 1", "/supervision/statistics/cases/", {"metric": "finished"}),
        (
            f"drill-down: finished late in {LAST_DAY.year - 1}, page 1",
            "/supervision/statistics/cases/",
            {**year, "metric": "finished_late_promised"},
        ),
        (
            "xlsx: top items, this year",
            "/supervision/statistics/",
            {"quick": "this_year", "format": "xlsx", "table": "items"},
        ),
        (
            "xlsx: cases finished late this month",
            "/supervision/statistics/cases/",
            {"metric": "finished_late_promised", "format": "xlsx"},
        ),
        (
            f"xlsx: cases finished late in {LAST_DAY.year - 1}",
            "/supervision/statistics/cases/",
            {**year, "metric": "finished_late_promised", "format": "xlsx"},
        ),
    ]
    print(f"server time over {options.repeat} runs (median / max):")
    with time_machine.travel(now, tick=True):
        for label, path, params in pages:
            response = client.get(path, params)
            assert response.status_code == 200, (label, response.status_code)
            median, worst = _timed(lambda path=path, params=params: client.get(path, params), options.repeat)
            print(f"  {label}: {median:.0f} ms / {worst:.0f} ms")


if __name__ == "__main__":
    main()
