"""Statements as the databases' planners need them: joins PostgreSQL takes in the order Django writes them, IN lists
SQLite can match with a partial index's condition, and statements PostgreSQL plans once per connection."""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.db.models import Field, Lookup

_CONSTANT = re.compile(r"[A-Za-z0-9_]+")


class InConstants(Lookup):
    """``field__in_constants=(...)``: ``IN`` with the values written into the statement as SQL constants, in the order
    given, instead of bound parameters.

    SQLite (3.40) serves a query from a partial index whose condition is an IN list (``status IN ('received', …)``)
    only when the query's own IN list is the same constants: bound parameters are never compared with them, so
    ``status__in`` reads another index (intake's duplicate check read every case of the item: 12 ms at 10^6 cases).
    The values must be the code's constants (the same tuple the index's condition names, in its order): strings of
    letters, digits and underscores, or integers; anything else is refused, so no outside text reaches the SQL.
    PostgreSQL plans the same either way."""

    lookup_name = "in_constants"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = [_constant(value) for value in self.rhs]
        if not values:
            raise ValueError("in_constants needs at least one value")
        return f"{lhs} IN ({', '.join(values)})", params


def _constant(value) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"in_constants takes strings and integers, not {type(value).__name__}")
    if isinstance(value, int):
        return str(int(value))
    if not _CONSTANT.fullmatch(value):
        raise ValueError(f"in_constants takes constants of letters, digits and underscores, not {value!r}")
    return f"'{value}'"


Field.register_lookup(InConstants)


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


# --- Planned once -------------------------------------------------------------------------------------------------

# On a database connection (Django's wrapper): the names of the statements prepared on its current session.
_PREPARED = "bianmin_prepared_statements"


def execute_prepared(cursor, sql: str, params: Sequence) -> int:
    """Run ``sql`` (``%s`` placeholders, no ``%`` otherwise) with ``params``; returns the rows it changed.

    On PostgreSQL through a statement prepared once per session (``PREPARE``, then ``EXECUTE`` with the values):
    the statements every move of a case runs to keep its access rows and counters are a union of a dozen small
    reads whose planning took 3–10 ms each against well under a millisecond to run; prepared, PostgreSQL plans
    them for the first executions and then keeps a generic plan. Only for statements of a fixed text (the name is
    the text's digest): one per kind, not one per value. Not when connections are not kept (``DB_CONN_MAX_AGE=0``,
    as behind a pooler in transaction mode, whose server sessions change under the client and know only the
    protocol's prepared statements, not ``PREPARE``): a statement would be planned as often either way. SQLite runs
    ``sql`` as it is."""
    pieces = sql.split("%s")
    if len(pieces) - 1 != len(params) or "%" in "".join(pieces):
        raise ValueError("a prepared statement takes %s placeholders, one per parameter, and no other %")
    database = cursor.db
    if database.vendor != "postgresql" or not database.settings_dict.get("CONN_MAX_AGE"):
        cursor.execute(sql, params)
        return cursor.rowcount
    name = "bianmin_" + hashlib.sha256(sql.encode()).hexdigest()[:16]
    prepared = database.__dict__.setdefault(_PREPARED, set())
    if name not in prepared:
        numbered = pieces[0] + "".join(f"${number}{piece}" for number, piece in enumerate(pieces[1:], start=1))
        cursor.execute(f"PREPARE {name} AS {numbered}")
        prepared.add(name)
    if params:
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")
    return cursor.rowcount


def _forget_prepared(sender, connection, **kwargs) -> None:
    """A new session has no prepared statements."""
    connection.__dict__.pop(_PREPARED, None)


connection_created.connect(_forget_prepared)


def sqlite_statistics_complete(using: str = "default") -> list[str]:
    """On an SQLite database with statistics (``ANALYZE`` ran: a production database, the benchmark's dataset), analyse
    the indexes a migration made since, of the tables the statistics cover; returns their names.

    A table whose indexes are analysed but for one is planned from a mix of figures and guesses: after the index
    ``case_access_result_idx`` was added, the county clerk's count of review steps read the 43,000 accepted cases of
    their key through another index instead of probing the few open steps (0.4 → 72 ms at 10^6 cases), until the
    table was analysed again. Runs after every ``migrate`` (core.apps); a database never analysed is left so."""
    from django.db import connections

    database = connections[using]
    if database.vendor != "sqlite":
        return []  # PostgreSQL's planner reads the columns' statistics, which autovacuum keeps
    with database.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return []
        cursor.execute(
            """SELECT i.name FROM sqlite_master i
            WHERE i.type = 'index' AND i.name NOT LIKE 'sqlite_autoindex_%'
              AND i.tbl_name IN (SELECT s.tbl FROM sqlite_stat1 s)
              AND i.name NOT IN (SELECT s.idx FROM sqlite_stat1 s WHERE s.idx IS NOT NULL)
            ORDER BY i.name"""
        )
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            cursor.execute(f"ANALYZE {database.ops.quote_name(name)}")
    return names
