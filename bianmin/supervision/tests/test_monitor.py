"""The live monitor: colours computed in SQL on constructed cases and dates, counts, filters, scope, the page.

2026 facts used (the seeded calendar): 10-01..02 and 10-05..07 are 国庆 (10-03/04 the weekend), 10-10 (Sat)
is a make-up working day. 食品经营许可 (SJ-0004) promises 5 working days, its first review step 1; accepted on
Monday 09-28 it is due on 10-10 (09-29, 09-30, 10-08, 10-09, 10-10). 药品零售企业经营许可 (SJ-0005) promises 15:
accepted on Monday 03-02 it is due on 03-23. 最低生活保障 (MZ-0001) is received at the town halls.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.cases import services
from bianmin.cases.clock import annotate_clock, clock
from bianmin.cases.models import Case, ReviewTask
from bianmin.catalog.models import ServiceItem
from bianmin.core.models import AuditEvent
from bianmin.core.testing import OTHER_ID_NUMBER, accepted, at, logged_in, received, user
from bianmin.org import services as org
from bianmin.org.models import Department, Role, Site, Window
from bianmin.supervision.selectors.monitor import (
    MonitorFilters,
    annotate_late_steps,
    colour_counts,
    monitor_rows,
    open_cases_monitored_by,
)
from bianmin.supervision.services.thresholds import yellow_threshold_set

D = datetime.date
MONDAY = at(2026, 9, 28)  # cases are received and accepted then unless a test says otherwise


def sql_clock(case: Case, today: datetime.date) -> tuple[str, int | None]:
    row = annotate_clock(Case.objects.filter(pk=case.pk), today).values_list("colour", "days_left").get()
    return row


def set_threshold(*, days_left: int | None = None, share_used_percent: int | None = None, **target) -> None:
    yellow_threshold_set(actor=user("supervisor"), days_left=days_left, share_used_percent=share_used_percent, **target)


# --- Colours ---------------------------------------------------------------------------------------------------------


def test_national_day_uses_up_no_time_and_the_case_turns_yellow_then_red(county):
    case = accepted(now=MONDAY)
    assert (case.accepted_on, case.promised_due) == (D(2026, 9, 28), D(2026, 10, 10))

    expected = {
        D(2026, 9, 28): ("green", 5),
        D(2026, 9, 30): ("green", 3),  # 2 of 5 used: 40 %
        D(2026, 10, 1): ("green", 3),  # 国庆: no working day passes
        D(2026, 10, 4): ("green", 3),
        D(2026, 10, 7): ("green", 3),
        D(2026, 10, 8): ("green", 2),  # 60 %
        D(2026, 10, 9): ("yellow", 1),  # 1 working day left (and 80 %)
        D(2026, 10, 10): ("yellow", 0),  # the make-up Saturday is the last day
        D(2026, 10, 11): ("red", 0),  # Sunday: the deadline day is over, though no working day has passed
        D(2026, 10, 12): ("red", -1),
    }
    for day, (colour, left) in expected.items():
        assert sql_clock(case, day) == (colour, left), day
        assert clock(case, day) == {"colour": colour, "days_left": left}, day


def test_the_acceptance_clock_runs_for_a_received_case(county):
    case = received(now=MONDAY)
    assert case.acceptance_due == D(2026, 10, 10)

    assert sql_clock(case, D(2026, 9, 30)) == ("green", 3)
    assert sql_clock(case, D(2026, 10, 9)) == ("yellow", 1)
    assert sql_clock(case, D(2026, 10, 12)) == ("red", -1)


def test_share_of_the_promised_limit_used_turns_a_long_case_yellow(county):
    case = accepted("SJ-0005", now=at(2026, 3, 2))
    assert case.promised_due == D(2026, 3, 23)

    assert sql_clock(case, D(2026, 3, 17)) == ("green", 4)  # 11 of 15 used: 73 %
    assert sql_clock(case, D(2026, 3, 18)) == ("yellow", 3)  # 12 of 15: 80 %


def test_suspended_and_waiting_for_the_applicant_are_paused_and_a_closed_case_is_done(county):
    suspended = accepted(now=MONDAY)
    services.case_suspend(
        actor=user("county_clerk"),
        case=suspended,
        kind="inspection",
        reason="现场核查",
        expected_days=3,
        now=at(2026, 9, 29),
    )
    waiting = received(now=MONDAY)
    services.case_request_supplement(
        actor=user("county_clerk"), case=waiting, problems=[("食品经营许可申请书", "未提供")], now=at(2026, 9, 29)
    )
    withdrawn = received(now=MONDAY)
    services.case_withdraw(actor=user("county_clerk"), case=withdrawn, reason="申请人撤回", now=at(2026, 9, 29))

    for case, colour in ((suspended, "paused"), (waiting, "paused"), (withdrawn, "done")):
        case.refresh_from_db()
        assert sql_clock(case, D(2026, 10, 12)) == (colour, None)
        assert clock(case, D(2026, 10, 12)) == {"colour": colour, "days_left": None}


def test_item_threshold_beats_department_beats_global(county):
    food = accepted("SJ-0004", now=MONDAY)  # due 10-10
    drugs = accepted("SJ-0005", now=at(2026, 9, 28))  # same department, 15 days
    land = accepted("ZR-0003", now=at(2026, 9, 28))  # another department, 5 days: due 10-10 too
    assert land.promised_due == D(2026, 10, 10)
    day = D(2026, 9, 30)  # 3 working days left for food and land, 40 % used

    set_threshold(share_used_percent=30)  # global: 40 % used is yellow
    assert [sql_clock(c, day)[0] for c in (food, land)] == ["yellow", "yellow"]

    set_threshold(department=Department.objects.get(code="SJ"), days_left=2)  # no share: not applied
    assert [sql_clock(c, day)[0] for c in (food, drugs, land)] == ["green", "green", "yellow"]
    assert sql_clock(food, D(2026, 10, 8)) == ("yellow", 2)

    set_threshold(item=ServiceItem.objects.get(code="SJ-0004"), days_left=0)
    assert sql_clock(food, D(2026, 10, 8)) == ("green", 2)
    assert sql_clock(food, D(2026, 10, 9)) == ("green", 1)
    assert sql_clock(food, D(2026, 10, 10)) == ("yellow", 0)
    assert sql_clock(drugs, D(2026, 10, 8))[0] == "green"  # the department's 2 days: 13 left
    assert sql_clock(land, D(2026, 10, 8))[0] == "yellow"  # the global 30 %


def test_sql_colour_equals_the_python_clock_for_every_case_and_day(county):
    set_threshold(days_left=2, share_used_percent=70)
    set_threshold(item=ServiceItem.objects.get(code="SJ-0005"), share_used_percent=50)
    cases = [
        accepted(now=MONDAY),
        accepted("SJ-0005", now=MONDAY),
        accepted("ZR-0003", now=MONDAY),
        received(now=MONDAY),
        received("SJ-0003", now=MONDAY),
        accepted("MZ-0001", "BS", now=MONDAY),
    ]
    services.case_suspend(
        actor=user("county_clerk"),
        case=cases[1],
        kind="inspection",
        reason="现场核查",
        expected_days=3,
        now=at(2026, 10, 8),
    )
    days = [D(2026, 9, 28) + datetime.timedelta(days=offset) for offset in range(0, 40, 3)]
    seen = set()
    for day in days:
        annotated = annotate_clock(Case.objects.filter(pk__in=[c.pk for c in cases]), day)
        for case in annotated:
            python = clock(case, day)
            assert (case.colour, case.days_left) == (python["colour"], python["days_left"]), (case, day)
            seen.add(case.colour)
    assert seen == {"green", "yellow", "red", "paused"}


def test_late_review_steps_count_even_when_the_case_is_on_time(county):
    case = accepted(now=MONDAY)
    step = case.tasks.get(state=ReviewTask.State.OPEN)
    assert step.due == D(2026, 9, 29)

    def late_on(day):
        return (
            annotate_late_steps(annotate_clock(Case.objects.filter(pk=case.pk), day), day)
            .values_list("colour", "late_steps")
            .get()
        )

    assert late_on(D(2026, 9, 29)) == ("green", 0)
    assert late_on(D(2026, 9, 30)) == ("green", 1)
    services.case_complete_task(actor=user("market_chief"), task=step, outcome="agree", now=at(2026, 9, 30))
    assert late_on(D(2026, 9, 30)) == ("green", 0)  # the next step opened today, due 10-08


# --- Counts, scope, filters ------------------------------------------------------------------------------------------


def constructed_county() -> dict[str, Case]:
    """On 2026-10-12: red, yellow, green, paused, and a received case, at the county and two towns."""
    cases = {
        "red": accepted(now=at(2026, 9, 28)),  # due 10-10: overdue by 1
        "yellow": accepted(now=at(2026, 9, 30)),  # due 10-13 (10-08, 09, 10, 12, 13): 1 left
        "green": accepted("SJ-0005", now=at(2026, 10, 9)),  # 15 days, none used
        "paused": accepted("ZR-0003", now=at(2026, 10, 8)),
        "received": received(now=at(2026, 10, 9)),  # accept by 10-15: 3 left, green
        "baisha": accepted("MZ-0001", "BS", now=at(2026, 10, 9)),  # 20 days: green
        "futu": accepted("MZ-0001", "FT", now=at(2026, 10, 9), id_number=OTHER_ID_NUMBER),  # a namesake
        "closed": received(now=at(2026, 10, 9)),
    }
    services.case_suspend(
        actor=user("county_clerk"),
        case=cases["paused"],
        kind="inspection",
        reason="现场核查",
        expected_days=3,
        now=at(2026, 10, 9),
    )
    services.case_withdraw(actor=user("county_clerk"), case=cases["closed"], reason="申请人撤回", now=at(2026, 10, 9))
    return cases


TODAY = at(2026, 10, 12)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_counts_per_colour_equal_the_constructed_cases(county):
    constructed_county()

    watched = monitor_rows(user("supervisor"), MonitorFilters())

    assert colour_counts(watched, TODAY.date()) == {"red": 1, "yellow": 1, "green": 4, "paused": 1, "unknown": 0}


def test_a_town_supervisor_never_sees_another_town_and_a_department_head_only_their_department(county, frozen):
    cases = constructed_county()
    town_supervisor = user("baisha_agent")
    town_supervisor.role_assignments.update(is_active=False)
    org.role_assign(actor=None, user=town_supervisor, role=Role.SUPERVISOR, site=Site.objects.get(code="BS"))

    def monitored(username: str) -> set[int]:
        return {case.pk for case in logged_in(username, language="en").get("/supervision/?page=1").context["rows"]}

    everything = {pk for name, case in cases.items() if name != "closed" for pk in [case.pk]}
    assert monitored("supervisor") == everything
    assert monitored("centre_admin") == everything
    assert monitored("baisha_agent") == {cases["baisha"].pk}
    assert monitored("market_head") == {cases[name].pk for name in ("red", "yellow", "green", "received")}
    assert monitored("land_chief") == {cases["paused"].pk}
    assert logged_in("baisha_clerk", language="en").get("/supervision/").status_code == 403
    assert logged_in("futu_clerk", language="en").get("/supervision/live/").status_code == 403


def test_filters_by_site_level_department_item_window_staff_colour_and_late_steps(county, frozen):
    cases = constructed_county()
    window_6 = Window.objects.get(site__code="YX", number="6")
    org.role_assign(actor=None, user=user("county_clerk"), role=Role.CLERK, site=window_6.site, window=window_6)
    client = logged_in("supervisor", language="en")

    def listed(query: str) -> set[str]:
        rows = client.get(f"/supervision/?{query}").context["rows"]
        return {name for name, case in cases.items() if case.pk in {row.pk for row in rows}}

    baisha = Site.objects.get(code="BS")
    assert listed(f"site={baisha.pk}") == {"baisha"}
    assert listed("level=town") == {"baisha", "futu"}
    assert listed(f"department={Department.objects.get(code='ZR').pk}") == {"paused"}
    assert listed(f"item={ServiceItem.objects.get(code='SJ-0005').pk}") == {"green"}
    assert listed(f"window={window_6.pk}") == {"red", "yellow", "green", "paused", "received"}
    assert listed(f"window={Window.objects.get(site__code='BS', number='1').pk}") == {"baisha"}
    assert listed(f"staff={user('futu_clerk').pk}") == {"futu"}
    assert listed("colour=red") == {"red"}
    assert listed("colour=paused") == {"paused"}
    assert listed("colour=green") == {"green", "received", "baisha", "futu"}
    assert listed("late_steps=on") == {"red", "yellow"}  # their first step was due 09-29 and 10-08
    assert listed("colour=purple") == set(cases) - {"closed"}  # an invalid filter is ignored


def test_the_page_lists_red_first_then_fewest_days_left_with_masked_names_and_links(county, frozen):
    cases = constructed_county()

    response = logged_in("supervisor", language="en").get("/supervision/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row.colour, row.days_left) for row in rows] == [
        ("red", -1),
        ("yellow", 1),
        ("green", 3),  # accept by 10-15
        ("green", 13),  # 2 of 15 used
        ("green", 18),  # 2 of 20 used, at 白沙镇 and 浮屠镇 (the same day: by id)
        ("green", 18),
        ("paused", None),
    ]
    assert rows[0].pk == cases["red"].pk
    body = response.content.decode()
    assert "张三" not in body and "张**" in body
    assert f'href="/workbench/cases/{cases["red"].pk}/"' in body
    assert response.context["counts"][0][::2] == ("red", 1)
    assert '<a class="monitor-count red" data-colour="red" href="?colour=red">' in body


def test_the_live_region_polls_with_the_same_query_and_shows_the_update_time(county, frozen):
    constructed_county()

    body = logged_in("supervisor", language="en").get("/supervision/live/?colour=red&late_steps=on").content.decode()

    assert body.startswith('<div id="monitor-live"')
    assert 'hx-get="/supervision/live/?colour=red&amp;late_steps=on"' in body
    assert f'hx-trigger="every {settings.MONITOR_POLL_SECONDS}s"' in body
    assert "Updated at 10:00:00" in body  # Beijing time
    assert re.findall(r'data-case="(\d+)"', body) != []
    assert "<html" not in body


def test_the_page_runs_a_constant_number_of_queries(county, frozen):
    client = logged_in("supervisor", language="en")
    client.get("/supervision/")  # warm the session and the site's caches

    accepted(now=at(2026, 10, 9))
    with CaptureQueriesContext(connection) as few:
        assert client.get("/supervision/?late_steps=on").status_code == 200
    constructed_county()
    for _ in range(3):
        accepted(now=at(2026, 10, 9))
    with CaptureQueriesContext(connection) as many:
        assert client.get("/supervision/?late_steps=on").status_code == 200

    assert len(many) == len(few)
    # session, user, scope, today's ordinal, cases per status, red, yellow, unknown, ids, rows, 6 for the filters'
    # choices, nav
    assert len(many) <= 18


def test_the_poll_reads_neither_the_header_nor_the_inbox_it_does_not_show(county, frozen):
    accepted(now=at(2026, 10, 9))
    client = logged_in("supervisor", language="en")
    client.get("/supervision/live/")  # warm the session

    with CaptureQueriesContext(connection) as poll:
        assert client.get("/supervision/live/", headers={"HX-Request": "true"}).status_code == 200
    with CaptureQueriesContext(connection) as page:
        assert client.get("/supervision/").status_code == 200

    def reads(queries, table: str) -> int:
        return sum(f'FROM "{table}"' in query["sql"] for query in queries.captured_queries)

    assert (reads(poll, "supervision_inboxmessage"), reads(poll, "org_site")) == (0, 0)
    # The whole page shows both: the county centre in the header, the unread count in the navigation.
    assert reads(page, "supervision_inboxmessage") == 1
    assert sum('"org_site"."parent_id" IS NULL' in query["sql"] for query in page.captured_queries) == 1


def test_the_monitor_reads_only_the_columns_its_rows_show(county, frozen):
    accepted(now=at(2026, 10, 9))

    with CaptureQueriesContext(connection) as queries:
        body = logged_in("supervisor", language="en").get("/supervision/live/").content.decode()

    page = [q["sql"] for q in queries.captured_queries if '"cases_case"."tracking_number"' in q["sql"]]
    assert len(page) == 1
    assert '"catalog_serviceitemversion"."name"' in page[0]
    assert '"catalog_serviceitemversion"."conditions"' not in page[0]
    assert '"applicant_id_number"' not in page[0]
    assert '<td data-label="Status">Accepted, under review</td>' in body


def test_a_supervisor_who_lost_the_role_sees_no_monitor(county):
    supervisor = user("supervisor")
    supervisor.role_assignments.update(is_active=False)

    assert logged_in("supervisor", language="en").get("/supervision/").status_code == 403
    assert not open_cases_monitored_by(supervisor).exists()


# --- Supervisors read case pages and change nothing -----------------------------------------------------------------


def case_state(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.status,
        case.promised_due,
        case.suspended_days,
        list(case.tasks.order_by("pk").values_list("state", "completed_by_id")),
        case.notices.count(),
        case.suspensions.count(),
        AuditEvent.objects.count(),
    )


def test_a_supervisor_opens_any_case_from_the_monitor_without_action_buttons(county, frozen):
    cases = constructed_county()
    client = logged_in("supervisor", language="en")

    for name in ("red", "futu", "received"):
        page = client.get(f"/workbench/cases/{cases[name].pk}/")
        body = page.content.decode()
        assert page.status_code == 200
        assert cases[name].tracking_number in body
        assert re.findall(rf'action="/workbench/cases/{cases[name].pk}/([a-z_]+)/"', body) == []


def test_supervisor_posts_to_case_actions_on_the_workbench_change_nothing(county, frozen):
    cases = constructed_county()
    waiting, running = cases["received"], cases["red"]
    step = running.tasks.get(state=ReviewTask.State.OPEN)
    client = logged_in("supervisor", language="en")
    before = [case_state(waiting), case_state(running)]

    supplement = client.post(
        f"/workbench/cases/{waiting.pk}/request_supplement/",
        {"request_supplement-problems": "营业执照：未提供"},
    )
    suspend = client.post(
        f"/workbench/cases/{running.pk}/suspend/",
        {"suspend-kind": "inspection", "suspend-reason": "现场核查", "suspend-expected_days": "3"},
    )
    complete = client.post(
        f"/workbench/cases/{running.pk}/complete_task/",
        {"complete_task-task": str(step.pk), "complete_task-outcome": "agree"},
    )

    assert {supplement.status_code, suspend.status_code, complete.status_code} <= {400, 403}
    assert suspend.status_code == 403 and complete.status_code == 403
    assert [case_state(waiting), case_state(running)] == before


def test_supervisor_writes_through_the_api_are_refused_and_change_nothing(county, frozen):
    cases = constructed_county()
    waiting, running = cases["received"], cases["red"]
    step = running.tasks.get(state=ReviewTask.State.OPEN)
    client = logged_in("supervisor", language="en")
    before = [case_state(waiting), case_state(running)]

    def post(path: str, body: dict):
        return client.post(f"/api/v1/cases/{path}", json.dumps(body), content_type="application/json")

    responses = [
        post(f"{waiting.pk}/accept", {}),
        post(f"{waiting.pk}/refuse", {"reasons": "不属于本机关职权范围"}),
        post(f"{running.pk}/tasks/{step.pk}/complete", {"outcome": "agree"}),
    ]

    assert [(r.status_code, r.json()["code"]) for r in responses] == [(403, "permission_denied")] * 3
    assert [case_state(waiting), case_state(running)] == before
    assert client.get(f"/api/v1/cases/{running.pk}").json()["allowed_actions"] == []


def test_colour_counts_from_the_counters_equal_those_counted_over_the_rows(county, frozen):
    """Unfiltered, the monitor reads the cases per status from the counters; filtered on the cases' columns, it
    counts the rows: the same cases give the same counts."""
    constructed_county()
    supervisor = user("supervisor")
    today = TODAY.date()

    from_counters = monitor_rows(supervisor, MonitorFilters())
    counted = monitor_rows(supervisor, MonitorFilters(level="county"))
    town = monitor_rows(supervisor, MonitorFilters(site=Site.objects.get(code="BS")))

    assert from_counters.counted is not None and counted.counted is None and town.counted is not None
    assert colour_counts(from_counters, today) == {"red": 1, "yellow": 1, "green": 4, "paused": 1, "unknown": 0}
    assert colour_counts(counted, today) == {"red": 1, "yellow": 1, "green": 2, "paused": 1, "unknown": 0}
    assert colour_counts(town, today) == {"red": 0, "yellow": 0, "green": 1, "paused": 0, "unknown": 0}
