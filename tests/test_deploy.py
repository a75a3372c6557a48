"""The trial deployment (deploy/): its nginx configuration and environment, and its check.

The check itself runs against a running `make deploy-local` only when BIANMIN_DEPLOY_URL names it: it needs
nginx, PostgreSQL and Redis, and registers a case each time, so `make test` skips it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from bianmin.cases.idnumbers import validate_id_number

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
DEPLOY_URL = os.environ.get("BIANMIN_DEPLOY_URL", "")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"deploy_{name}", DEPLOY / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


local = _load("local")
check = _load("check")


def test_the_nginx_configuration_balances_both_nodes_and_serves_static_files(monkeypatch, tmp_path):
    monkeypatch.setattr(local, "STATE", tmp_path)
    nodes = (local.Node("node-a", 9081), local.Node("node-b", 9082))
    trial = local.Trial(port=9080, database_url="postgres://127.0.0.1/bianmin_deploy", redis_url="", nodes=nodes)

    conf = local.render_nginx_conf(trial, local.TEMPLATE.read_text())

    assert "server 127.0.0.1:9081;" in conf and "server 127.0.0.1:9082;" in conf
    assert "listen 127.0.0.1:9080;" in conf
    assert f"alias {tmp_path}/static/;" in conf
    assert "client_max_body_size 100m;" in conf  # MAX_REQUEST_MB's default, the application's own limit
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "{{" not in conf.split("\n", 3)[-1]  # only the header comment mentions the fields


def test_nginx_refuses_the_same_request_bodies_as_the_application(monkeypatch, tmp_path):
    monkeypatch.setattr(local, "STATE", tmp_path)
    monkeypatch.setenv("MAX_REQUEST_MB", "25")
    trial = local.Trial(port=9080, database_url="postgres://127.0.0.1/bianmin_deploy", redis_url="", nodes=())

    conf = local.render_nginx_conf(trial, local.TEMPLATE.read_text())

    assert "client_max_body_size 25m;" in conf
    assert "location /media/ {\n            return 404;" in conf


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="nginx missing")
def test_nginx_accepts_the_configuration(monkeypatch, tmp_path):
    monkeypatch.setattr(local, "STATE", tmp_path)
    for folder in ("logs", "nginx", "static"):
        (tmp_path / folder).mkdir()
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(local.render_nginx_conf(local.trial_from_environment(), local.TEMPLATE.read_text()))

    result = subprocess.run(
        [local.nginx_binary(), "-t", "-p", str(tmp_path / "nginx"), "-c", str(conf), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_the_trial_environment_starts_the_production_settings_on_loopback_http():
    env = local.app_environment(local.trial_from_environment(), "s" * 50, "a" * 50, "l" * 50)
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CACHES['default']['BACKEND'], "
        "s.TRUSTED_PROXIES, s.MEDIA_ROOT, sep='|')"
    )

    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr
    debug, redirect, secure, cache, proxies, media = result.stdout.strip().split("|")
    assert (debug, redirect, secure) == ("False", "False", "False")
    assert cache == "django.core.cache.backends.redis.RedisCache"
    assert proxies == "['127.0.0.1', '::1']"
    assert media.endswith("var/deploy/media")


def test_the_check_makes_valid_resident_id_numbers():
    for _ in range(50):
        assert validate_id_number("resident_id", check.resident_id()) == []


@pytest.mark.skipif(not DEPLOY_URL, reason="set BIANMIN_DEPLOY_URL=http://127.0.0.1:8080/ to check a running trial")
def test_the_running_deployment_passes_its_check(capsys):
    passed = check.run(DEPLOY_URL.rstrip("/"))

    assert passed, capsys.readouterr().out
