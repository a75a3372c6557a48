"""The supervisor's live monitor in real Chromium: a case turns red and the page shows it without a reload."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import pgettext

from bianmin.cases.access import case_index_refresh
from bianmin.cases.models import Case
from bianmin.core.testing import accepted, received
from bianmin.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_the_monitor_turns_a_case_red_without_reloading(page, live_server, committed_county, settings):
    settings.MONITOR_POLL_SECONDS = 1  # the live server runs in this process: it reads the override
    case = accepted("SJ-0004", "YX")
    received("SJ-0003", "YX")
    accepted("MZ-0001", "BS")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/workbench/")
    page.goto(f"{live_server.url}/supervision/")

    row = page.locator(f'tr[data-case="{case.pk}"]')
    assert row.locator(".badge.clock").get_attribute("data-colour") == "green"
    red_count = page.locator('.monitor-count[data-colour="red"] .count')
    assert red_count.inner_text() == "0"
    assert "张**" in row.inner_text() and "张三" not in page.locator("main").inner_text()
    updated = page.locator(".monitor-updated").inner_text()

    # Time passes: the promised deadline is now behind us (as the calendar would make it), nothing is reloaded.
    Case.objects.filter(pk=case.pk).update(promised_due=timezone.localdate() - datetime.timedelta(days=1))
    case_index_refresh(case)  # and its clock columns with it, as after a calendar change

    page.wait_for_selector(f'tr[data-case="{case.pk}"] .badge.clock[data-colour="red"]', timeout=5_000)
    assert red_count.inner_text() == "1"
    with translation.override("zh-hans"):
        overdue = pgettext("monitor", "Overdue")  # 超时
    assert page.locator(f'tr[data-case="{case.pk}"] .badge.clock').inner_text() == overdue
    assert page.locator("tbody tr").first.get_attribute("data-case") == str(case.pk)  # red first
    assert page.locator(".monitor-updated").inner_text() != updated
    assert page.url == f"{live_server.url}/supervision/"
    page.screenshot(path="/tmp/shots/monitor.png", full_page=True)

    # A click on the red count filters the table to the red cases.
    page.locator('.monitor-count[data-colour="red"]').click()
    page.wait_for_url(f"{live_server.url}/supervision/?colour=red")
    assert page.locator("tbody tr").count() == 1
