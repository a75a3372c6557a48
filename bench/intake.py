"""Intake at volume: cases submitted, and submitted and accepted, per second through the services.

    python bench/intake.py [--database sqlite|postgres] [--cases 1000000] [--open 100000] [--count 500]
                           [--threads 1] [--repeat 3]

On a copy of the dataset of ``bench/dataset.py`` (made afresh each run: intake writes), as the demo county clerk at
the county centre, with every statement a real one: the services (``case_submit``, then ``case_accept``) in their
transactions, audit chain, numbering, notices, access keys and clock columns included. ``--threads N`` runs N
threads each with its own connection (on SQLite they queue for the one writer; on PostgreSQL they contend only for
the audit chain's head and the counters). Prints cases per second and the statements of one submit, and of one
submit and acceptance.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import LAST_DAY, add_arguments, dataset_from, working_copy

ITEM = "SJ-0004"


# Every case is another applicant's (as at a real window; born in 2001, none of the dataset's): one applicant with
# hundreds of open cases of one item
# would make intake's duplicate check (禁止两头受理) read all of them.
_APPLICANTS = itertools.count(1)


def _applicant():
    from bianmin.cases.idnumbers import resident_id_check_character
    from bianmin.cases.services import Applicant

    number = next(_APPLICANTS)
    base = f"11010120010{1 + number // 28_000 % 9}{1 + number // 1000 % 28:02d}{number % 1000:03d}"
    return Applicant(
        name="张三",
        id_type="resident_id",
        id_number=base + resident_id_check_character(base),
        phone="13800000000",
        address="阳新县",
    )


def _intake():
    from bianmin.cases.services import Intake, MaterialCheck
    from bianmin.catalog.models import ServiceItem
    from bianmin.org.models import Site

    item = ServiceItem.objects.select_related("current_version").get(code=ITEM)
    materials = [
        MaterialCheck(name=m.name, requirement_id=m.pk, original_seen=True, copy_kept=True)
        for m in item.current_version.materials.all()
    ]
    return Intake(
        item=item,
        applicant=_applicant(),
        channel="window",
        receiving_site=Site.objects.get(code="YX"),
        materials=materials,
    )


def _worker(count: int, accept: bool, results: list, errors: list) -> None:
    import datetime

    from django.db import connection

    from bianmin.accounts.models import User
    from bianmin.cases import services

    try:
        clerk = User.objects.get(username="county_clerk")
        intake = _intake()
        now = datetime.datetime.combine(LAST_DAY, datetime.time(2, 0), tzinfo=datetime.UTC)
        started = time.perf_counter()
        for _ in range(count):
            intake = dataclasses.replace(intake, applicant=_applicant())
            case = services.case_submit(actor=clerk, intake=intake, now=now)
            if accept:
                services.case_accept(actor=clerk, case=case, now=now)
        results.append((count, time.perf_counter() - started))
    except Exception as error:  # reported, not raised in a thread
        errors.append(repr(error))
    finally:
        connection.close()


def _run(count: int, threads: int, accept: bool) -> float:
    results: list = []
    errors: list = []
    workers = [
        threading.Thread(target=_worker, args=(count // threads, accept, results, errors)) for _ in range(threads)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"errors: {errors[:3]}")
    return sum(done for done, _seconds in results) / elapsed


def _statements(accept: bool) -> int:
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bianmin.accounts.models import User
    from bianmin.cases import services

    clerk = User.objects.get(username="county_clerk")
    intake = _intake()
    now = datetime.datetime.combine(LAST_DAY, datetime.time(2, 0), tzinfo=datetime.UTC)
    with CaptureQueriesContext(connection) as queries:
        case = services.case_submit(actor=clerk, intake=intake, now=now)
        if accept:
            services.case_accept(actor=clerk, case=case, now=now)
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--count", type=int, default=500, help="cases per measurement")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    url = dataset_from(options)
    working_copy(url, "intake")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"statements: submit {_statements(False)}, submit + accept {_statements(True)}")
    for label, accept in (("submit", False), ("submit + accept", True)):
        rates = [_run(options.count, options.threads, accept) for _ in range(options.repeat)]
        print(
            f"{label}: {statistics.median(rates):.0f} cases/s median ({min(rates):.0f}–{max(rates):.0f}), "
            f"{options.threads} thread(s), {options.count} cases a run",
            flush=True,
        )


if __name__ == "__main__":
    main()
