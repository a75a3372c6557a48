"""Gap-free numbering: tracking numbers per site and day, notice, certificate, receipt and order numbers per year."""

from django.db import connection

from bianmin.core.models import Counter


def counter_next(key: str) -> int:
    """The next value of a gap-free counter, in one statement that creates the row or adds one to it and returns
    the value. The row stays locked to the end of the caller's transaction: a concurrent move waits for it, and a
    move rolled back gives its number back (no gap)."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("key", "value") VALUES (%s, 1) '
            f'ON CONFLICT ("key") DO UPDATE SET "value" = {table}."value" + 1 RETURNING "value"',
            [key],
        )
        return cursor.fetchone()[0]
