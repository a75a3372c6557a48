"""The lists of records that grow with the years (alerts, supervision orders, accountability records, ratings,
complaints) read their first page from an index in the list's own order, not by sorting every row in scope: at
10^6 cases the alert feed sorted 40,000 alerts with their joined rows for each page (216 ms; 43 ms with the index,
docs/PERFORMANCE.md). The plans are SQLite's (the benchmark's embedded database); PostgreSQL reads the same
indexes backwards.
"""

from __future__ import annotations

import pytest
from django.db import connection

from bianmin.complaints.selectors import complaints_visible_to
from bianmin.core.testing import user
from bianmin.ratings.selectors import ratings_visible_to
from bianmin.supervision.selectors.alerts import AlertFilters, alerts_filtered, alerts_visible_to
from bianmin.supervision.selectors.orders import (
    accountability_filtered,
    accountability_visible_to,
    orders_visible_to,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans"),
]

LISTS = {
    "alerts": (lambda who: alerts_filtered(alerts_visible_to(who), AlertFilters()), "alert_raised_at_idx"),
    "supervision orders": (orders_visible_to, "order_issued_idx"),
    "accountability records": (
        lambda who: accountability_filtered(accountability_visible_to(who)),
        "accountability_order_idx",
    ),
    "ratings": (lambda who: ratings_visible_to(who).order_by("-rated_at", "-pk"), "rating_at_idx"),
    "complaints": (complaints_visible_to, "complaint_received_idx"),
}


def _plan(queryset) -> list[str]:
    sql, params = queryset[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_the_county_supervisors_first_page_walks_the_order_index(county, name):
    build, index = LISTS[name]

    plan = _plan(build(user("supervisor")))

    assert any(f"USING INDEX {index}" in step for step in plan), plan
    assert not any("TEMP B-TREE FOR ORDER BY" in step for step in plan), plan
