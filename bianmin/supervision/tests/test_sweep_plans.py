"""The sweep's event rules read their partial indexes, not every case, and the Beijing-date expressions they use.

A partial index serves a query only when the query's WHERE repeats the index's terms (cases/models.py): these
tests catch a rule and its index drifting apart. The plans are SQLite's (the benchmark's database); the
expressions are checked on both databases.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from bianmin.cases import services
from bianmin.cases.models import Case
from bianmin.core.dates import SHANGHAI, BeijingDate, EndOfBeijingDay
from bianmin.core.testing import accepted, at, intake, sqlite_plan, user
from bianmin.supervision.models import Alert
from bianmin.supervision.rules import RULES, SweepContext
from bianmin.supervision.selectors.alerts import AlertFilters, alerts_filtered
from bianmin.supervision.sweep import _insert_sql
from bianmin.supervision.unheld_steps import group_firsts

pytestmark = pytest.mark.django_db

# Each event rule over cases, and the partial index its full (daily) sweep reads.
EVENT_RULE_INDEXES = {
    "fee_off_standard": "case_fee_collected_idx",
    "decision_without_acceptance": "case_decided_unaccepted_idx",
    "late_acceptance": "case_late_acceptance_idx",
    "forwarded_late": "case_forwarded_idx",
    "duplicate_override": "case_duplicate_override_idx",
}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
@pytest.mark.parametrize("code", sorted(EVENT_RULE_INDEXES))
def test_the_daily_sweep_reads_each_event_rule_from_its_partial_index(county, code):
    now = at(2026, 3, 5)
    ctx = SweepContext(now=now, today=now.astimezone(SHANGHAI).date())
    sql, params = _insert_sql(RULES[code], ctx, "automatic", RULES[code].default_level)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql.split(") ", 1)[1], params)
        plan = [row[-1] for row in cursor.fetchall()]

    case_reads = [step for step in plan if " cases_case " in f"{step} "]
    assert case_reads
    assert case_reads[0] == f"SCAN cases_case USING INDEX {EVENT_RULE_INDEXES[code]}", plan
    assert not any(step == "SCAN cases_case" for step in plan), plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_the_unheld_step_rule_reads_the_open_steps_groups_from_their_index(county):
    for item, site in (("SJ-0004", "YX"), ("CZ-0002", "BS"), ("SJ-0004", "YX")):
        accepted(item, site)
    sql, params = group_firsts().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as production's databases are (the plan must hold with statistics)
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = [row[-1] for row in cursor.fetchall()]
    assert len(plan) == 1 and plan[0].startswith("SCAN cases_reviewtask USING") and "task_open_group_idx" in plan[0], (
        plan
    )


# A county after some years, as SQLite's statistics (sqlite_stat1: rows, then rows per value of the leading
# columns): 200,000 alerts of which 5,000 await action; 3,334 complaints of which 300 have a running clock.
COUNTY_STATISTICS = [
    ("supervision_alert", None, "200000"),
    ("supervision_alert", "alert_state_rule_idx", "200000 50000 2000"),
    ("supervision_alert", "alert_raised_at_idx", "200000 1 1"),
    ("supervision_alert", "alert_live_raised_idx", "5000 1 1"),
    ("complaints_complaint", None, "3334"),
    ("complaints_complaint", "complaint_state_idx", "3334 417"),
    ("complaints_complaint", "complaint_running_due_idx", "300 3 1"),
]


@contextmanager
def county_statistics() -> Iterator[None]:
    """The planner reads COUNTY_STATISTICS (``ANALYZE sqlite_schema`` reloads them), and forgets them after."""
    tables = sorted({row[0] for row in COUNTY_STATISTICS})
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(f"DELETE FROM sqlite_stat1 WHERE tbl IN ({marks})", tables)
        cursor.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", COUNTY_STATISTICS)
        cursor.execute("ANALYZE sqlite_schema")
        try:
            yield
        finally:
            cursor.execute(f"DELETE FROM sqlite_stat1 WHERE tbl IN ({marks})", tables)
            cursor.execute("ANALYZE sqlite_schema")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_the_late_complaints_and_the_live_alerts_are_read_from_their_partial_indexes(county):
    """Both indexes' conditions are IN lists, which SQLite matches only with the same constants (``in_constants``,
    core/queries.py): with bound parameters the rule read every complaint, and the feed's default page every
    alert, the closed ones of past years included."""
    now = at(2026, 3, 5)
    ctx = SweepContext(now=now, today=now.astimezone(SHANGHAI).date())

    with county_statistics():
        complaints = sqlite_plan(lambda: list(RULES["complaint_overdue"].causes(ctx)), analyse=False)
        live = sqlite_plan(
            lambda: list(
                alerts_filtered(Alert.objects.all(), AlertFilters(state="live")).order_by("-raised_at", "-id")[:25]
            ),
            analyse=False,
        )

    assert complaints[0] == "SEARCH complaints_complaint USING INDEX complaint_running_due_idx (due<?)", complaints
    assert live == ["SCAN supervision_alert USING INDEX alert_live_raised_idx"], live


def test_beijing_dates_in_sql_turn_at_midnight_in_beijing(county):
    clerk = user("county_clerk")
    case = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    due = datetime.date(2026, 3, 6)
    cases = Case.objects.filter(pk=case.pk)
    last_moment = datetime.datetime(2026, 3, 6, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    midnight = datetime.datetime(2026, 3, 7, 0, 0, tzinfo=SHANGHAI)

    cases.update(acceptance_due=due, accepted_at=last_moment)
    assert cases.annotate(on=BeijingDate("accepted_at")).values_list("on", flat=True).get() == due
    assert not cases.filter(accepted_at__gte=EndOfBeijingDay("acceptance_due")).exists()

    cases.update(accepted_at=midnight)
    next_day = due + datetime.timedelta(days=1)
    assert cases.annotate(on=BeijingDate("accepted_at")).values_list("on", flat=True).get() == next_day
    assert cases.filter(accepted_at__gte=EndOfBeijingDay("acceptance_due")).exists()
