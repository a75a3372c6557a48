"""Settings of a deployment read from the environment: plain http for a trial on loopback, the shared media root."""

import os
import subprocess
import sys

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "bianmin.settings.production",
    "SECRET_KEY": "k" * 50,
    "AUDIT_CHECKPOINT_KEY": "a" * 50,
    "LICENCE_SIGNING_KEY": "l" * 50,
}


def _settings(names: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    script = f"import django; django.setup(); from django.conf import settings as s; print({names}, sep='|')"
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PLAIN_HTTP": "", "MEDIA_ROOT": "", **env},
        capture_output=True,
        text=True,
        check=False,
    )


SECURITY = "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS"


def test_production_on_plain_http_for_a_trial_on_loopback():
    result = _settings(SECURITY, {**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1,localhost", "PLAIN_HTTP": "1"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == ["False", "False", "False", "0"]


def test_production_refuses_plain_http_for_a_host_on_the_network():
    result = _settings(SECURITY, {**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1,bianmin.example.gov.cn", "PLAIN_HTTP": "1"})

    assert result.returncode != 0
    assert "PLAIN_HTTP is for a trial on this machine only" in result.stderr


def test_production_stays_on_https_without_the_switch():
    result = _settings(SECURITY, {**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == ["True", "True", "True", "31536000"]


def test_media_root_is_var_media_unless_set(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "bianmin.settings.local", "BIANMIN_VAR_DIR": str(tmp_path / "var")}

    default = _settings("s.MEDIA_ROOT", env)
    shared = _settings("s.MEDIA_ROOT", {**env, "MEDIA_ROOT": "/srv/bianmin-media"})

    assert default.stdout.strip() == str(tmp_path / "var" / "media")
    assert shared.stdout.strip() == "/srv/bianmin-media"
