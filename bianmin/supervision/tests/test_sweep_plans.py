"""The sweep's event rules read their partial indexes, not every case, and the Beijing-date expressions they use.

A partial index serves a query only when the query's WHERE repeats the index's terms (cases/models.py): these
tests catch a rule and its index drifting apart. The plans are SQLite's (the benchmark's database); the
expressions are checked on both databases.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from bianmin.cases import services
from bianmin.cases.models import Case
from bianmin.core.dates import SHANGHAI, BeijingDate, EndOfBeijingDay
from bianmin.core.testing import accepted, at, intake, user
from bianmin.supervision.rules import RULES, SweepContext
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
