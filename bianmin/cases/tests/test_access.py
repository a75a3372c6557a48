"""The cases' access keys and clock columns (cases/access.py, cases/clock.py): kept by every service exactly as a
rebuild from scratch computes them, the keys each kind of user reads, the clock columns after a threshold or a
calendar change, and the lists' pages read from the keys' index.

Demo county (bianmin/demo/county.py): YX is the county centre (root), BS 白沙镇 with its village room BS01,
FT 浮屠镇. SJ-0004 (食品经营许可) is a county item promising 5 working days; MZ-0001 is received at town halls.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from bianmin.cases import services
from bianmin.cases.access import (
    EVERYTHING,
    cases_index_rebuild,
    department_key,
    open_steps_count,
    open_steps_fill,
    review_key,
    scope_keys,
    site_key,
    subtree_key,
)
from bianmin.cases.clock import clock
from bianmin.cases.models import UNKNOWN_YELLOW, Case, CaseAccess, CaseClockCount, CaseCount, ReviewTask, Status
from bianmin.cases.selectors import case_access_for, cases_visible_to
from bianmin.core.models import CalendarDay
from bianmin.core.testing import OTHER_ID_NUMBER, at, intake, user
from bianmin.core.workdays.changes import calendar_day_update
from bianmin.org import services as org
from bianmin.org.models import Department, Role, Site
from bianmin.org.selectors import user_scope
from bianmin.supervision.services.thresholds import yellow_threshold_delete, yellow_threshold_set

pytestmark = pytest.mark.django_db

D = datetime.date


def site(code: str) -> Site:
    return Site.objects.get(code=code)


def department(code: str) -> Department:
    return Department.objects.get(code=code)


def snapshot() -> tuple[list, list, list, list]:
    """Every access row, every case's clock columns, every non-zero count and every clock count (none is zero), in
    a stable order."""
    rows = list(
        CaseAccess.objects.order_by("case_id", "key").values_list(
            "case_id",
            "key",
            "is_current",
            "status",
            "is_work",
            "sort_due",
            "received_at",
            "yellow_ordinal",
            "open_steps",
            "result_stage",
        )
    )
    clocks = list(Case.objects.order_by("pk").values_list("pk", "clock_due", "clock_due_ordinal", "yellow_ordinal"))
    counts = list(
        CaseCount.objects.exclude(cases=0)
        .order_by("key", "status", "is_current", "open_steps", "result_stage")
        .values_list("key", "status", "is_current", "open_steps", "result_stage", "cases")
    )
    clock_counts = list(
        CaseClockCount.objects.order_by("key", "is_current", "sort_due", "yellow_ordinal").values_list(
            "key", "is_current", "sort_due", "yellow_ordinal", "cases"
        )
    )
    return rows, clocks, counts, clock_counts


def a_county_of_cases() -> dict[str, Case]:
    """Cases in every state the keys and clocks distinguish, made through the services."""
    clerk, agent = user("county_clerk"), user("baishacun_agent")
    cases = {
        "received": services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 9, 28)),
        "accepted": services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 9, 28)),
        "town": services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=at(2026, 9, 28)),
        "relayed": services.case_submit(
            actor=agent,
            intake=intake(
                "MZ-0001", "BS", channel="agency", relay="BS01", authorisation="委托书", id_number=OTHER_ID_NUMBER
            ),
            now=at(2026, 9, 28),
        ),
        "withdrawn": services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 9, 28)),
    }
    services.case_accept(actor=clerk, case=cases["accepted"], now=at(2026, 9, 28))
    services.case_accept(actor=user("baisha_clerk"), case=cases["town"], now=at(2026, 9, 29))
    services.case_withdraw(actor=clerk, case=cases["withdrawn"], reason="申请人撤回", now=at(2026, 9, 29))
    return cases


def test_the_services_keep_exactly_what_a_rebuild_computes(county):
    a_county_of_cases()
    kept = snapshot()

    cases_index_rebuild(batch=2)

    assert snapshot() == kept
    assert len(kept[0]) > 0
    # Five cases, one withdrawn; three of them at the county centre, one received there and not yet accepted.
    assert CaseCount.objects.get(key=EVERYTHING, status=Status.WITHDRAWN, is_current=True).cases == 1
    assert CaseCount.objects.filter(key=EVERYTHING).aggregate(total=Sum("cases"))["total"] == 5
    assert CaseCount.objects.get(key=site_key(site("YX").pk), status=Status.RECEIVED, is_current=True).cases == 1
    # The four running clocks by deadline, all with a known first yellow day: the two received on 09-28 (accept by
    # the fifth working day, the make-up Saturday 10-10 after the National Day holiday) and the one accepted at the
    # county that day (SJ-0004 promises 5 working days), and the town's MZ-0001 accepted on 09-29.
    assert clock_counts(EVERYTHING) == {(D(2026, 10, 10), True): 3, (D(2026, 11, 2), True): 1}
    assert clock_counts(subtree_key(site("BS").pk)) == {(D(2026, 10, 10), True): 1, (D(2026, 11, 2), True): 1}


def clock_counts(key: int) -> dict[tuple[datetime.date, bool], int]:
    """The clock counts of a key: cases per (running deadline, "a first yellow day is known")."""
    totals: dict[tuple[datetime.date, bool], int] = {}
    for sort_due, yellow, cases in CaseClockCount.objects.filter(key=key).values_list(
        "sort_due", "yellow_ordinal", "cases"
    ):
        totals[sort_due, yellow != UNKNOWN_YELLOW] = totals.get((sort_due, yellow != UNKNOWN_YELLOW), 0) + cases
    return totals


def test_a_departments_open_review_steps_are_on_its_row_and_counted_per_role(county):
    """``open_steps``: 1 a chief representative's step of the department is open, 2 a head's (cases/access.py)."""
    clerk = user("county_clerk")
    sj, zr = department_key(department("SJ").pk), department_key(department("ZR").pk)
    food = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    # FG-0003 (joint): the co-department ZR reviews it, by its head.
    joint = services.case_submit(actor=clerk, intake=intake("FG-0003", "YX"), now=at(2026, 3, 2))

    def open_steps(case: Case) -> dict[int, int]:
        return dict(CaseAccess.objects.filter(case=case).exclude(open_steps=0).values_list("key", "open_steps"))

    def counted() -> tuple[int, int, int, int]:
        chief, head = {Role.CHIEF_REPRESENTATIVE}, {Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD}
        return (
            open_steps_count(sj, chief),
            open_steps_count(sj, head),
            open_steps_count(zr, chief),
            open_steps_count(zr, head),
        )

    assert open_steps(food) == open_steps(joint) == {}
    assert counted() == (0, 0, 0, 0)

    services.case_accept(actor=clerk, case=food, now=at(2026, 3, 2))
    services.case_accept(actor=clerk, case=joint, now=at(2026, 3, 3))
    assert open_steps(food) == {sj: 1}  # 材料审查, the chief representative's
    assert open_steps(joint)[zr] == 2
    assert CaseCount.objects.get(key=zr, status=Status.ACCEPTED, is_current=False, open_steps=2).cases == 1
    assert counted() == (1, 1, 0, 1)

    # The next step is the chief representative's again; a suspension stops "steps for me" (accepted cases only).
    step = food.tasks.get(state=ReviewTask.State.OPEN)
    services.case_complete_task(actor=user("market_chief"), task=step, outcome="agree", now=at(2026, 3, 3))
    assert open_steps(food) == {sj: 1}
    services.case_suspend(
        actor=clerk, case=food, kind="inspection", reason="现场核查", expected_days=3, now=at(2026, 3, 4)
    )
    services.case_withdraw(actor=clerk, case=joint, reason="申请人撤回", now=at(2026, 3, 4))
    assert open_steps(joint) == {}
    assert counted() == (0, 0, 0, 0)
    kept = snapshot()

    cases_index_rebuild()

    assert snapshot() == kept


def test_the_migration_fills_the_open_steps_of_rows_made_before_them(county):
    food = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    services.case_accept(actor=user("county_clerk"), case=food, now=at(2026, 3, 2))
    a_county_of_cases()
    kept = snapshot()
    CaseAccess.objects.update(open_steps=0)
    CaseCount.objects.all().delete()

    open_steps_fill()

    assert snapshot() == kept
    assert CaseAccess.objects.filter(case=food, open_steps=1).count() == 1


def test_each_case_answers_to_its_sites_their_subtrees_its_department_and_everything(county):
    cases = a_county_of_cases()
    county_case, town_case, relayed = cases["accepted"], cases["town"], cases["relayed"]

    def keys(case: Case) -> dict[int, bool]:
        return dict(CaseAccess.objects.filter(case=case).values_list("key", "is_current"))

    sj = department("SJ").pk
    assert keys(county_case) == {site_key(site("YX").pk): True, department_key(sj): True, EVERYTHING: True}
    mz = town_case.department_id
    # MZ-0001's town review (镇级审核, a department head's step held at the town) makes it the town reviewer's too.
    assert keys(town_case) == {
        site_key(site("BS").pk): True,
        subtree_key(site("BS").pk): True,
        department_key(mz): True,
        review_key(site("BS").pk): True,
        EVERYTHING: True,
    }
    # Relayed by the village room, handled at the town: the room's keys are not where it is handled now.
    assert relayed.relay_site == site("BS01") and relayed.current_site == site("BS")
    assert keys(relayed) == {
        site_key(site("BS").pk): True,
        site_key(site("BS01").pk): False,
        subtree_key(site("BS").pk): True,
        subtree_key(site("BS01").pk): False,
        department_key(mz): True,
        EVERYTHING: True,
    }


def test_a_users_scope_is_one_key(county):
    assert scope_keys(user_scope(user("baisha_clerk"))) == [subtree_key(site("BS").pk)]
    assert scope_keys(user_scope(user("county_clerk"))) == [site_key(site("YX").pk)]
    assert scope_keys(user_scope(user("baishacun_agent"))) == [subtree_key(site("BS01").pk)]
    assert scope_keys(user_scope(user("supervisor"))) == [EVERYTHING]
    assert scope_keys(user_scope(user("market_head"))) == [department_key(department("SJ").pk)]
    # The chief representative of a window at the county centre: the department's work, not the site's.
    assert scope_keys(user_scope(user("market_chief"))) == [department_key(department("SJ").pk)]


def test_a_chief_representative_sees_exactly_what_the_head_of_the_department_sees(county):
    cases = a_county_of_cases()
    other = services.case_submit(actor=user("county_clerk"), intake=intake("ZR-0003", "YX"), now=at(2026, 9, 28))

    chief = set(cases_visible_to(user("market_chief")).values_list("pk", flat=True))
    head = set(cases_visible_to(user("market_head")).values_list("pk", flat=True))

    assert chief == head == {cases["received"].pk, cases["accepted"].pk, cases["withdrawn"].pk}
    assert other.pk not in chief
    assert other.pk in set(cases_visible_to(user("county_clerk")).values_list("pk", flat=True))


def test_a_move_to_the_county_changes_the_keys_in_the_same_transaction(county):
    """Withdrawn: no longer work; the rows follow the status at once."""
    cases = a_county_of_cases()

    rows = CaseAccess.objects.filter(case=cases["withdrawn"])

    assert set(rows.values_list("status", "is_work", "sort_due")) == {(Status.WITHDRAWN, False, D(9999, 12, 31))}


def test_a_threshold_change_recolours_the_running_cases_it_applies_to(county):
    case = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 9, 28))
    services.case_accept(actor=user("county_clerk"), case=case, now=at(2026, 10, 9))
    # Accepted on Friday 10-09, 5 working days: 10-10 (a make-up Saturday), 10-12, 13, 14, 15. On Monday 10-12
    # two of five are used (40 %), three are left: green under the default (1 day left, 80 % used).
    assert clock(case, D(2026, 10, 12)) == {"colour": "green", "days_left": 3}

    threshold = yellow_threshold_set(actor=user("supervisor"), item=case.item, days_left=None, share_used_percent=40)
    assert clock(case, D(2026, 10, 12)) == {"colour": "yellow", "days_left": 3}
    assert clock(case, D(2026, 10, 9)) == {"colour": "green", "days_left": 5}
    assert CaseAccess.objects.filter(case=case, yellow_ordinal=case_yellow_ordinal(case)).count() == 3
    assert CaseClockCount.objects.get(key=EVERYTHING).yellow_ordinal == case_yellow_ordinal(case)
    kept = snapshot()
    cases_index_rebuild()
    assert snapshot() == kept

    yellow_threshold_delete(actor=user("supervisor"), threshold=threshold)
    assert clock(case, D(2026, 10, 12)) == {"colour": "green", "days_left": 3}
    assert clock(case, D(2026, 10, 14)) == {"colour": "yellow", "days_left": 1}


def test_a_calendar_change_moves_the_running_clocks_and_their_counts(county, django_capture_on_commit_callbacks):
    a_county_of_cases()
    holiday = CalendarDay.objects.get(date=D(2026, 10, 20))

    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_update(day=holiday, is_workday=False, name="测试", actor=None)

    # Tuesday 10-20 is a holiday now: the town's case, due on 11-02, is due a working day later; what is due
    # before that day stays.
    assert clock_counts(EVERYTHING) == {(D(2026, 10, 10), True): 3, (D(2026, 11, 3), True): 1}
    assert CaseClockCount.objects.filter(cases=0).count() == 0
    kept = snapshot()
    cases_index_rebuild()
    assert snapshot() == kept


def case_yellow_ordinal(case: Case) -> int:
    return Case.objects.values_list("yellow_ordinal", flat=True).get(pk=case.pk)


def test_the_town_clerks_list_reads_only_the_keys_index(county):
    """The API list and the queue read their page's ids from the access rows of the user's one key."""
    a_county_of_cases()
    clerk = user("baisha_clerk")

    with CaptureQueriesContext(connection) as queries:
        ids = list(case_access_for(clerk).order_by("-received_at", "-case_id").values_list("case_id", flat=True)[:25])

    assert len(ids) == 2
    (sql,) = [query["sql"] for query in queries.captured_queries if "cases_caseaccess" in query["sql"]]
    assert "org_site" not in sql and '"cases_case"' not in sql
    assert f'"key" = {subtree_key(site("BS").pk)}' in sql


def test_a_town_moved_under_another_site_takes_its_cases_keys_along(county):
    cases = a_county_of_cases()
    town = site("BS")
    branch = Site.objects.filter(kind=Site.Kind.BRANCH).order_by("code").first()

    town.parent = branch
    org.site_save(site=town, actor=None)

    keys = set(CaseAccess.objects.filter(case=cases["relayed"]).values_list("key", flat=True))
    assert subtree_key(branch.pk) in keys
    kept = snapshot()
    cases_index_rebuild()
    assert snapshot() == kept
