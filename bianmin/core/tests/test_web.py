"""The foundation's web behaviour: health check, headers, languages, login and its throttling."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from bianmin.accounts.models import User


@pytest.mark.django_db
def test_healthz_answers_ok_with_a_database_round_trip():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable():
    with mock.patch("bianmin.core.views.connection.cursor", side_effect=OperationalError("gone")):
        response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.django_db
def test_home_page_is_chinese_by_default_with_security_headers():
    response = Client().get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "就近办事" in body
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "就近辦事"), ("en", "Handle your matters close to home"), ("zh-hans", "就近办事")],
)
def test_language_switch_changes_the_page(language, expected):
    client = Client()

    response = client.post("/i18n/setlang/", {"language": language, "next": "/"}, follow=True)

    assert expected in response.content.decode()


@pytest.mark.django_db
def test_staff_log_in_and_land_on_the_workbench(demo_staff):
    client = Client()

    response = client.post("/accounts/login/", {"username": "clerk", "password": "correct-horse-9"}, follow=True)

    assert response.redirect_chain[-1][0] == "/workbench/"
    assert "窗口工作人员" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_in_chinese(demo_staff):
    response = Client().post("/accounts/login/", {"username": "clerk", "password": "nope"})

    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_login_is_locked_after_repeated_failures(demo_staff):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(3):
        client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})

    response = client.post("/accounts/login/", {"username": "clerk", "password": "correct-horse-9"})

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.fixture
def demo_staff(db):
    from bianmin.org.models import Role, RoleAssignment, Site, SiteLevel

    user = User.objects.create_user(username="clerk", password="correct-horse-9", full_name="王晓燕", is_staff=True)
    site = Site.objects.create(code="YX", name="县行政服务中心", level=SiteLevel.COUNTY, kind="main", path="/YX/")
    RoleAssignment.objects.create(user=user, role=Role.CLERK, site=site)
    return user


def _start_production(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bianmin.settings.production", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _start_production({"SECRET_KEY": "", "ALLOWED_HOSTS": "bianmin.example.gov.cn"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _start_production({"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": ""})

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_production_starts_with_its_secrets_and_secure_cookies():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG)",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bianmin.settings.production",
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "bianmin.example.gov.cn",
            "AUDIT_CHECKPOINT_KEY": "a" * 50,
            "LICENCE_SIGNING_KEY": "l" * 50,
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "False"]


@pytest.mark.django_db
def test_a_browser_asking_for_english_still_gets_simplified_chinese_until_it_chooses():
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert "就近办事" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Handle your matters close to home" in client.get("/").content.decode()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    script = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "bianmin.settings.local", "BIANMIN_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]
