"""Beijing-time dates inside SQL: the one definition the sweep, the statistics and the calendar expressions share.

``TruncDate(..., tzinfo=ZoneInfo("Asia/Shanghai"))`` calls back into Python for every row on SQLite (seconds over a
million cases). Beijing has kept UTC+8 without daylight saving since 1991, so a fixed offset gives the same dates
in the database's own functions.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db.models import DateField, DateTimeField, Func
from django.db.models.functions import TruncDate

SHANGHAI = ZoneInfo("Asia/Shanghai")


class BeijingDate(Func):
    """The Beijing-time date of a datetime column (``BeijingDate("decided_at")``).

    SQLite: ``date(col, '+8 hours')`` on the whole seconds. PostgreSQL: ``col AT TIME ZONE 'Asia/Shanghai'`` cast
    to a date. Other databases: ``TruncDate``. A partial index cannot repeat it (SQLite matches no function call
    in a partial index's WHERE): compare the column with ``EndOfBeijingDay`` there.
    """

    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite's date functions round microseconds to milliseconds, which would move 23:59:59.9995 and later to
        # the next day: the whole seconds are enough for a date.
        template = "date(substr(%(expressions)s, 1, 19), '+8 hours')"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="((%(expressions)s) AT TIME ZONE 'Asia/Shanghai')::date", **extra
        )

    def as_sql(self, compiler, connection, **extra):
        return TruncDate(*self.source_expressions, tzinfo=SHANGHAI).as_sql(compiler, connection)


class EndOfBeijingDay(Func):
    """The moment (a UTC datetime) a date column's Beijing day ends: 16:00 UTC of that date, which is midnight
    starting the next day in Beijing. ``moment >= EndOfBeijingDay(day)`` says "the moment's Beijing date is after
    ``day``" with no function applied to the moment's column, in plain operators a partial index can repeat
    (SQLite matches no function call in a partial index's WHERE; PostgreSQL needs an immutable predicate).
    """

    output_field = DateTimeField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps UTC datetimes as "YYYY-MM-DD HH:MM:SS[.ffffff]" text, which compares in time order.
        return super().as_sql(compiler, connection, template="(%(expressions)s || ' 16:00:00')", **extra)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="((%(expressions)s + TIME '16:00') AT TIME ZONE 'UTC')", **extra
        )
