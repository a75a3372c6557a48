"""Where a page's server time goes: the scenarios of ``http_bench.py`` in-process, timed and profiled.

    python bench/profile_pages.py [--database sqlite|postgres] [--cases 1000000] [--open 100000] [--repeat 20]
        [--scenarios NAME ...] [--profile] [--top 25] [--fresh]

On a copy of the dataset (``cases-<N>-profile``, made once; ``--fresh`` makes it again), migrated: each scenario
of ``http_bench.SCENARIOS`` is requested through Django's test client as its user (``force_login``) with the
whole middleware stack, one warm-up then ``--repeat`` times; prints the median server time, the fastest, the
median CPU time of the request's thread (the figure that holds on a shared machine: it counts no time spent
waiting for a core; on SQLite it includes the database's work, on PostgreSQL not the server's), the time in SQL and
the number of statements (an execute wrapper), and with ``--profile`` a cProfile of ``--repeat`` more requests:
the functions with the most cumulative and own time, in milliseconds per request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import add_arguments, copy_url, database_exists, dataset_from, working_copy
from http_bench import FLOOR_PATH, SCENARIOS


def _case_for(client) -> int | None:
    response = client.get("/api/v1/cases/")
    items = response.json().get("items", []) if response.status_code == 200 else []
    return items[0]["id"] if items else None


def _profile(get, repeat: int, top: int) -> str:
    profile = cProfile.Profile()
    profile.enable()
    for _run in range(repeat):
        get()
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    # Per request: the totals divided by the number of requests, in ms.
    stats.total_tt /= repeat
    for key, (calls, primitive, own, cumulative, callers) in list(stats.stats.items()):
        stats.stats[key] = (
            calls // repeat,
            primitive // repeat,
            own / repeat * 1000,
            cumulative / repeat * 1000,
            callers,
        )
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue().replace("seconds", "ms per request (times in ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--scenarios", nargs="*", help="names from http_bench.SCENARIOS (default: every one)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary of each scenario")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--fresh", action="store_true", help="copy the dataset again")
    options = parser.parse_args()

    source = dataset_from(options)
    made = options.fresh or not database_exists(copy_url(source, "profile"))
    working_copy(source, "profile", reuse=not made)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from django.db import connection
    from django.test import Client

    from bianmin.accounts.models import User

    clients: dict[str | None, Client] = {}
    chosen = [s for s in SCENARIOS if not options.scenarios or s["name"] in options.scenarios]
    print(f"{'scenario':<30} {'median':>8} {'min':>8} {'CPU':>8} {'SQL':>8} {'stmts':>6}")
    for scenario in chosen:
        user = scenario["user"]
        if user not in clients:
            clients[user] = Client()
            if user is not None:
                clients[user].force_login(User.objects.get(username=user))
        client = clients[user]
        path = scenario["path"]
        if "{case_id}" in path:
            path = path.replace("{case_id}", str(_case_for(client)))
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": value for name, value in scenario.get("headers", {}).items()
        }

        def get(client=client, path=path, headers=headers):
            response = client.get(path, **headers)
            assert response.status_code == 200, (path, response.status_code)
            return response

        get()  # warm-up
        samples, cpu_times, sql_times, statements = [], [], [], []
        for _run in range(options.repeat):
            timings: list[float] = []

            def timed(execute, sql, params, many, context, timings=timings):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    timings.append(time.perf_counter() - started)

            started, cpu_started = time.perf_counter(), time.thread_time()
            with connection.execute_wrapper(timed):
                get()
            samples.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.thread_time() - cpu_started) * 1000)
            sql_times.append(sum(timings) * 1000)
            statements.append(len(timings))
        print(
            f"{scenario['name']:<30} {statistics.median(samples):7.1f}ms {min(samples):7.1f}ms "
            f"{statistics.median(cpu_times):7.1f}ms {statistics.median(sql_times):7.1f}ms "
            f"{statistics.median(statements):6.0f}",
            flush=True,
        )
        if options.profile and path != FLOOR_PATH:
            print(_profile(get, options.repeat, options.top))


if __name__ == "__main__":
    main()
