"""A person in real Chromium: the portal on a phone, the calculator, staff login, the language switch."""

import pytest

from bianmin.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_citizen_calculates_a_deadline_across_national_day(page, live_server, committed_county):
    page.goto(f"{live_server.url}/deadline/")
    page.fill("#id_start", "2026-09-30")
    page.fill("#id_days", "5")
    page.click("button[type=submit]")

    result = page.locator("#deadline-result .result strong")
    result.wait_for()
    assert result.inner_text().startswith("2026-10-13")
    assert "/deadline/?start=2026-09-30&days=5" in page.url


def test_clerk_logs_in_and_sees_their_town_only(page, live_server, committed_county):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "baisha_clerk")
    page.fill("#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/workbench/")

    assert "窗口工作人员" in page.locator("main").inner_text()
    page.click("text=网点与人员")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 4
    assert "浮屠" not in page.locator("main").inner_text()


def test_language_switch_to_english_and_back(page, live_server, committed_county):
    page.goto(f"{live_server.url}/")
    assert "就近办事" in page.locator("h1").inner_text()

    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("h1").inner_text() == "Handle your matters close to home"

    with page.expect_navigation():
        page.select_option("#language-select", "zh-hant")
    assert "就近辦事" in page.locator("h1").inner_text()
