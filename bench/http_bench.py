"""Page latencies over HTTP through the production web server, each read against a floor request.

    python bench/http_bench.py --database-url sqlite:////abs/path.sqlite3 [--repeat 30] [--concurrency 16]
        [--duration 20] [--workers 2] [--threads 4] [--scenarios NAME ...] [--url http://127.0.0.1:PORT]

Starts ``manage.py serve --web-only`` (gunicorn, gthread workers; bianmin.settings.bench, DEBUG off) on a free
loopback port over the database named by ``--database-url`` (SQLite file or PostgreSQL, migrated first; the
demo county's accounts must be there), logs the demo accounts in through the login form, and for each scenario
times ``--repeat`` requests after one warm-up, each right after a floor request (``/bench/floor/``: the
middleware and one primary-key query), so every figure is also read as a multiple of the floor measured in the
same minute. Then ``--concurrency`` client threads send a mix of queue pages and API lists for ``--duration``
seconds. Writes var/bench/results-<vendor>-<cases>.{md,json} and prints the markdown; exits 1 if any request
failed (an exception, a 5xx, or any other status than the scenario expects).

Only the standard library on the client side: one keep-alive connection per user and thread, as a browser tab
holds. The database is written to (sessions, login records), so do not point it at a production database.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "Bianmin-demo-2026"
FLOOR_PATH = "/bench/floor/"
TIMEOUT_SECONDS = 120
HOST = "127.0.0.1"

# What is measured: each scenario is one URL as one user (None: anonymous). "{case_id}" is replaced by a case
# the user sees (the first of their API list). Add a dict to add a scenario.
SCENARIOS: list[dict[str, Any]] = [
    {"name": "floor", "user": None, "path": FLOOR_PATH},
    {"name": "queue-town-clerk", "user": "baisha_clerk", "path": "/workbench/cases/"},
    {"name": "queue-county-clerk", "user": "county_clerk", "path": "/workbench/cases/"},
    {"name": "queue-department-head", "user": "market_head", "path": "/workbench/cases/"},
    {"name": "queue-chief-representative", "user": "market_chief", "path": "/workbench/cases/"},
    # 结果反馈: the town clerk's results on their way and arrived (the delivery index)
    {"name": "queue-town-incoming", "user": "baisha_clerk", "path": "/workbench/cases/?group=incoming"},
    {"name": "queue-town-handover", "user": "baisha_clerk", "path": "/workbench/cases/?group=handover"},
    {"name": "licence-registry", "user": "county_clerk", "path": "/workbench/licences/"},
    {"name": "assessment-schemes", "user": "centre_admin", "path": "/workbench/assessment/"},
    {"name": "inspection-rounds", "user": "centre_admin", "path": "/workbench/inspection/"},
    {"name": "api-list-county-clerk", "user": "county_clerk", "path": "/api/v1/cases/"},
    {"name": "api-list-town-clerk", "user": "baisha_clerk", "path": "/api/v1/cases/"},
    # A filter the counters cannot answer: the list is counted (up to core.pagination.COUNT_CAP)
    {"name": "api-list-filtered-county-clerk", "user": "county_clerk", "path": "/api/v1/cases/?channel=window"},
    {"name": "api-detail-county-clerk", "user": "county_clerk", "path": "/api/v1/cases/{case_id}"},
    {"name": "api-queue-counts-town-clerk", "user": "baisha_clerk", "path": "/api/v1/cases/queue-counts"},
    {"name": "api-ledger-town-clerk", "user": "baisha_clerk", "path": "/api/v1/cases/ledger"},
    {"name": "api-alerts-supervisor", "user": "supervisor", "path": "/api/v1/supervision/alerts"},
    {"name": "api-orders-supervisor", "user": "supervisor", "path": "/api/v1/supervision/orders"},
    {"name": "api-accountability-supervisor", "user": "supervisor", "path": "/api/v1/supervision/accountability"},
    {"name": "api-events-supervisor", "user": "supervisor", "path": "/api/v1/events?after=0"},
    # Supervision and the public's voice (bench/records.py writes their rows beside the cases)
    {"name": "alerts-page-supervisor", "user": "supervisor", "path": "/supervision/alerts/"},
    {"name": "orders-page-supervisor", "user": "supervisor", "path": "/supervision/orders/"},
    {"name": "accountability-page-supervisor", "user": "supervisor", "path": "/supervision/accountability/"},
    {"name": "complaints-page-supervisor", "user": "supervisor", "path": "/workbench/complaints/"},
    {"name": "rectifications-page-supervisor", "user": "supervisor", "path": "/workbench/ratings/"},
    {"name": "api-ratings-supervisor", "user": "supervisor", "path": "/api/v1/ratings/"},
    {"name": "api-rating-figures-supervisor", "user": "supervisor", "path": "/api/v1/ratings/figures"},
    {"name": "api-complaints-supervisor", "user": "supervisor", "path": "/api/v1/complaints/"},
    {"name": "case-page-county-clerk", "user": "county_clerk", "path": "/workbench/cases/{case_id}/"},
    {"name": "case-page-town-clerk", "user": "baisha_clerk", "path": "/workbench/cases/{case_id}/"},
    {"name": "monitor-supervisor", "user": "supervisor", "path": "/supervision/"},
    {
        "name": "monitor-poll-supervisor",
        "user": "supervisor",
        "path": "/supervision/live/",
        "headers": {"HX-Request": "true"},
    },
    {"name": "monitor-department-head", "user": "market_head", "path": "/supervision/"},
    {"name": "monitor-centre-admin", "user": "centre_admin", "path": "/supervision/"},
    {"name": "guide-page", "user": None, "path": "/items/NY-0001/"},
    {"name": "tracking-lookup-page", "user": None, "path": "/cases/track/"},
]

# The concurrency run's mix: what a busy morning of window clerks and the API clients of other systems sends.
CONCURRENCY_MIX = ["queue-town-clerk", "queue-county-clerk", "api-list-county-clerk", "api-list-town-clerk"]


# --- HTTP client ----------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    location: str = ""


class Session:
    """One user's cookies over one keep-alive connection, like one browser tab."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_SECONDS)
        self.reconnects = 0

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.connection.request(method, path, body=body, headers=sent)
                reply = self.connection.getresponse()
                data = reply.read()
                seconds = time.perf_counter() - started
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closes a keep-alive connection idle past its keep-alive time; the request was not
                # read, so send it again on a new connection and time that attempt alone.
                self.connection.close()
                if attempt == 2:
                    raise
                self.reconnects += 1
                continue
            self._remember(reply.headers.get_all("Set-Cookie") or [])
            return Response(reply.status, data, seconds, reply.getheader("Location", ""))
        raise AssertionError("unreachable")

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def _remember(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self) -> None:
        self.connection.close()


def log_in(port: int, username: str) -> dict[str, str]:
    """Log in through the login form (CSRF token from the page and its cookie); return the session's cookies."""
    session = Session(port)
    try:
        page = session.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if page.status != 200 or token is None:
            raise SystemExit(f"the login page answered {page.status} without a CSRF token")
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": DEMO_PASSWORD}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}:{port}/"}
        reply = session.request("POST", "/accounts/login/", urllib.parse.urlencode(form), headers)
        if reply.status != 302 or "sessionid" not in session.cookies:
            raise SystemExit(f"logging in as {username} failed ({reply.status}): are the demo accounts loaded?")
        return session.cookies
    finally:
        session.close()


# --- The server -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """``manage.py serve --web-only`` on a free port, its output in a log file; stopped with SIGTERM."""

    def __init__(self, *, database_url: str, workers: int, threads: int) -> None:
        self.port = free_port()
        self.workers, self.threads = workers, threads
        self.env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bianmin.settings.bench"}
        self.log_path = ROOT / "var" / "bench" / "http-server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        command = [
            sys.executable,
            str(ROOT / "manage.py"),
            "serve",
            "--web-only",
            "--no-access-log",
            f"--host={HOST}",
            f"--port={self.port}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped (exit {self.process.returncode}):\n{self.log_tail()}")
            probe = Session(self.port)
            try:
                if probe.get("/healthz").status == 200:
                    return
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.2)
        raise SystemExit(f"the server did not answer /healthz within 60 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def migrate(database_url: str) -> None:
    """Bring the database to the current models (a no-op when it is): the pages read the newest indexes."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bianmin.settings.bench"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput"], cwd=ROOT, env=env, check=True)


# --- What the figures were measured on --------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    return {
        "cores": os.cpu_count(),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "memory_gib": round(int(memory.group(1)) / 2**20, 1) if memory else None,
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def database(database_url: str) -> dict[str, Any]:
    """The database's vendor, version and number of cases, read through Django in this process."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bianmin.settings.bench"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    connection.close()
    return {"vendor": connection.vendor, "version": version, "cases": cases, "django": django.get_version()}


def server_version() -> str:
    from importlib.metadata import version

    return f"gunicorn {version('gunicorn')}"


# --- Measuring ------------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was measured, and the max for a small sample's p95."""
    ordered = sorted(values)
    rank = math.ceil(round(fraction * len(ordered), 6))  # rounded first: 0.95 * 20 must be 19, not 19.000001
    return ordered[min(max(rank, 1), len(ordered)) - 1]


@dataclass
class Errors:
    count: int = 0
    samples: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.count += 1
        if len(self.samples) < 5:
            self.samples.append(what)


def timed(session: Session, path: str, headers: dict[str, str] | None, expect: int, errors: Errors) -> Response | None:
    try:
        reply = session.get(path, headers)
    except (OSError, http.client.HTTPException) as error:
        session.close()  # a fresh connection for the next request
        errors.add(f"GET {path}: {type(error).__name__}: {error}")
        return None
    if reply.status != expect:
        errors.add(f"GET {path}: {reply.status} {reply.location}".strip())
    return reply


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def measure(scenario: dict[str, Any], path: str, session: Session, floor: Session, repeat: int) -> dict[str, Any]:
    """``repeat`` pairs of (floor, scenario) after one warm-up pair; the floor's figures come from the same run."""
    errors, floor_errors = Errors(), Errors()
    times, floor_times, sizes = [], [], []
    headers, expect = scenario.get("headers"), scenario.get("expect", 200)
    for index in range(repeat + 1):
        floor_reply = timed(floor, FLOOR_PATH, None, 200, floor_errors)
        reply = timed(session, path, headers, expect, errors)
        if index == 0:
            continue  # the warm-up: the first request of a connection and cold caches
        if floor_reply is not None:
            floor_times.append(floor_reply.seconds)
        if reply is not None:
            times.append(reply.seconds)
            sizes.append(len(reply.body))
    floor_p50 = statistics.median(floor_times) if floor_times else float("nan")
    p50 = statistics.median(times) if times else float("nan")
    p95 = percentile(times, 0.95) if times else float("nan")
    return {
        "name": scenario["name"],
        "user": scenario["user"] or "anonymous",
        "path": path,
        "requests": len(times),
        "p50_ms": ms(p50),
        "p95_ms": ms(p95),
        "max_ms": ms(max(times)) if times else None,
        "kib": round(statistics.median(sizes) / 1024, 1) if sizes else None,
        "errors": errors.count + floor_errors.count,
        "error_samples": errors.samples + floor_errors.samples,
        "floor_p50_ms": ms(floor_p50),
        "p50_over_floor": round(p50 / floor_p50, 1),
        "p95_over_floor": round(p95 / floor_p50, 1),
    }


CASE_LIST_PATH = "/api/v1/cases/?limit=1"


def case_ids(port: int, cookies: dict[str, dict[str, str]]) -> dict[str, int | str]:
    """A case each logged-in user sees (the first of their API list, what a client of the API would open), or
    why there is none: an error ("GET …: 500") or an empty list."""
    found: dict[str, int | str] = {}
    for username, jar in cookies.items():
        session = Session(port, jar)
        reply = session.get(CASE_LIST_PATH)
        session.close()
        if reply.status != 200:
            found[username] = f"GET {CASE_LIST_PATH}: {reply.status}"
            continue
        items = json.loads(reply.body).get("items", [])
        found[username] = items[0]["id"] if items else ""
    return found


def unmeasured(scenario: dict[str, Any], problem: str) -> dict[str, Any]:
    """A scenario whose case could not be found: an error when the case list failed, else skipped (the database
    has no case this user sees, as the demo's town clerk)."""
    row = {"name": scenario["name"], "user": scenario["user"], "path": scenario["path"], "requests": 0}
    if problem:
        return {**row, "errors": 1, "error_samples": [problem]}
    return {**row, "errors": 0, "skipped": "the user sees no case"}


def run_scenarios(port: int, scenarios: list[dict[str, Any]], cookies: dict, repeat: int) -> list[dict[str, Any]]:
    ids = case_ids(port, {name: jar for name, jar in cookies.items() if name})
    floor = Session(port)
    results = []
    for scenario in scenarios:
        case_id = ids.get(scenario["user"])
        if "{case_id}" in scenario["path"] and not isinstance(case_id, int):
            results.append(unmeasured(scenario, case_id or ""))
        else:
            session = Session(port, cookies[scenario["user"]])
            results.append(measure(scenario, scenario["path"].format(case_id=case_id), session, floor, repeat))
            session.close()
        row = results[-1]
        print(f"  {row['name']}: p50 {row.get('p50_ms', row.get('skipped', '-'))} ms", file=sys.stderr, flush=True)
    floor.close()
    return results


def hammer(port: int, mix: list[dict[str, Any]], cookies: dict, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` threads, each on its own connections, sending the mix in turn until the time is up."""
    start = threading.Barrier(clients + 1)
    lock = threading.Lock()
    times: list[float] = []
    errors = Errors()

    def client(offset: int) -> None:
        sessions = {scenario["name"]: Session(port, cookies[scenario["user"]]) for scenario in mix}
        mine, my_errors = [], Errors()
        start.wait()
        deadline = time.monotonic() + seconds
        index = offset
        while time.monotonic() < deadline:
            scenario = mix[index % len(mix)]
            reply = timed(sessions[scenario["name"]], scenario["path"], scenario.get("headers"), 200, my_errors)
            if reply is not None:
                mine.append(reply.seconds)
            index += 1
        for session in sessions.values():
            session.close()
        with lock:
            times.extend(mine)
            errors.count += my_errors.count
            errors.samples.extend(my_errors.samples[: 5 - len(errors.samples)])

    threads = [threading.Thread(target=client, args=(offset,), daemon=True) for offset in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(seconds + TIMEOUT_SECONDS)
    elapsed = time.perf_counter() - began
    return {
        "clients": clients,
        "duration": seconds,
        "seconds": round(elapsed, 1),
        "mix": [scenario["name"] for scenario in mix],
        "requests": len(times),
        "requests_per_second": round(len(times) / elapsed, 1),
        "p50_ms": ms(statistics.median(times)) if times else None,
        "p95_ms": ms(percentile(times, 0.95)) if times else None,
        "max_ms": ms(max(times)) if times else None,
        "errors": errors.count,
        "error_samples": errors.samples,
    }


# --- Report ---------------------------------------------------------------------------------------------------


def markdown(report: dict[str, Any]) -> str:
    db, host, server = report["database"], report["machine"], report["server"]
    load = report["load_average"]
    lines = [
        f"# HTTP benchmark: {db['vendor']}, {db['cases']:,} cases",
        "",
        f"- {report['measured_at']}; {host['cores']} cores ({host['cpu']}), {host['memory_gib']} GiB, "
        f"{host['system']}, Python {host['python']}, Django {db['django']}",
        f"- database: {db['vendor']} {db['version']}, {db['cases']:,} cases",
        f"- server: {server['software']}"
        + (f", {server['workers']} workers x {server['threads']} threads (gthread)" if server["workers"] else "")
        + f", {server['settings']}, on the same machine as the client",
        f"- load average (1, 5, 15 min): before {fmt_load(load['before'])}, after the scenarios "
        f"{fmt_load(load['after_scenarios'])}, after the concurrency run {fmt_load(load['after'])}",
        f"- {report['repeat']} requests per scenario after one warm-up, each right after a floor request "
        f"(`{FLOOR_PATH}`: the middleware and one primary-key query); one keep-alive connection per user",
        "",
        "| scenario | user | URL | p50 ms | p95 ms | max ms | KiB | errors | floor p50 ms | p50/floor | p95/floor |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in report["scenarios"]:
        cells = [row.get(key, "") for key in ("p50_ms", "p95_ms", "max_ms", "kib", "errors", "floor_p50_ms")]
        ratios = [row.get("p50_over_floor", ""), row.get("p95_over_floor", "")]
        lines.append(
            f"| {row['name']} | {row['user']} | `{row['path']}` | " + " | ".join(str(c) for c in cells + ratios) + " |"
        )
    run = report.get("concurrency")
    if run:
        lines += [
            "",
            f"## Concurrency: {run['clients']} client threads",
            "",
            f"Sending for {run['duration']:g} s; the last answer came {run['seconds']} s after the start (requests/s "
            "over that).",
            "",
            f"Mix, in turn: {', '.join(run['mix'])}.",
            "",
            "| requests | requests/s | p50 ms | p95 ms | max ms | errors |",
            "|--:|--:|--:|--:|--:|--:|",
            f"| {run['requests']} | {run['requests_per_second']} | {run['p50_ms']} | {run['p95_ms']} | "
            f"{run['max_ms']} | {run['errors']} |",
        ]
    samples = [f"{row['name']}: {sample}" for row in report["scenarios"] for sample in row.get("error_samples", [])]
    samples += [f"concurrency: {sample}" for sample in (run or {}).get("error_samples", [])]
    if samples:
        lines += ["", "## Errors (first of each)", "", *[f"- {sample}" for sample in samples]]
    skipped = [f"- {row['name']}: {row['skipped']}" for row in report["scenarios"] if row.get("skipped")]
    if skipped:
        lines += ["", "## Skipped", "", *skipped]
    return "\n".join(lines) + "\n"


def fmt_load(values: list[float]) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def write_report(report: dict[str, Any]) -> Path:
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"results-{report['database']['vendor']}-{report['database']['cases']}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    return stem.with_suffix(".md")


# --- Main -----------------------------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="sqlite:////abs/path.sqlite3 or postgres://…")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per scenario (30)")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads of the concurrency run (16)")
    parser.add_argument("--duration", type=float, default=20, help="seconds of the concurrency run (20; 0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process (4)")
    parser.add_argument("--scenarios", nargs="+", metavar="NAME", help="a subset, by name (default: all)")
    parser.add_argument("--no-migrate", action="store_true", help="do not migrate the database first")
    parser.add_argument("--url", help="measure a server already running on this machine instead of starting one")
    options = parser.parse_args(argv)
    names = {scenario["name"] for scenario in SCENARIOS}
    unknown = set(options.scenarios or []) - names
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}; known: {', '.join(sorted(names))}")
    if options.url and urllib.parse.urlsplit(options.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("--url must be a server on this machine (127.0.0.1, localhost or [::1])")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    scenarios = [s for s in SCENARIOS if not options.scenarios or s["name"] in options.scenarios]
    mix = [s for s in SCENARIOS if s["name"] in CONCURRENCY_MIX]
    if not options.no_migrate:
        migrate(options.database_url)
    db = database(options.database_url)
    server = Server(database_url=options.database_url, workers=options.workers, threads=options.threads)
    described = {"software": server_version(), "workers": options.workers, "threads": options.threads}
    if options.url:
        server.port = urllib.parse.urlsplit(options.url).port or 80
        described = {"software": f"already running at {options.url}", "workers": None, "threads": None}
    load_before = list(os.getloadavg())
    print(f"http_bench: {db['vendor']} {db['version']}, {db['cases']:,} cases", file=sys.stderr, flush=True)
    try:
        if not options.url:
            server.start()
        users = {s["user"] for s in scenarios + (mix if options.duration else [])}
        cookies = {user: log_in(server.port, user) if user else {} for user in sorted(users, key=str)}
        cookies.setdefault(None, {})
        results = run_scenarios(server.port, scenarios, cookies, options.repeat)
        load_middle = list(os.getloadavg())
        run = hammer(server.port, mix, cookies, options.concurrency, options.duration) if options.duration else None
    finally:
        server.stop()
    report = {
        "measured_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "database": db,
        "server": {**described, "settings": "bianmin.settings.bench"},
        "repeat": options.repeat,
        "load_average": {"before": load_before, "after_scenarios": load_middle, "after": list(os.getloadavg())},
        "scenarios": results,
        "concurrency": run,
    }
    path = write_report(report)
    print(markdown(report))
    print(f"written: {path} and {path.with_suffix('.json').name}", file=sys.stderr)
    failed = sum(row["errors"] for row in results) + (run["errors"] if run else 0)
    if failed:
        print(f"http_bench: {failed} requests failed; the server's log: {server.log_path}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
