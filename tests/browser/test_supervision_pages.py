"""The supervision pages in real Chromium: the statistics dashboard draws its charts and every headline number
opens the cases behind it; the alert feed shows a new alert after a supervisor runs the sweep."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bianmin.cases import services
from bianmin.cases.access import case_index_refresh
from bianmin.cases.models import Case
from bianmin.core.testing import intake, user
from bianmin.demo.county import DEMO_PASSWORD
from bianmin.statistics.figures import figures_refresh

pytestmark = pytest.mark.browser


def watch_console(page) -> list[str]:
    """Console errors (a CSP violation is one) and uncaught exceptions; the missing favicon is not the page's."""
    errors: list[str] = []
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def log_in(page, live_server, username: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/workbench/")


def test_the_dashboard_draws_its_charts_and_a_number_opens_its_cases(page, live_server, committed_county):
    clerk = user("county_clerk")
    received = [
        services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX")),
        services.case_submit(actor=clerk, intake=intake("SJ-0003", "YX")),
        services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS")),
    ]
    services.case_accept(actor=clerk, case=received[0])
    figures_refresh()  # what the worker does every minute
    errors = watch_console(page)
    log_in(page, live_server, "supervisor")

    page.goto(f"{live_server.url}/supervision/statistics/")

    charts = page.locator("[data-chart]")
    assert charts.count() >= 3  # the trend, the channels and the tiers (a chart is drawn for a table with rows)
    # Every chart drawn (expect() asks the browser, not a predicate evaluated in the page, which its CSP forbids).
    expect(page.locator('[data-chart]:not([data-rendered="true"])')).to_have_count(0)
    for index in range(charts.count()):
        assert charts.nth(index).locator("svg, canvas").count() >= 1
    tile = page.locator('.stat-tile[data-key="received"]')
    assert tile.locator(".stat-value").inner_text() == "3"
    assert errors == []
    page.screenshot(path="/tmp/shots/test_statistics_dashboard.png", full_page=True)

    tile.locator("a").click()

    page.wait_for_url(f"{live_server.url}/supervision/statistics/cases/**")
    rows = page.locator("table.stat-table tbody tr")
    assert rows.count() == 3
    listed = {rows.nth(index).locator("th a").inner_text() for index in range(3)}
    assert listed == {case.tracking_number for case in received}
    assert "张三" not in page.locator("main").inner_text()  # the drill-down shows no personal data
    assert errors == []


def test_the_alert_feed_shows_a_new_alert_after_the_sweep_runs(page, live_server, committed_county):
    clerk = user("county_clerk")
    case = services.case_accept(actor=clerk, case=services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX")))
    errors = watch_console(page)
    log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/supervision/alerts/")
    overdue_row = page.locator(f'tr[data-rule="case_overdue_promised"]:has-text("{case.tracking_number}")')
    assert overdue_row.count() == 0

    # The promised deadline is now behind us (as the calendar would make it); a supervisor runs the sweep.
    Case.objects.filter(pk=case.pk).update(promised_due=timezone.localdate() - datetime.timedelta(days=1))
    case_index_refresh(case)  # and its clock columns with it, as after a calendar change
    page.click("form[action$='/alerts/sweep/'] button[type=submit]")

    page.wait_for_url(f"{live_server.url}/supervision/alerts/")
    assert overdue_row.count() == 1
    assert overdue_row.locator(f'a[href="/workbench/cases/{case.pk}/"]').count() == 1
    assert page.locator(".messages").count() == 1
    assert errors == []

    # The alert leads on to a supervision order on it.
    overdue_row.locator("td.lead-cell a").click()
    page.locator("#issue-order-link").click()
    page.wait_for_url(f"{live_server.url}/supervision/orders/new/?alert=*")
    assert errors == []
