import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the working-day calendar seeded, as a deployment does."""
    from bianmin.core.workdays import calendar_seed

    with django_db_blocker.unblock():
        calendar_seed()


@pytest.fixture(autouse=True)
def _calendar_after_flush(request):
    """Transactional tests (live server, concurrency) empty every table when they end; seed again."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        return
    from bianmin.core.models import CalendarDay
    from bianmin.core.workdays import calendar_seed

    request.getfixturevalue("transactional_db")
    if not CalendarDay.objects.exists():
        calendar_seed()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttles and phone codes live in the cache: no test sees another test's counters."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language: a request through the language middleware activates the
    visitor's choice in the thread, and a test asserting Chinese text must not see the last test's English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
