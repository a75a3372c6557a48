"""`make deploy-local`: a trial of the production deployment on this machine, started and stopped by one command.

nginx on 127.0.0.1:DEPLOY_PORT (8080) balances two web nodes (`manage.py serve --web-only`, gunicorn, on the next
two ports) that share PostgreSQL (the database `bianmin_deploy`, created if missing), Redis (the cache) and one
media directory; one task worker and the scheduler run beside them. All of it with bianmin.settings.production,
on plain http (PLAIN_HTTP: loopback only). Every file it writes is under var/deploy/.

    deploy/local.py run     prepare the database and the static files, start everything, stop all on Ctrl-C
    deploy/local.py stop    stop a trial started elsewhere (another terminal, or in the background)

Environment: DEPLOY_PORT, DEPLOY_DATABASE_URL, DEPLOY_REDIS_URL (empty: the database cache instead of Redis); own
names, so that a DATABASE_URL exported for development or for the tests is never loaded with the demo county.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "deploy"
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
PID_FILE = STATE / "run.pid"
MIME_TYPES = Path("/etc/nginx/mime.types")
# Seconds `manage.py serve` gives gunicorn to finish its requests, and a margin to stop the other processes.
STOP_SECONDS = 25
READY_SECONDS = 90

sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Node:
    name: str
    port: int


@dataclass(frozen=True)
class Trial:
    port: int
    database_url: str
    redis_url: str
    nodes: tuple[Node, ...]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


class TrialError(RuntimeError):
    """A step of the trial failed; the message says which and what to do."""


class _Stop(Exception):
    """SIGTERM, raised in the main thread so that it unwinds like Ctrl-C."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def trial_from_environment() -> Trial:
    port = int(os.environ.get("DEPLOY_PORT", "8080"))
    return Trial(
        port=port,
        database_url=os.environ.get("DEPLOY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bianmin_deploy"),
        redis_url=os.environ.get("DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/1"),
        nodes=(Node("node-a", port + 1), Node("node-b", port + 2)),
    )


def app_environment(
    trial: Trial, secret_key: str, audit_checkpoint_key: str, licence_signing_key: str
) -> dict[str, str]:
    """The environment of every Bianmin process of the trial: production settings, shared services."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bianmin.settings.production",
        "SECRET_KEY": secret_key,
        # Signs the audit chain's checkpoints, appended under var/deploy/audit-checkpoints/.
        "AUDIT_CHECKPOINT_KEY": audit_checkpoint_key,
        # Signs the electronic licences (Ed25519; the public key is on the verification page).
        "LICENCE_SIGNING_KEY": licence_signing_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # No TLS on loopback; production allows this only for loopback host names.
        "PLAIN_HTTP": "1",
        "DATABASE_URL": trial.database_url,
        "REDIS_URL": trial.redis_url,
        # Static files are collected into var/deploy/static, which nginx serves.
        "BIANMIN_VAR_DIR": str(STATE),
        "MEDIA_ROOT": str(STATE / "media"),
        # nginx connects from loopback; the client's address comes from its X-Forwarded-For.
        "TRUSTED_PROXIES": "127.0.0.1,::1",
        # Phone codes and notifications as files under var/deploy/outbox/ (no SMS gateway in a trial).
        "SMS_BACKEND": "file",
    }


def client_max_body_size() -> str:
    """nginx's limit on a request body: the application's own, MAX_REQUEST_MB (default 100: ten files of the 10 MB
    a file may have, in one form), which the nodes read from the same environment."""
    from bianmin.settings.env import read_env

    return f"{read_env().max_request_mb}m"


def render_nginx_conf(trial: Trial, template: str) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{node.port};" for node in trial.nodes)
    fields = {
        "STATE": str(STATE),
        "MIME_TYPES": str(MIME_TYPES),
        "UPSTREAM_SERVERS": servers,
        "LISTEN": f"127.0.0.1:{trial.port}",
        "CLIENT_MAX_BODY_SIZE": client_max_body_size(),
        "STATIC_ROOT": str(STATE / "static"),
    }
    for name, value in fields.items():
        template = template.replace("{{" + name + "}}", value)
    unfilled = re.findall(r"\{\{[A-Z_]+\}\}", template)
    if unfilled:
        raise TrialError(f"{TEMPLATE.name} has fields deploy/local.py does not fill: {', '.join(unfilled)}.")
    return template


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        raise TrialError("nginx is not installed: `make deploy-local` installs it (apt-get install nginx) as root.")
    return found


def ensure_database(url: str) -> None:
    """Create the trial's PostgreSQL database when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise TrialError("DEPLOY_DATABASE_URL must name a PostgreSQL database (postgres://...).")
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created the database {name}.")
    except psycopg.OperationalError as error:
        raise TrialError(f"PostgreSQL at {parts.hostname}:{parts.port or 5432} is not reachable: {error}") from None


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        raise TrialError(f"Redis at {url} is not reachable: {error}") from None


def check_ports_free(trial: Trial) -> None:
    for port in (trial.port, *(node.port for node in trial.nodes)):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise TrialError(f"Port {port} is taken: stop what listens there, or choose DEPLOY_PORT=<port>.")


def manage(env: dict[str, str], *arguments: str) -> None:
    print("$ manage.py " + " ".join(arguments), flush=True)
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *arguments], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        raise TrialError(f"manage.py {arguments[0]} failed (exit status {result.returncode}).")


def prepare(trial: Trial, env: dict[str, str]) -> None:
    """What a deployment does before it starts serving: the same steps as `make demo`, on PostgreSQL."""
    ensure_database(trial.database_url)
    if trial.redis_url:
        check_redis(trial.redis_url)
    for folder in ("logs", "media", "nginx"):
        (STATE / folder).mkdir(parents=True, exist_ok=True)
    manage(env, "migrate", "--noinput")  # creates the database cache's table too (used without Redis)
    manage(env, "workdays", "seed")
    manage(env, "demo_load")
    manage(env, "statistics", "rebuild")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    (STATE / "nginx" / "nginx.conf").write_text(render_nginx_conf(trial, TEMPLATE.read_text()))


def _start(name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    log = (STATE / "logs" / f"{name}.log").open("ab")
    # A session of its own: Ctrl-C reaches only this script, which stops the processes in order.
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def start(trial: Trial, env: dict[str, str]) -> dict[str, subprocess.Popen]:
    manage_py = [sys.executable, str(ROOT / "manage.py")]
    processes: dict[str, subprocess.Popen] = {}
    for node in trial.nodes:
        command = [*manage_py, "serve", "--web-only", "--host", "127.0.0.1", "--port", str(node.port)]
        processes[node.name] = _start(node.name, command, {**env, "NODE_NAME": node.name})
    processes["worker"] = _start("worker", [*manage_py, "db_worker", "--queue-name", "default", "--no-reload"], env)
    processes["scheduler"] = _start("scheduler", [*manage_py, "scheduler"], env)
    conf = STATE / "nginx" / "nginx.conf"
    nginx = [nginx_binary(), "-p", str(STATE / "nginx"), "-c", str(conf), "-e", str(STATE / "logs" / "nginx-error.log")]
    result = subprocess.run([*nginx, "-t", "-q"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise TrialError(f"nginx refuses its configuration {conf}:\n{result.stderr}")
    processes["nginx"] = _start("nginx", [*nginx, "-g", "daemon off;"], env)
    return processes


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(trial: Trial, processes: dict[str, subprocess.Popen]) -> None:
    """Until each node answers /readyz directly and through nginx, or one of the processes stops."""
    urls = [f"http://127.0.0.1:{node.port}/readyz" for node in trial.nodes] + [f"{trial.url}readyz"]
    deadline = time.monotonic() + READY_SECONDS
    while not all(_ready(url) for url in urls):
        _raise_if_stopped(processes)
        if time.monotonic() > deadline:
            raise TrialError(f"Not ready after {READY_SECONDS} s: see the logs in {STATE / 'logs'}.")
        time.sleep(1)


def _raise_if_stopped(processes: dict[str, subprocess.Popen]) -> None:
    for name, process in processes.items():
        code = process.poll()
        if code is not None:
            log = STATE / "logs" / f"{name}.log"
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:]) if log.exists() else ""
            raise TrialError(f"The {name} stopped (exit status {code}); the end of {log}:\n{tail}")


def stop_all(processes: dict[str, subprocess.Popen]) -> None:
    """nginx first (no new requests), then the nodes (gunicorn finishes its requests), the worker, the scheduler."""
    for name, process in processes.items():
        if process.poll() is None:
            # nginx: SIGQUIT is its graceful stop; the others take SIGTERM for that.
            process.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
            if name == "nginx":
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def print_summary(trial: Trial, processes: dict[str, subprocess.Popen]) -> None:
    nodes = ", ".join(f"{node.name} on 127.0.0.1:{node.port}" for node in trial.nodes)
    print(
        f"\nReady: {trial.url}  (nginx, balancing {nodes})\n"
        f"  database   {trial.database_url}\n"
        f"  cache      {trial.redis_url or 'the database (table bianmin_cache)'}\n"
        f"  media      {STATE / 'media'}   phone codes and notices: {STATE / 'outbox'}\n"
        f"  background the task worker and the scheduler\n"
        f"  processes  " + ", ".join(f"{name} {process.pid}" for name, process in processes.items()) + "\n"
        f"  logs       {STATE / 'logs'}/\n"
        "Log in as county_clerk (password Bianmin-demo-2026; the README lists every demo account).\n"
        "Check it from another terminal: make deploy-check.  Stop: Ctrl-C here, or make deploy-local-stop.",
        flush=True,
    )


@contextlib.contextmanager
def pid_file() -> Iterator[None]:
    """var/deploy/run.pid while this trial runs, so that `stop` finds it and a second one does not start."""
    running = _running_trial()
    if running is not None:
        raise TrialError(f"A trial is already running (process {running}): make deploy-local-stop.")
    STATE.mkdir(parents=True, exist_ok=True)
    PID_FILE.write_text(str(os.getpid()))
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            if PID_FILE.read_text().strip() == str(os.getpid()):
                PID_FILE.unlink()


def _running_trial() -> int | None:
    """The process id of the trial named by the pid file, when it still runs (and is this script)."""
    try:
        pid = int(PID_FILE.read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ValueError):
        return None
    return pid if b"deploy/local.py" in command else None


def run() -> None:
    from bianmin.settings.env import stored_secret_key

    trial = trial_from_environment()
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    processes: dict[str, subprocess.Popen] = {}
    # The pid file outlives the processes, so `stop` returns only when all of them have stopped.
    with pid_file():
        try:
            check_ports_free(trial)
            env = app_environment(
                trial,
                stored_secret_key(STATE / "secret_key"),
                stored_secret_key(STATE / "audit_checkpoint_key"),
                stored_secret_key(STATE / "licence_signing_key"),
            )
            prepare(trial, env)
            processes = start(trial, env)
            wait_ready(trial, processes)
            print_summary(trial, processes)
            while True:
                _raise_if_stopped(processes)
                time.sleep(0.5)
        except (KeyboardInterrupt, _Stop):
            print("\nStopping the trial ...", flush=True)
        finally:
            # A second signal while stopping must not leave processes behind.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            stop_all(processes)
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if processes:
                print("Stopped: " + ", ".join(processes) + ".", flush=True)


def stop() -> None:
    pid = _running_trial()
    if pid is None:
        print("No trial is running.")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS + 10
    while _running_trial() == pid and time.monotonic() < deadline:
        time.sleep(0.5)
    print("The trial stopped." if _running_trial() != pid else f"Process {pid} is still stopping.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["run", "stop", "nginx-conf"], help="nginx-conf prints the configuration")
    options = parser.parse_args(argv)
    try:
        if options.action == "run":
            run()
        elif options.action == "stop":
            stop()
        else:
            print(render_nginx_conf(trial_from_environment(), TEMPLATE.read_text()))
    except TrialError as error:
        print(f"deploy-local: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
