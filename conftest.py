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


_checkpoint_dirs = iter(range(1, 10**9))


@pytest.fixture(autouse=True)
def _audit_checkpoint_dir(tmp_path_factory):
    """Every test appends the audit chain's checkpoints to its own directory: a checkpoint of another test's chain
    would not match this test's events. Created only when a checkpoint is written."""
    from django.test import override_settings

    directory = tmp_path_factory.getbasetemp() / f"audit-checkpoints-{next(_checkpoint_dirs)}"
    with override_settings(AUDIT_CHECKPOINT_DIR=directory):
        yield directory
