"""The results board reads its page from the partial index that matches its filter, in the index's order (no sort),
at the first page and after a cursor. The plans are SQLite's (the benchmark's database)."""

from __future__ import annotations

import pytest
from django.db import connection

from bianmin.core.testing import at, decided
from bianmin.portal.selectors import results_page, results_queryset

pytestmark = pytest.mark.django_db


def plan(queryset) -> str:
    sql, params = queryset[:21].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " / ".join(row[-1] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
@pytest.mark.parametrize(
    ("filters", "index"),
    [({}, "case_results_idx"), ({"site_id": 1}, "case_results_site_idx"), ({"item_id": 1}, "case_results_item_idx")],
)
def test_the_board_reads_its_index_in_order(county, filters, index):
    first = decided("SJ-0004", "YX", now=at(2026, 3, 9))
    decided("SJ-0004", "YX", now=at(2026, 3, 10))
    cursor = results_page(size=1)[1]
    for after in ("", cursor):
        found = plan(results_queryset(**filters, after=after))
        assert f"USING INDEX {index}" in found, found
        assert "TEMP B-TREE" not in found, found
    assert first.pk
