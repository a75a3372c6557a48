"""The fixtures every app's tests share; the plain helpers (people, cases, clients, clocks) are in
``bianmin/core/testing.py``.

The demo county: ``county`` (the organisation, its staff and the catalogue) and ``county_organisation`` (without
the catalogue) in a test's transaction, ``committed_county`` committed for a live server. Each is loaded once per
test process through the services and replayed from then on (``core.testing.DemoRows``).
"""

import pytest


def pytest_configure(config):
    """On SQLite the test database is made from the models, not by replaying every migration (8 of the 13 seconds
    each test process spent before its first test). The migrations keep their checks: PostgreSQL's run of the suite
    applies them, ``make demo`` and ``make bench-smoke`` apply them on SQLite, and ``core/tests/test_migrations.py``
    fails on a model changed without its migration."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        config.option.nomigrations = True


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The long tests first (after pytest-django's order: database, transactional, neither): the two processes
    share the rest and end together, instead of one running a long test alone at the end. A transactional test
    empties every table when it ends; the calendar is seeded again then (``django_db_setup``), so any order holds."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """Every test database starts with the working-day calendar seeded, as a deployment does, and has it again
    after a transactional test (live server, concurrency) empties every table."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from bianmin.core.workdays import calendar_seed

    with django_db_blocker.unblock():
        if request.config.option.nomigrations:
            _what_only_migrations_make()
        calendar_seed()
    # Emptying the tables (the flush after a transactional test) ends with post_migrate, sent for each app.
    post_migrate.connect(_calendar_seed_again, sender=apps.get_app_config("core"), dispatch_uid="test-calendar")
    yield
    post_migrate.disconnect(sender=apps.get_app_config("core"), dispatch_uid="test-calendar")
    with django_db_blocker.unblock():
        _end_other_sessions()


def _end_other_sessions() -> None:
    """PostgreSQL: end every other session still on the test database when the tests are done (a connection a
    test's thread or process left open), so that it can be dropped; otherwise the run leaves it behind."""
    from django.db import connections

    for connection in connections.all():
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def _calendar_seed_again(**kwargs) -> None:
    from bianmin.core.workdays import calendar_seed

    calendar_seed()


def _what_only_migrations_make() -> None:
    """What migrating writes beyond the models' tables: the database cache's table, which the processes the fault
    tests start use (core/migrations/0004_cache_table.py), and the record of every migration as applied, so that a
    copy of the test database (a backup, a server process) is a database as ``migrate`` leaves it."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder
    from django.test import override_settings

    from bianmin.settings.base import CACHE_TABLE

    call_command("createcachetable", CACHE_TABLE, verbosity=0)
    with override_settings(MIGRATION_MODULES={}):
        migrations = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    recorder.migration_qs.bulk_create([recorder.Migration(app=app, name=name) for app, name in sorted(migrations)])


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


@pytest.fixture
def english():
    """The test runs in English: messages are asserted by their msgids (``pytestmark = pytest.mark.usefixtures(
    "english")`` for a whole module); the Simplified Chinese of the same messages is checked where it matters."""
    from django.utils import translation

    with translation.override("en"):
        yield


_checkpoint_dirs = iter(range(1, 10**9))


@pytest.fixture(autouse=True)
def _audit_checkpoint_dir(tmp_path_factory):
    """Every test appends the audit chain's checkpoints to its own directory: a checkpoint of another test's chain
    would not match this test's events. Created only when a checkpoint is written."""
    from django.test import override_settings

    directory = tmp_path_factory.getbasetemp() / f"audit-checkpoints-{next(_checkpoint_dirs)}"
    with override_settings(AUDIT_CHECKPOINT_DIR=directory):
        yield directory


# --- The demo county -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker):
    """What ``load_demo()`` and ``load_demo(with_catalog=False)`` write to the freshly set up test database, each
    loaded once through the services (and rolled back) and replayed by the fixtures below."""
    from django.db import connection

    from bianmin.core.testing import DemoRows
    from bianmin.demo.loader import load_demo

    with django_db_blocker.unblock():
        assert not connection.in_atomic_block, "the demo is taken on the database as django_db_setup leaves it"
        return {
            "county": DemoRows(load_demo),
            "organisation": DemoRows(lambda: load_demo(with_catalog=False)),
        }


@pytest.fixture(scope="module")
def _county_module(demo_rows, django_db_blocker):
    """The demo county (75 items), written once per test module inside a transaction rolled back at its end."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        demo_rows["county"].replay()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def county(_county_module, db):
    """The demo county; each test runs in its own savepoint inside the module's transaction and is rolled back."""


@pytest.fixture
def county_organisation(demo_rows, db):
    """The demo county's sites, departments, windows, staff, roles and delegations, without the catalogue."""
    demo_rows["organisation"].replay()


@pytest.fixture
def committed_county(demo_rows, transactional_db):
    """The demo county committed, for a live server or another process; every table is emptied after the test.
    (Not in a module that also uses ``county``: its module-wide transaction would hold this one.)"""
    from django.db import connection

    assert not connection.in_atomic_block, "committed_county runs inside another fixture's transaction"
    demo_rows["county"].replay()


@pytest.fixture
def committed_demo_cases(committed_county):
    """The demo county with its demo cases, committed for a live server or another process."""
    from bianmin.demo.cases import load_demo_cases

    load_demo_cases()


@pytest.fixture
def fast_live_server(live_server, monkeypatch):
    """The live server, answering without Nagle's delay: its handler writes the headers and the body apart, and
    each small write otherwise waits ~40 ms for the client's delayed ACK (90 ms a request instead of a few)."""
    from django.core.servers.basehttp import WSGIRequestHandler

    monkeypatch.setattr(WSGIRequestHandler, "disable_nagle_algorithm", True)
    return live_server
