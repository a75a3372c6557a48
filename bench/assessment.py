"""Benchmark of assessment (issue 12): a monthly scheme for every window and every staff member of the demo county
with the dataset's cases (1,000,000 by default).

    python bench/assessment.py [--database sqlite|postgres] [--cases 1000000] [--open 100000] [--repeat 3]
                               [--skip-sweep]

Works on a copy of the dataset of ``bench/dataset.py`` (runs write their rows; the alert sweep writes alerts),
migrated to the current models. First the alert sweep raises what the dataset's cases warrant (not timed; the
cards and fees are alerts), then, for the dataset's last full month, a window scheme and a staff scheme with every
metric that reads the cases, alerts, ratings, complaints and orders are each computed ``--repeat`` times through
``running.run_compute`` — what the worker runs: every metric's grouped query, the grades, ranks and awards, and
the frozen rows written — and the wall time of each is printed (median and max). The target is under 5 s.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import LAST_DAY, add_arguments, dataset_from, working_copy

ITEMS = [
    {"name": "超时办件", "kind": "points", "metric": "overdue_cases", "per_event": -5, "cap": 15},
    {"name": "未按标准收费", "kind": "points", "metric": "fees_off_standard", "per_event": -5, "cap": 10},
    {"name": "差评属实", "kind": "points", "metric": "bad_reviews_upheld", "per_event": -2, "cap": 10},
    {"name": "投诉属实", "kind": "points", "metric": "complaints_upheld", "per_event": -2, "cap": 10},
    {"name": "黄牌", "kind": "points", "metric": "yellow_cards", "per_event": -2, "cap": 10},
    {"name": "红牌", "kind": "points", "metric": "red_cards", "per_event": -5, "cap": 10, "lowers_grade": True},
    {"name": "责任追究", "kind": "points", "metric": "accountability_points", "per_event": -1, "cap": 20},
    {"name": "按时办结率（承诺）", "kind": "rate", "metric": "on_time_promised", "weight": 10},
    {"name": "按时办结率（法定）", "kind": "rate", "metric": "on_time_statutory", "weight": 5},
    {"name": "办理用时", "kind": "rate", "metric": "working_days_within_promise", "weight": 5},
    {"name": "首问按时答复", "kind": "rate", "metric": "inquiries_answered_on_time", "weight": 5},
    {"name": "好评率", "kind": "rate", "metric": "good_rate", "weight": 10},
    {"name": "差评回复率", "kind": "rate", "metric": "bad_review_reply_rate", "weight": 5},
    {"name": "投诉不属实率", "kind": "rate", "metric": "complaints_not_upheld_rate", "weight": 5},
    {"name": "督办按时回复率", "kind": "rate", "metric": "orders_answered_on_time", "weight": 5},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-sweep", action="store_true", help="reuse the copy and its alerts from a last run")
    options = parser.parse_args()

    copy = working_copy(dataset_from(options), "assessment", reuse=options.skip_sweep)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from bianmin.accounts.models import User
    from bianmin.assessment import services
    from bianmin.assessment.models import AssessmentRun
    from bianmin.assessment.periods import period_before
    from bianmin.assessment.running import run_compute
    from bianmin.cases.models import Case
    from bianmin.supervision.models import Alert
    from bianmin.supervision.sweep import sweep

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    now = datetime.datetime.combine(LAST_DAY, datetime.time(18), tzinfo=shanghai)
    print(f"database: {copy} ({Case.objects.count():,} cases)")
    if not options.skip_sweep:
        started = time.perf_counter()
        sweep(now=now, full=True)
        print(f"alert sweep (not timed below): {time.perf_counter() - started:.1f} s")
    print(f"alerts: {Alert.objects.count():,}")

    admin = User.objects.get(username="centre_admin")
    month = period_before("month", LAST_DAY.replace(day=1))
    for kind in ("window", "staff"):
        scheme = services.scheme_create(
            actor=admin, name=f"bench {kind} {time.time()}", subject_kind=kind, period_kind="month", awards=5, now=now
        )
        for position, item in enumerate(ITEMS):
            values = {key: Decimal(value) if isinstance(value, int) else value for key, value in item.items()}
            services.scheme_item_add(actor=admin, scheme=scheme, position=position, **values)
        services.scheme_activate(actor=admin, scheme=scheme)
        samples = []
        for _run in range(options.repeat):
            run = services.run_start(actor=admin, scheme=scheme, period_start=month, now=now)
            started = time.perf_counter()
            run_compute(run.pk, now=now)
            samples.append(time.perf_counter() - started)
        run = AssessmentRun.objects.get(pk=run.pk)
        counted = Case.objects.filter(decided_at__date__gte=month, decided_at__date__lte=LAST_DAY).count()
        print(
            f"{kind} scheme, {month:%Y-%m}, {len(ITEMS)} items, {run.subjects} subjects "
            f"({counted:,} cases decided from the month's first day to the dataset's last): "
            f"median {statistics.median(samples):.2f} s, "
            f"max {max(samples):.2f} s over {options.repeat} runs"
        )


if __name__ == "__main__":
    main()
