"""The dashboard's numbers equal counts computed independently from the cases.

Cases are moved through their life by the real services with injected times in March 2026 (2026 facts: 03-02
is a Monday; no holiday in March), across channels, tiers and departments: on time, late against the promised
limit, suspended, extended, refused, withdrawn, and still open. The figures are refreshed, then every headline
number, a few breakdowns and the cases behind numbers are compared with plain Python over the Case rows.
"""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from bianmin.cases import services
from bianmin.cases.models import Case, Extension, Suspension
from bianmin.core.testing import OTHER_ID_NUMBER, SHANGHAI, accepted, at, intake, steps_done, user
from bianmin.core.workdays import workdays_between
from bianmin.statistics.figures import figures_rebuild, figures_refresh
from bianmin.statistics.models import DailyFigure, MonthlyFigure
from bianmin.statistics.tasks import refresh_daily_figures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def march(county):
    """Seven cases in March 2026 (SJ-0004: promised 5, statutory 10 working days)."""
    clerk, chief, head = user("county_clerk"), user("market_chief"), user("market_head")
    with time_machine.travel(at(2026, 3, 2, 8), tick=False):
        # On time: accepted 03-03, approved 03-06 (promised 03-10).
        on_time = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
        steps_done(on_time, by=chief, now=at(2026, 3, 4))
        services.case_decide(actor=chief, case=on_time, approve=True, now=at(2026, 3, 6))
        # Extended by 4 (promised 03-16, statutory 03-23), online, approved 03-18: late against the promise only.
        extended = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3), channel="online")
        extension = services.case_request_extension(
            actor=clerk, case=extended, days=4, reason="现场核查", now=at(2026, 3, 4)
        )
        services.case_decide_extension(actor=head, extension=extension, approve=True, now=at(2026, 3, 5))
        steps_done(extended, by=chief, now=at(2026, 3, 6))
        services.case_decide(actor=chief, case=extended, approve=True, now=at(2026, 3, 18))
        # Suspended 03-04 → 03-09 (3 working days: promised 03-13, statutory 03-20), denied 03-20.
        suspended = accepted("SJ-0004", received_at=at(2026, 3, 3), now=at(2026, 3, 3, 15))
        services.case_suspend(
            actor=clerk, case=suspended, kind="inspection", reason="现场检查", expected_days=3, now=at(2026, 3, 4)
        )
        services.case_resume(actor=clerk, case=suspended, now=at(2026, 3, 9))
        steps_done(suspended, by=chief, now=at(2026, 3, 10))
        services.case_decide(actor=chief, case=suspended, approve=False, reasons="条件不符", now=at(2026, 3, 20, 16))
        # Refused the day after receipt.
        refused = services.case_submit(actor=clerk, intake=intake("ZR-0003", "YX"), now=at(2026, 3, 2))
        services.case_refuse(actor=clerk, case=refused, reasons="不属于本机关职权范围", now=at(2026, 3, 3))
        # Withdrawn by the applicant before acceptance.
        withdrawn = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 4))
        services.case_withdraw(actor=clerk, case=withdrawn, reason="申请人撤回", now=at(2026, 3, 5))
        # Through the Baisha village agent (town tier, agency), accepted and still open; and one at the town window.
        relayed = services.case_submit(
            actor=user("baishacun_agent"),
            intake=intake("CZ-0002", "BS01", channel="agency", relay="BS01", authorisation="授权委托书第 1 号"),
            now=at(2026, 3, 9),
        )
        services.case_accept(actor=user("baisha_clerk"), case=relayed, now=at(2026, 3, 10))
        # A namesake's: the same applicant's open case of the item through the agent would be a duplicate.
        services.case_submit(
            actor=user("baisha_clerk"),
            intake=intake("CZ-0002", "BS", id_number=OTHER_ID_NUMBER),
            now=at(2026, 3, 31, 23),
        )
        # April: outside the period.
        services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 4, 1))
    figures_rebuild(first=D(2026, 2, 25), last=D(2026, 4, 10), now=at(2026, 4, 10))


# --- Counting independently ----------------------------------------------------------------------------------------


def _local(moment):
    return moment.astimezone(SHANGHAI).date() if moment else None


def _in(day) -> bool:
    return day is not None and D(2026, 3, 1) <= day <= D(2026, 3, 31)


def expected(cases) -> dict:
    cases = list(cases)
    finished = [c for c in cases if _in(_local(c.decided_at))]
    return {
        "received": sum(_in(c.received_on) for c in cases),
        "accepted": sum(_in(c.accepted_on) for c in cases),
        "finished": len(finished),
        "approved": sum(c.certificate_due is not None for c in finished),
        "denied": sum(c.certificate_due is None for c in finished),
        "refused": sum(c.status == "refused" and _in(_local(c.closed_at)) for c in cases),
        "withdrawn": sum(c.status == "withdrawn" and _in(_local(c.withdrawn_at)) for c in cases),
        "late_promised": sum(_local(c.decided_at) > c.promised_due for c in finished),
        "late_statutory": sum(_local(c.decided_at) > c.statutory_due for c in finished),
        "used": sum(workdays_between(c.accepted_on, _local(c.decided_at)) - c.suspended_days for c in finished),
        "promised": sum(c.version.promised_days + c.extension_days for c in finished),
        "suspensions": Suspension.objects.filter(case__in=cases, started_on__month=3).count(),
        "extensions": Extension.objects.filter(case__in=cases, state="approved", decided_at__month=3).count(),
    }


def tiles(response) -> dict:
    return {tile["key"]: tile["value"] for tile in response.context["tiles"]}


def get(client, username: str, path: str = "", **params):
    client.force_login(user(username))
    client.cookies["django_language"] = "en"
    return client.get(f"/supervision/statistics/{path}", params)


# --- The dashboard equals the cases ----------------------------------------------------------------------------------


def test_every_headline_number_equals_the_cases(march, client):
    want = expected(Case.objects.exclude(status="draft").select_related("version"))
    # The construction is what the test meant: 7 received in March, 3 finished, 2 of them late, 1 denied …
    assert (want["received"], want["accepted"], want["finished"], want["late_promised"]) == (7, 4, 3, 2)
    assert (want["approved"], want["denied"], want["refused"], want["withdrawn"]) == (2, 1, 1, 1)
    assert (want["late_statutory"], want["suspensions"], want["extensions"]) == (0, 1, 1)

    numbers = tiles(get(client, "supervisor", **MARCH))

    assert numbers["received"] == want["received"]
    assert numbers["accepted"] == want["accepted"]
    assert numbers["finished"] == want["finished"]
    assert numbers["approved"] == want["approved"]
    assert numbers["denied"] == want["denied"]
    assert numbers["refused"] == want["refused"]
    assert numbers["withdrawn"] == want["withdrawn"]
    assert numbers["finished_late_promised"] == want["late_promised"]
    assert numbers["finished_late_statutory"] == want["late_statutory"]
    assert numbers["on_time_rate_promised"] == round(100 * 1 / 3, 1)
    assert numbers["on_time_rate_statutory"] == 100.0
    assert numbers["average_days_used"] == round(want["used"] / 3, 1)
    assert numbers["average_days_promised"] == round(want["promised"] / 3, 1)
    assert numbers["suspensions_started"] == want["suspensions"]
    assert numbers["extensions_approved"] == want["extensions"]
    assert numbers["deemed_accepted"] == 0


def test_breakdowns_by_channel_and_tier_equal_the_cases(march, client):
    cases = list(Case.objects.exclude(status="draft").select_related("receiving_site"))
    response = get(client, "supervisor", **MARCH)
    tables = {table.key: table for table in response.context["tables"]}

    by_channel = {row[0].value: row[1].value for row in tables["channel"].rows}
    assert by_channel == {
        "At a window": sum(c.channel == "window" and _in(c.received_on) for c in cases),
        "Online": sum(c.channel == "online" and _in(c.received_on) for c in cases),
        "Through an agent": sum(c.channel == "agency" and _in(c.received_on) for c in cases),
    }
    assert by_channel == {"At a window": 5, "Online": 1, "Through an agent": 1}
    by_tier = {row[0].value: row[1].value for row in tables["tier"].rows}
    assert by_tier == {
        "County centre": sum(c.receiving_site.level == "county" and _in(c.received_on) for c in cases),
        "Town hall": sum(c.receiving_site.level == "town" and _in(c.received_on) for c in cases),
    }
    trend = {row[0].value: (row[1].value, row[2].value) for row in tables["trend"].rows}
    # Weeks of March 2026 start on Mondays 03-02, 09, 16, 23, 30 (and the period starts on Sunday 03-01).
    assert trend == {
        "03-01": (0, 0),
        "03-02": (5, 1),
        "03-09": (1, 0),
        "03-16": (0, 2),
        "03-23": (0, 0),
        "03-30": (1, 0),
    }


def test_the_cases_behind_a_number_are_exactly_those_counted(march, client, django_assert_max_num_queries):
    late = {
        c.pk
        for c in Case.objects.exclude(decided_at=None)
        if _in(_local(c.decided_at)) and _local(c.decided_at) > c.promised_due
    }
    get(client, "supervisor", "cases/", metric="received", **MARCH)  # logged in
    with django_assert_max_num_queries(10):
        response = client.get("/supervision/statistics/cases/", {"metric": "finished_late_promised", **MARCH})
    assert response.status_code == 200
    assert {case.pk for case, _row in response.context["rows"]} == late
    assert response.context["page"].paginator.count == len(late)

    received = get(client, "supervisor", "cases/", metric="received", channel="window", **MARCH)
    assert {case.pk for case, _row in received.context["rows"]} == {
        c.pk for c in Case.objects.filter(channel="window", received_on__month=3)
    }
    suspended = get(client, "supervisor", "cases/", metric="suspensions_started", **MARCH)
    assert [case.pk for case, _row in suspended.context["rows"]] == list(
        Suspension.objects.values_list("case_id", flat=True)
    )


def test_every_tile_links_to_as_many_cases_as_it_counts(march, client):
    response = get(client, "supervisor", **MARCH)
    for tile in response.context["tiles"]:
        if not isinstance(tile["value"], int) or "metric=alerts" in tile["link"]:
            continue
        listed = client.get(tile["link"])
        assert listed.context["page"].paginator.count == tile["value"], tile["label"]


def test_refreshing_twice_gives_the_same_rows(march):
    def rows():
        return sorted(DailyFigure.objects.values_list("day", "site_id", "item_id", "channel", "received", "finished"))

    before, months = rows(), sorted(MonthlyFigure.objects.values_list("month", "site_id", "item_id", "received"))
    figures_refresh(days=[D(2026, 3, day) for day in range(1, 32)], now=at(2026, 4, 10))
    refresh_daily_figures.call(days=["2026-03-02", "2026-03-18"], now="2026-04-10T10:00:00+08:00")
    assert rows() == before
    assert sorted(MonthlyFigure.objects.values_list("month", "site_id", "item_id", "received")) == months
    assert DailyFigure.objects.filter(day=D(2026, 3, 2)).count() == 3  # YX SJ window, YX SJ online, YX ZR window


def test_the_periodic_refresh_finds_the_days_cases_moved_on(county):
    # Given the figures refreshed once (nothing yet), and a case received and accepted by law afterwards
    figures_refresh(now=at(2026, 3, 1))
    clerk = user("county_clerk")
    with time_machine.travel(at(2026, 3, 2, 8), tick=False):
        case = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    services.cases_deem_accepted(now=at(2026, 3, 10))

    # When the worker refreshes on 03-20 (today and yesterday are 03-19/20)
    figures_refresh(now=at(2026, 3, 20))

    # Then the receipt and the acceptance dated back to it are counted on 03-02
    case.refresh_from_db()
    assert (case.accepted_on, case.is_deemed_accepted) == (D(2026, 3, 2), True)
    row = DailyFigure.objects.get()
    assert (row.day, row.received, row.accepted, row.deemed_accepted) == (D(2026, 3, 2), 1, 1, 1)


# --- Scope --------------------------------------------------------------------------------------------------------


def test_a_department_head_sees_only_their_departments_numbers(march, client):
    sj = [c for c in Case.objects.exclude(status="draft").select_related("version") if c.department.code == "SJ"]
    want = expected(sj)

    numbers = tiles(get(client, "market_head", **MARCH))

    assert (numbers["received"], numbers["finished"], numbers["refused"]) == (
        want["received"],
        want["finished"],
        0,
    )
    listed = get(client, "market_head", "cases/", metric="received", **MARCH)
    assert {case.department.code for case, _row in listed.context["rows"]} == {"SJ"}


def test_clerks_and_agents_see_no_statistics(march, client):
    for username in ("county_clerk", "baisha_agent"):
        assert get(client, username, **MARCH).status_code == 403
        assert get(client, username, "cases/", metric="received", **MARCH).status_code == 403


def test_the_open_overdue_cases_per_department(march, client):
    today = timezone.localdate()
    overdue = Case.objects.filter(status="accepted", promised_due__lt=today)
    response = get(client, "supervisor", **MARCH)
    table = {t.key: t for t in response.context["tables"]}["open_overdue"]
    assert {row[0].value: row[1].value for row in table.rows} == {"县财政局": overdue.count()}


# --- Excel -----------------------------------------------------------------------------------------------------------


def test_every_table_downloads_as_excel_with_the_same_numbers(march, client):
    response = get(client, "supervisor", **MARCH)
    for table in response.context["tables"]:
        download = client.get("/supervision/statistics/", {**MARCH, "format": "xlsx", "table": table.key})
        assert download.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
        values = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
        assert values == [[cell.value for cell in row] for row in table.rows], table.key

    cases = client.get("/supervision/statistics/cases/", {**MARCH, "metric": "received", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(cases.content)).active
    assert sheet.max_row - 2 == 7


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-03", "2026-04-01"),
        ("2026-03-03", "2026-03-20"),
        ("2026-02-15", "2026-03-31"),
        ("2026-01-31", "2026-04-30"),
    ],
)
def test_periods_across_month_edges_read_whole_months_and_edge_days(march, client, start, end):
    first, last = D.fromisoformat(start), D.fromisoformat(end)
    cases = list(Case.objects.exclude(status="draft"))
    numbers = tiles(get(client, "supervisor", **{"from": start, "to": end}))
    assert numbers["received"] == sum(first <= c.received_on <= last for c in cases)
    assert numbers["finished"] == sum(c.decided_at is not None and first <= _local(c.decided_at) <= last for c in cases)
