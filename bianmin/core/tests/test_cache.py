"""The shared cache: every process of a deployment counts the same throttles and checks the same phone codes.

The suite itself runs on LocMemCache (settings.test); these tests switch to the deployment's backends.
"""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
import threading
import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.utils import timezone

DATABASE_CACHE = {"BACKEND": "bianmin.core.cache.DatabaseCache", "LOCATION": "bianmin_cache"}
REDIS_URL = "redis://127.0.0.1:6379/15"


def _settings_cache(**env: str) -> list[str]:
    """The default cache's backend and location under the deployment's settings with this environment."""
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bianmin.settings.local", "REDIS_URL": "", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_default_cache_is_the_database_without_redis_url():
    assert _settings_cache() == ["bianmin.core.cache.DatabaseCache", "bianmin_cache"]


def test_the_default_cache_is_redis_when_redis_url_is_set():
    backend = _settings_cache(REDIS_URL="redis://cache.internal:6379/1")

    assert backend == ["django.core.cache.backends.redis.RedisCache", "redis://cache.internal:6379/1"]


@pytest.mark.django_db
def test_migrate_creates_the_cache_table():
    assert "bianmin_cache" in connection.introspection.table_names()


@pytest.mark.django_db
@override_settings(CACHES={"default": DATABASE_CACHE})
def test_two_connections_count_the_same_throttle_with_the_database_cache():
    # Two connections stand for two web processes: each process builds its own from the same settings.
    first, second = caches.create_connection("default"), caches.create_connection("default")
    key = "track-attempts:address:203.0.113.9"

    for cache in (first, second):
        cache.add(key, 0, 600)  # what the throttles do before counting: start the window once
    counts = [first.incr(key), second.incr(key), first.incr(key)]

    assert counts == [1, 2, 3]
    assert second.get(key) == 3


@pytest.mark.django_db
@override_settings(CACHES={"default": DATABASE_CACHE})
def test_a_count_keeps_the_expiry_of_its_window():
    cache = caches.create_connection("default")
    cache.add("sms-sent:address:203.0.113.9", 0, 3600)

    cache.incr("sms-sent:address:203.0.113.9")

    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM bianmin_cache WHERE cache_key LIKE %s", ["%sms-sent%"])
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):  # SQLite returns the text it stored
        expires = datetime.datetime.fromisoformat(expires)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, datetime.UTC)
    # Django's own DatabaseCache.incr would have set the default timeout, 300 seconds.
    assert expires - timezone.now() > datetime.timedelta(minutes=59)


@pytest.mark.django_db
@override_settings(CACHES={"default": DATABASE_CACHE})
def test_counting_a_missing_or_expired_key_fails_as_in_every_cache():
    cache = caches.create_connection("default")
    cache.set("gone", 4, -1)

    with pytest.raises(ValueError):
        cache.incr("never-set")
    with pytest.raises(ValueError):
        cache.incr("gone")


@pytest.mark.django_db(transaction=True)
@override_settings(CACHES={"default": DATABASE_CACHE})
def test_parallel_counts_are_not_lost_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: threads on SQLite's in-memory test database fail on its table locks")
    caches.create_connection("default").add("phone-code:apply:13800000000:tries", 0, 600)
    threads, per_thread = 6, 20

    def count() -> None:
        cache = caches.create_connection("default")
        try:
            for _ in range(per_thread):
                cache.incr("phone-code:apply:13800000000:tries")
        finally:
            connection.close()  # this thread's own connection to the test database

    workers = [threading.Thread(target=count) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert caches.create_connection("default").get("phone-code:apply:13800000000:tries") == threads * per_thread


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis server on 127.0.0.1:6379 (CI's machine runs one)")
def test_two_connections_count_the_same_throttle_with_redis():
    prefix = f"bianmin-test-{uuid.uuid4().hex}"
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    with override_settings(CACHES={"default": redis}):
        first, second = caches.create_connection("default"), caches.create_connection("default")
        key = "track-attempts:address:203.0.113.9"
        try:
            first.add(key, 0, 600)
            second.add(key, 0, 600)
            counts = [first.incr(key), second.incr(key)]

            assert counts == [1, 2]
            assert first.get(key) == 2
        finally:
            first.delete(key)
