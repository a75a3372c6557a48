"""``joins_as_written``: PostgreSQL's join order search is off inside the block and as it was after it.
``in_constants``: an IN list written as constants (what SQLite needs to match a partial index), only of constants.
``execute_prepared``: prepared once per PostgreSQL session, run with each call's values."""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction
from django.db.backends.signals import connection_created

from bianmin.accounts.models import User
from bianmin.cases.models import OPEN_STATUSES, Case, Status
from bianmin.core.queries import execute_prepared, joins_as_written
from bianmin.core.testing import received

pytestmark = pytest.mark.django_db


def _limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_the_order_is_kept_inside_and_the_setting_restored_after_even_inside_a_transaction():
    before = _limit()

    with transaction.atomic():
        with joins_as_written():
            inside = _limit()
        after = _limit()

    assert (before, inside, after) == ("8", "1", "8")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_every_connection_runs_without_jit_compilation():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_a_block_that_raises_leaves_the_setting_as_it_was():
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), joins_as_written():
            1 / 0  # noqa: B018
        after = _limit()

    assert after == "8"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite")
def test_on_sqlite_the_block_adds_no_statement(django_assert_num_queries):
    with django_assert_num_queries(1), joins_as_written():
        assert list(User.objects.filter(username="nobody")) == []


def test_in_constants_writes_the_values_into_the_statement_and_selects_as_in(county):
    case = received()
    cases = Case.objects.filter(status__in_constants=OPEN_STATUSES)
    sql, params = cases.query.sql_with_params()

    assert "IN ('received', 'supplement_requested', 'accepted', 'suspended')" in sql
    assert params == ()
    assert 'NOT ("cases_case"."status" IN (\'draft\', 7))' in str(
        cases.exclude(status__in_constants=[Status.DRAFT, 7]).query
    )
    assert list(cases.values_list("pk", flat=True)) == [case.pk]
    assert not Case.objects.filter(status__in_constants=[Status.DRAFT, Status.ACCEPTED]).exists()


@pytest.mark.parametrize(
    ("values", "error"),
    [
        (["open' OR 1=1 --"], ValueError),
        (["开放"], ValueError),
        ([None], TypeError),
        ([True], TypeError),
        ([], ValueError),
    ],
)
def test_in_constants_refuses_anything_but_constants(values, error):
    with pytest.raises(error):
        list(Case.objects.filter(status__in_constants=values))


COUNT_NAMED = "SELECT COUNT(*) FROM accounts_user WHERE username = %s AND id > %s"


def _prepared_here() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements WHERE name LIKE 'bianmin_%%'")
        return cursor.fetchone()[0]


def test_a_prepared_statement_runs_with_each_calls_values():
    User.objects.create_user(username="lisi", password="x" * 12)
    answers = []
    with connection.cursor() as cursor:
        for name in ("lisi", "nobody", "lisi"):
            execute_prepared(cursor, COUNT_NAMED, [name, 0])
            answers.append(cursor.fetchone()[0])

    assert answers == [1, 0, 1]
    with pytest.raises(ValueError), connection.cursor() as cursor:
        execute_prepared(cursor, "SELECT 1 WHERE 'a' LIKE 'a%%' AND 1 = %s", [1])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_statement_is_prepared_once_per_session_and_again_in_a_new_one():
    def new_session() -> None:
        # What a new session has (none prepared), and the signal Django sends when it connects.
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        connection_created.send(sender=type(connections["default"]), connection=connections["default"])

    new_session()
    with connection.cursor() as cursor:
        execute_prepared(cursor, COUNT_NAMED, ["lisi", 0])
        execute_prepared(cursor, COUNT_NAMED, ["wangwu", 1])
    assert _prepared_here() == 1

    new_session()
    assert _prepared_here() == 0
    with connection.cursor() as cursor:
        execute_prepared(cursor, COUNT_NAMED, ["lisi", 0])
    assert _prepared_here() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_nothing_is_prepared_when_connections_are_not_kept(monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection_created.send(sender=type(connections["default"]), connection=connections["default"])
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", 0)

    with connection.cursor() as cursor:
        execute_prepared(cursor, COUNT_NAMED, ["lisi", 0])
        answer = cursor.fetchone()[0]

    assert (answer, _prepared_here()) == (0, 0)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics (PostgreSQL's are autovacuum's)")
def test_after_migrate_the_new_indexes_of_an_analysed_database_are_analysed_and_a_new_database_is_left_so(county):
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from bianmin.core.queries import sqlite_statistics_complete

    def migrated() -> None:
        config = apps.get_app_config("core")
        post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default", apps=apps)

    def figures(index: str) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = %s", [index])
            return [stat for (stat,) in cursor.fetchall()]

    received(now=None)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    # A database never analysed (a new one, the tests') stays without statistics
    assert sqlite_statistics_complete() == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() == (0,)
        # Given an analysed database, then an index made by a migration after that
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE idx = 'case_access_result_idx'")
    assert figures("case_access_result_idx") == []

    # When migrate ends, the index has its figures (rows, then rows per key, per key and stage, …)
    migrated()

    [stat] = figures("case_access_result_idx")
    assert len(stat.split()) == 6
    # … and it is not analysed again (indexes with no entry have no figures to keep: those are looked at each time)
    assert "case_access_result_idx" not in sqlite_statistics_complete()
