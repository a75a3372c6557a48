"""The demo's settings: production's server on plain http://127.0.0.1, with a secret key kept under var/."""

import os
import stat
import subprocess
import sys

import pytest

from bianmin.settings.env import ConfigurationError, read_env, stored_secret_key


def test_the_secret_key_is_generated_once_and_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "var" / "secret_key"

    first = stored_secret_key(path)

    assert len(first) >= 50
    assert stored_secret_key(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def _demo_settings(var_dir, **env: str) -> list[str]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, ','.join(s.ALLOWED_HOSTS), s.SECRET_KEY, "
            "sep='|', end='')",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bianmin.settings.demo",
            "BIANMIN_VAR_DIR": str(var_dir),
            "SECRET_KEY": "",
            "ALLOWED_HOSTS": "",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split("|")


def test_demo_runs_without_debug_on_localhost_with_a_stored_key(tmp_path):
    debug, secure_session, secure_csrf, hosts, key = _demo_settings(tmp_path)

    assert (debug, secure_session, secure_csrf) == ("False", "False", "False")
    assert "127.0.0.1" in hosts and "localhost" in hosts
    assert key == (tmp_path / "secret_key").read_text()
    assert _demo_settings(tmp_path)[4] == key


def test_a_secret_key_from_the_environment_wins(tmp_path):
    key = _demo_settings(tmp_path, SECRET_KEY="s" * 40)[4]

    assert key == "s" * 40
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_web_workers_must_be_a_positive_number(monkeypatch, value):
    monkeypatch.setenv("WEB_WORKERS", value)

    with pytest.raises(ConfigurationError, match="WEB_WORKERS"):
        read_env()


def test_web_server_and_connection_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("WEB_THREADS", "8")
    monkeypatch.setenv("DB_CONN_MAX_AGE", "0")

    env = read_env()

    assert (env.web_workers, env.web_threads, env.db_conn_max_age) == (3, 8, 0)
