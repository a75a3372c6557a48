"""`manage.py serve`: the production web server (gunicorn, gthread workers) with the task worker and the scheduler.

`make demo` runs it with bianmin.settings.demo; a deployment runs it with bianmin.settings.production behind
its TLS proxy; bench/http_bench.py runs the web server alone (``--web-only``) with bianmin.settings.bench.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

# The task worker and the scheduler hold one database connection each.
BACKGROUND_CONNECTIONS = 2
# Left free on the database server for migrations, management commands and an operator's psql.
SPARE_CONNECTIONS = 5
# Seconds gunicorn gives running requests to finish on SIGTERM before it kills its workers.
GRACEFUL_SECONDS = 10


class _Stop(Exception):
    """SIGTERM, raised in the main thread so that it unwinds like Ctrl-C."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def gunicorn_command(*, host: str, port: int | str, workers: int, threads: int, access_log: bool) -> list[str]:
    """The command line of the web server: WSGI through gunicorn's threaded workers."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "bianmin.wsgi:application",
        "--chdir",
        str(settings.BASE_DIR),
        "--bind",
        f"{host}:{port}",
        # Threads rather than more processes: the pages wait on the database, and each process holds the
        # whole application in memory (docs/ARCHITECTURE.md, "Serving").
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        # The slowest pages (a year's Excel export) take seconds; a worker silent this long is stuck.
        "--timeout",
        "60",
        "--graceful-timeout",
        str(GRACEFUL_SECONDS),
        # gunicorn's control socket has one default path per user: two servers (the demo and a benchmark) on
        # one machine would take it from each other, and nothing here uses it.
        "--no-control-socket",
        "--error-logfile",
        "-",
    ]
    if access_log:
        command += ["--access-logfile", "-"]
    return command


def connections_needed(*, workers: int, threads: int, background: bool) -> int:
    """Database connections this deployment may hold at once: one per web server thread (each keeps its own
    for DB_CONN_MAX_AGE), the worker's and the scheduler's, and a few spare for commands run by hand."""
    return workers * threads + (BACKGROUND_CONNECTIONS if background else 0) + SPARE_CONNECTIONS


def postgresql_connections_available() -> int | None:
    """How many connections the PostgreSQL server accepts from ordinary roles (None on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            # reserved_connections exists from PostgreSQL 16 on; missing_ok reads NULL before that.
            cursor.execute(
                "SELECT current_setting('max_connections')::int"
                " - current_setting('superuser_reserved_connections')::int"
                " - COALESCE(current_setting('reserved_connections', true), '0')::int"
            )
            return cursor.fetchone()[0]
    finally:
        # The web server forks after this: no connection may be inherited.
        connection.close()


class Command(BaseCommand):
    help = (
        "Serve the site with gunicorn (gthread workers) together with the background task worker and the "
        "scheduler; Ctrl-C or SIGTERM stops them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, default=None, help="gunicorn worker processes (default: WEB_WORKERS, 2)."
        )
        parser.add_argument(
            "--threads", type=int, default=None, help="Threads per worker process (default: WEB_THREADS, 4)."
        )
        parser.add_argument(
            "--web-only", action="store_true", help="Only the web server, without the worker and the scheduler."
        )
        parser.add_argument(
            "--reference-receiver",
            action="store_true",
            help=(
                "Also run the reference receiver that plays the upper-level platform (the demo's upward report goes "
                "to it; it keeps what it acknowledged in var/reference_receiver.json and answers 503 while "
                "var/reference_receiver.down exists)."
            ),
        )
        parser.add_argument("--no-access-log", action="store_true", help="Do not log each request.")

    def handle(self, *args: object, **options: object) -> None:
        workers = options["workers"] or settings.WEB_WORKERS
        threads = options["threads"] or settings.WEB_THREADS
        background = not options["web_only"]
        self._check_connections(workers=workers, threads=threads, background=background)
        previous = signal.signal(signal.SIGTERM, _raise_stop)
        processes: dict[str, subprocess.Popen] = {}
        try:
            if background:
                manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
                processes["worker"] = subprocess.Popen([*manage, "db_worker", "--queue-name", "default", "--no-reload"])
                processes["scheduler"] = subprocess.Popen([*manage, "scheduler"], stdout=subprocess.DEVNULL)
            if options["reference_receiver"]:
                var = settings.ENV.var_dir
                processes["reference receiver"] = subprocess.Popen(
                    [
                        sys.executable,
                        str(settings.BASE_DIR / "manage.py"),
                        "reference_receiver",
                        "--store",
                        str(var / "reference_receiver.json"),
                        "--fail-file",
                        str(var / "reference_receiver.down"),
                    ]
                )
            command = gunicorn_command(
                host=options["host"],
                port=options["port"],
                workers=workers,
                threads=threads,
                access_log=not options["no_access_log"],
            )
            processes["web server"] = subprocess.Popen(command)
            self.stdout.write(
                f"Serving http://{options['host']}:{options['port']}/ with gunicorn, {workers} worker processes x "
                f"{threads} threads" + (", the task worker and the scheduler." if background else ".")
            )
            self.stdout.flush()
            self._watch(processes)
        except (KeyboardInterrupt, _Stop):
            pass
        finally:
            # A second SIGTERM while stopping must not leave the children running.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _stop_all(processes.values())
            signal.signal(signal.SIGTERM, previous)

    def _check_connections(self, *, workers: int, threads: int, background: bool) -> None:
        available = postgresql_connections_available()
        needed = connections_needed(workers=workers, threads=threads, background=background)
        if available is not None and needed > available:
            raise CommandError(
                f"{workers} workers x {threads} threads may hold {needed} PostgreSQL connections with the "
                f"background processes and {SPARE_CONNECTIONS} spare, but the server accepts {available}: lower "
                "WEB_WORKERS or WEB_THREADS, or raise max_connections (docs/CONFIGURATION.md)."
            )

    def _watch(self, processes: dict[str, subprocess.Popen]) -> None:
        """Return never while all run; one that stops by itself (a port already taken) stops the rest."""
        while True:
            for name, process in processes.items():
                code = process.poll()
                if code is not None:
                    raise CommandError(f"The {name} stopped (exit status {code}); stopping the others.")
            time.sleep(0.5)


def _stop_all(processes: Iterable[subprocess.Popen]) -> None:
    """SIGTERM to each one still running (gunicorn finishes its requests), then kill what outlives the grace."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACEFUL_SECONDS + 5
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
