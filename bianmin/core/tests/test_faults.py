"""Faults: the production server killed with kill -9 while clerks submit applications, and the task worker killed
while it sends an SMS. Run by `make test` on SQLite and on PostgreSQL (marker ``faults``; ``-m faults`` runs them
alone); each is bounded to well under a minute.

The server runs as a deployment runs it (`manage.py serve`: gunicorn, gthread workers) against a real database:
on SQLite a file copied from the test database, on PostgreSQL the test database itself.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection, HTTPException
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection

from bianmin.accounts.models import User
from bianmin.catalog.models import ServiceItem
from bianmin.core.models import OutboundMessage
from bianmin.core.testing import ID_NUMBER
from bianmin.demo.county import DEMO_PASSWORD

# Committed data (committed_county or transactional_db, fixtures so that conftest.py seeds the calendar again after
# a flush): the processes started here read the database outside this test's connection.
pytestmark = [pytest.mark.faults, pytest.mark.long]

ROOT = Path(settings.BASE_DIR)
KILLS = 3
CLIENTS = 3


def database_for_processes(tmp_path: Path) -> str:
    """DATABASE_URL of what this test has committed, for processes started outside the test."""
    if connection.vendor == "sqlite":
        target = tmp_path / "bianmin.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{target}"
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host = database["HOST"] or "127.0.0.1"
    return f"postgres://{database['USER']}{password}@{host}:{database['PORT'] or 5432}/{database['NAME']}"


def process_environment(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bianmin.settings.bench",
        "DATABASE_URL": database_url,
        "BIANMIN_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "TASK_BACKEND": "database",
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True, check=False
    )


def python_in(env: dict[str, str], code: str):
    """Run ``code`` in a Django process on that database; what it prints is JSON."""
    result = manage(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The web server killed while clerks submit applications -------------------------------------------------


class Clerk:
    """A clerk's script on the API: a session cookie, the CSRF token, one connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = "", headers: dict | None = None
    ) -> tuple[int, bytes]:
        connection = HTTPConnection("127.0.0.1", self.port, timeout=15)
        sent = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()), **(headers or {})}
        if method == "POST":
            sent |= {
                "Content-Type": content_type,
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Origin": f"http://127.0.0.1:{self.port}",
            }
        try:
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            status, content = response.status, response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return status, content
        finally:
            connection.close()

    def log_in(self, username: str) -> bool:
        self.request("GET", "/accounts/login/")
        token = self.cookies.get("csrftoken", "")
        body = f"username={username}&password={DEMO_PASSWORD}&csrfmiddlewaretoken={token}".encode()
        return self.request("POST", "/accounts/login/", body, "application/x-www-form-urlencoded")[0] == 302

    def submit(self, body: dict, key: str) -> tuple[int, bytes]:
        payload = json.dumps(body).encode()
        return self.request("POST", "/api/v1/cases/", payload, "application/json", {"Idempotency-Key": key})


class Server:
    """`manage.py serve` in its own process group, so kill -9 reaches gunicorn's master and workers at once."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, str(ROOT / "manage.py"), "serve", "--web-only", "--no-access-log"]
        command += ["--port", str(self.port), "--workers", "1", "--threads", "4"]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if Clerk(self.port).request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """kill -9 of every process of the group; returns when none is left holding the port."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)  # a worker reaped by init after its master: still dying
            except ProcessLookupError:
                return
            time.sleep(0.02)
        raise AssertionError("a process of the killed server is still alive after 30 s")


def clerk_loop(port: int, body: dict, name: str, stop: threading.Event, acknowledged: dict, answers: list) -> None:
    """Submit applications one after another; a request cut off by the kill is retried with the same key."""
    clerk = Clerk(port)
    number = 0
    key = None
    while not stop.is_set():
        try:
            if "sessionid" not in clerk.cookies and not clerk.log_in("county_clerk"):
                time.sleep(0.2)
                continue
            key = key or f"{name}-{number}"
            status, content = clerk.submit(body, key)
        except (OSError, HTTPException):  # the server is down or died mid-answer: wait, then the same key again
            time.sleep(0.2)
            continue
        answers.append(status)
        if 200 <= status < 300:
            tracking_number = json.loads(content)["tracking_number"]
            if acknowledged.setdefault(key, tracking_number) != tracking_number:
                answers.append(f"{key} answered {tracking_number} after {acknowledged[key]}")
            key, number = None, number + 1
        elif status >= 500:
            time.sleep(0.2)  # a 502/503 while stopping: the same key again
        else:
            answers.append(content.decode(errors="replace")[:300])
            time.sleep(0.2)


CHECK_CASES = """
import json
from bianmin.cases.models import Case, CaseAccess
from bianmin.core.audit import verify_chain
from bianmin.core.models import AuditEvent, IdempotentRequest
cases = dict(Case.objects.values_list("pk", "tracking_number"))
submitted = set(AuditEvent.objects.filter(action="case.submit").values_list("object_id", flat=True))
with_access = set(CaseAccess.objects.values_list("case_id", flat=True))
result = verify_chain()
print(json.dumps({
    "numbers": sorted(cases.values()),
    "without_event": sorted(pk for pk in cases if str(pk) not in submitted),
    "without_access": sorted(pk for pk in cases if pk not in with_access),
    "answers": IdempotentRequest.objects.count(),
    "chain": [result.ok, result.code, result.count],
}))
"""


def test_acknowledged_cases_survive_kill_9_of_the_server_and_nothing_is_half_written(committed_county, tmp_path):
    # The test settings hash with MD5, which the server's settings do not accept. Argon2 with its default costs, as
    # the server would write it: a hash it upgraded at the first login would log the other sessions out.
    hasher = Argon2PasswordHasher()
    clerk_password = hasher.encode(DEMO_PASSWORD, hasher.salt())
    User.objects.filter(username="county_clerk").update(password=clerk_password)
    item = ServiceItem.objects.select_related("current_version").get(code="SJ-0004")
    body = {
        "item": "SJ-0004",
        "channel": "window",
        "receiving_site": "YX",
        "applicant": {"name": "张三", "id_type": "resident_id", "id_number": ID_NUMBER, "phone": "13800000000"},
        "materials": [
            {"requirement_id": material.pk, "original_seen": True, "copy_kept": True}
            for material in item.current_version.materials.all()
        ],
    }
    env = process_environment(tmp_path, database_for_processes(tmp_path))
    server = Server(env, free_port(), tmp_path / "server.log")
    stop, acknowledged, answers = threading.Event(), {}, []
    clients = [
        threading.Thread(target=clerk_loop, args=(server.port, body, f"clerk{index}", stop, acknowledged, answers))
        for index in range(CLIENTS)
    ]
    chance = random.Random(os.getpid())

    server.start()
    for client in clients:
        client.start()
    try:
        for _kill in range(KILLS):
            time.sleep(chance.uniform(0.5, 2.5))
            server.kill()
            server.start()
        time.sleep(1.5)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=30)
        server.kill()

    found = python_in(env, CHECK_CASES)
    numbers = list(acknowledged.values())
    assert len(numbers) >= CLIENTS, (answers[-5:], server.log.read_text()[-3000:])
    assert len(set(numbers)) == len(numbers)  # two requests never got the same case
    assert set(numbers) <= set(found["numbers"])  # every acknowledged case is there, with its number
    assert found["without_event"] == [] and found["without_access"] == []
    assert found["answers"] == len(found["numbers"])  # every case has its request's stored answer, and no more
    assert found["chain"] == [True, "ok", found["chain"][2]]
    # No refusals (a 4xx) and no replay with another number: only successes and the 5xx of a dying server.
    assert [answer for answer in answers if not isinstance(answer, int) or 300 <= answer < 500] == []


# --- The worker killed while it sends an SMS ------------------------------------------------------------------


class RecordingGateway:
    """An SMS gateway for this test: each message handed to it is a line in FAULT_GATEWAY_LOG. With
    FAULT_GATEWAY_HANG set it then hangs, so the test kills the worker right after the gateway has sent."""

    def send(self, message: OutboundMessage) -> None:
        with open(os.environ["FAULT_GATEWAY_LOG"], "a") as log:
            log.write(f"{message.pk}\n")
        if os.environ.get("FAULT_GATEWAY_HANG"):
            time.sleep(600)


def test_an_sms_is_sent_once_when_the_worker_is_killed_while_sending_and_the_task_runs_again(
    transactional_db, tmp_path
):
    messages = [
        OutboundMessage.objects.create(channel="sms", recipient=f"1380000000{index}", body=f"第 {index} 条")
        for index in range(3)
    ]
    gateway_log = tmp_path / "gateway.log"
    gateway_log.touch()
    env = process_environment(
        tmp_path,
        database_for_processes(tmp_path),
        SMS_BACKEND=f"{__name__}.RecordingGateway",
        FAULT_GATEWAY_LOG=str(gateway_log),
    )
    enqueue = "from bianmin.core.notify import send_pending_messages; send_pending_messages.enqueue(); print(1)"
    worker = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--queue-name", "default", "--no-reload"]

    python_in(env, enqueue)
    hanging = subprocess.Popen(
        [*worker, "--no-startup-delay", "--interval", "0.1"],
        env={**env, "FAULT_GATEWAY_HANG": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not gateway_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(hanging.pid, signal.SIGKILL)  # the gateway has sent the first SMS; the worker dies before it records it
    hanging.wait(timeout=30)
    python_in(env, enqueue)  # the scheduler queues the task again a minute later
    rerun = manage(env, "db_worker", "--queue-name", "default", "--no-reload", "--batch", "--no-startup-delay")

    assert rerun.returncode == 0, rerun.stderr
    assert gateway_log.read_text().split() == [str(message.pk) for message in messages]
    state = python_in(
        env,
        "import json; from bianmin.core.models import OutboundMessage as M; "
        "print(json.dumps([[m.sent_at is None, m.claimed_at is None] for m in M.objects.order_by('pk')]))",
    )
    # The first was handed to the gateway and never confirmed: claimed, not sent, and not sent again.
    assert state == [[True, False], [False, False], [False, False]]
