"""/readyz: whether this node can serve the product (database, migrations, shared cache), for the load balancer."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

UNREACHABLE_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.mark.django_db
def test_readyz_answers_ok_when_database_migrations_and_cache_are():
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok", "cache": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_503_while_migrations_are_pending():
    with mock.patch("django.db.migrations.executor.MigrationExecutor.migration_plan", return_value=[("m", False)]):
        response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "migrations": "pending", "cache": "ok"}


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_is_unreachable():
    with mock.patch("bianmin.core.views.connection.cursor", side_effect=OperationalError("gone")):
        response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert response.json()["migrations"] == "unreachable"


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE_REDIS)
def test_readyz_answers_503_when_the_shared_cache_is_unreachable():
    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "migrations": "ok", "cache": "unreachable"}


def test_readyz_takes_only_get():
    assert Client().post("/readyz").status_code == 405
