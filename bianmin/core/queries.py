"""Statements whose joins PostgreSQL takes in the order Django writes them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def joins_as_written() -> Iterator[None]:
    """Inside the block, PostgreSQL joins the tables of each statement in the order the statement names them
    (``join_collapse_limit = 1``) instead of searching every order; the setting is back as it was after the block,
    inside an outer transaction too (and undone with the block's savepoint when the block raises).

    For statements that read rows by their key with their reference rows joined (``select_related``): the order
    Django writes — the row, then each relation by its primary key — is the best one, and the search costs more
    than the statement (a case with seven relations: 7–11 ms to plan, 0.5 ms to run; docs/PERFORMANCE.md). Never
    around a statement that filters on a joined table, whose best order starts from that table. SQLite does not
    search join orders this way: nothing is changed there.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit TO DEFAULT")
