"""The shared cache of a deployment without Redis: Django's database cache, with a counter that holds.

Throttles and phone codes count with ``cache.add(key, 0, seconds)`` then ``cache.incr(key)``. Django's
DatabaseCache inherits ``incr`` from BaseCache, which reads the value and writes it back with the *default*
timeout: two processes counting at once lose a count (five parallel guesses of a phone code could all pass
the limit of five), and every count moves the expiry to five minutes from now (an hour's limit would end
five minutes after the last request). LocMemCache and Redis do neither, and the code relies on that.
``incr`` here locks the row, adds, and keeps the expiry.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
    """django.core.cache.backends.db.DatabaseCache with an atomic ``incr`` that keeps the entry's expiry."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)
        cache_key, value_column, expires = quote_name("cache_key"), quote_name("value"), quote_name("expires")
        # PostgreSQL: the row lock makes a second counter wait for the first one's commit. SQLite has no row
        # locks; its transactions here begin IMMEDIATE (settings.base), which takes the write lock up front.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {value_column} FROM {table} WHERE {cache_key} = %s AND {expires} > %s{lock}", [key, now]
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode())) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {value_column} = %s WHERE {cache_key} = %s", [encoded, key])
        return value


def count_within(key: str, seconds: int) -> int:
    """Count one more event under ``key`` in the shared cache for ``seconds`` from the first; returns the count."""
    from django.core.cache import cache

    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1
