"""``joins_as_written``: PostgreSQL's join order search is off inside the block and as it was after it."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from bianmin.accounts.models import User
from bianmin.core.queries import joins_as_written

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
