"""The benchmarks' floor view: mounted only by the benchmark settings, one primary-key query."""

import importlib

import pytest
from django.test import Client
from django.urls import NoReverseMatch, clear_url_caches, reverse

import bianmin.urls


def _reload_urls() -> None:
    importlib.reload(bianmin.urls)
    clear_url_caches()


@pytest.fixture
def floor_mounted(settings):
    """The URLs as bianmin.settings.bench builds them; the usual ones again afterwards."""
    settings.BENCH_FLOOR_VIEW = True
    _reload_urls()
    yield
    settings.BENCH_FLOOR_VIEW = False
    _reload_urls()


@pytest.mark.django_db
def test_the_floor_is_absent_without_the_setting(settings):
    assert settings.BENCH_FLOOR_VIEW is False

    assert Client().get("/bench/floor/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")


@pytest.mark.django_db
def test_the_floor_answers_with_one_primary_key_query(floor_mounted, django_assert_num_queries):
    client = Client()

    with django_assert_num_queries(1) as queries:
        response = client.get(reverse("bench_floor"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert reverse("bench_floor") == "/bench/floor/"
    assert '"core_calendarday"."date" = ' in queries.captured_queries[0]["sql"]


def test_only_the_benchmark_settings_mount_the_floor():
    from bianmin.settings import base, bench

    assert base.BENCH_FLOOR_VIEW is False
    assert bench.BENCH_FLOOR_VIEW is True
