"""`manage.py serve`: gunicorn's command line, the processes it starts and stops, the connection budget.

No real server is started: the processes are fakes that record the signals they receive.
"""

import signal
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bianmin.core.management.commands import serve


class FakeProcess:
    """A child process that runs until it is signalled (or has already exited with ``exit_code``)."""

    def __init__(self, command: list[str], exit_code: int | None = None, **kwargs: object) -> None:
        self.command = command
        self.returncode = exit_code
        self.signals: list[int] = []

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, number: int) -> None:
        self.signals.append(number)
        self.returncode = -number

    def wait(self, timeout: float | None = None) -> int | None:
        return self.returncode

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_web_server_is_gunicorn_with_threaded_workers():
    command = serve.gunicorn_command(host="127.0.0.1", port=8123, workers=3, threads=5, access_log=True)

    assert command[:4] == [sys.executable, "-m", "gunicorn", "bianmin.wsgi:application"]
    assert _option(command, "--bind") == "127.0.0.1:8123"
    assert _option(command, "--worker-class") == "gthread"
    assert _option(command, "--workers") == "3"
    assert _option(command, "--threads") == "5"
    assert _option(command, "--chdir") == str(settings.BASE_DIR)
    assert _option(command, "--access-logfile") == "-"
    assert "--no-control-socket" in command


def test_the_access_log_can_be_left_out():
    command = serve.gunicorn_command(host="127.0.0.1", port=8000, workers=1, threads=1, access_log=False)

    assert "--access-logfile" not in command


def _serve(*args: str, stopped_by: type[BaseException] = KeyboardInterrupt) -> list[FakeProcess]:
    """Run the command with fake children; the first wait in its watch loop raises ``stopped_by``."""
    started: list[FakeProcess] = []

    def popen(command: list[str], **kwargs: object) -> FakeProcess:
        started.append(FakeProcess(command))
        return started[-1]

    with (
        mock.patch.object(serve, "postgresql_connections_available", return_value=None),
        mock.patch.object(serve.subprocess, "Popen", side_effect=popen),
        mock.patch.object(serve.time, "sleep", side_effect=stopped_by),
    ):
        call_command("serve", *args, stdout=mock.Mock())
    return started


def test_serve_starts_gunicorn_the_worker_and_the_scheduler_and_ctrl_c_stops_them_all(settings):
    settings.WEB_WORKERS, settings.WEB_THREADS = 3, 6

    worker, scheduler, web = _serve("--port", "8123")

    assert worker.command[-4:] == ["db_worker", "--queue-name", "default", "--no-reload"]
    assert scheduler.command[-1] == "scheduler"
    assert _option(web.command, "--bind") == "127.0.0.1:8123"
    assert (_option(web.command, "--workers"), _option(web.command, "--threads")) == ("3", "6")
    assert [process.signals for process in (worker, scheduler, web)] == [[signal.SIGTERM]] * 3


def test_sigterm_stops_them_all_too():
    processes = _serve("--workers", "2", "--threads", "4", stopped_by=serve._Stop)

    assert [process.signals for process in processes] == [[signal.SIGTERM]] * 3
    assert signal.getsignal(signal.SIGTERM) is not serve._raise_stop


def test_web_only_starts_the_web_server_alone():
    (web,) = _serve("--web-only", "--no-access-log", "--workers", "2", "--threads", "8")

    assert _option(web.command, "--threads") == "8"
    assert "--access-logfile" not in web.command


def test_a_child_that_stops_by_itself_stops_the_others():
    started: list[FakeProcess] = []

    def popen(command: list[str], **kwargs: object) -> FakeProcess:
        # The web server cannot bind its port and exits at once.
        started.append(FakeProcess(command, exit_code=1 if "gunicorn" in command else None))
        return started[-1]

    with (
        mock.patch.object(serve, "postgresql_connections_available", return_value=None),
        mock.patch.object(serve.subprocess, "Popen", side_effect=popen),
        pytest.raises(CommandError, match="web server stopped"),
    ):
        call_command("serve", stdout=mock.Mock())

    worker, scheduler, web = started
    assert worker.signals == scheduler.signals == [signal.SIGTERM]
    assert web.signals == []


def test_connections_needed_counts_every_thread_the_background_and_spares():
    assert serve.connections_needed(workers=2, threads=4, background=True) == 8 + 2 + serve.SPARE_CONNECTIONS
    assert serve.connections_needed(workers=2, threads=4, background=False) == 8 + serve.SPARE_CONNECTIONS


def test_serve_refuses_more_threads_than_postgresql_accepts():
    with (
        mock.patch.object(serve, "postgresql_connections_available", return_value=20),
        mock.patch.object(serve.subprocess, "Popen") as popen,
        pytest.raises(CommandError, match="max_connections"),
    ):
        call_command("serve", "--workers", "4", "--threads", "4", stdout=mock.Mock())

    popen.assert_not_called()


def test_sqlite_has_no_connection_limit():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")

    assert serve.postgresql_connections_available() is None


@pytest.mark.django_db(transaction=True)
def test_postgresql_reports_the_connections_it_accepts():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")

    available = serve.postgresql_connections_available()

    assert 0 < available < 10_000
