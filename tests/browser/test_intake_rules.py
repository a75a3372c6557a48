"""Intake in real Chromium, as its users live it: a material marked missing puts the one-time supplement notice
before acceptance, Enter submits and the address bar leaves the intake URL, and the applicant's open case at the
town hall is shown to the village agent before anything is registered (禁止两头受理)."""

import re

import pytest
from playwright.sync_api import expect

from bianmin.cases import services
from bianmin.cases.models import Case
from bianmin.core.testing import ID_NUMBER, intake, user
from bianmin.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/workbench/")


def fill_applicant(page) -> None:
    page.fill("[name=applicant_name]", "张三")
    page.fill("[name=id_number]", ID_NUMBER)
    page.fill("[name=phone]", "13800000000")
    for box in page.locator("input[type=checkbox][name$=original_seen]").all():
        box.check()


def test_a_missing_material_puts_the_notice_first_and_enter_leaves_the_intake_url(page, live_server, committed_county):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, "baisha_clerk")
    page.goto(f"{live_server.url}/workbench/cases/new/?item=MZ-0001")
    fill_applicant(page)
    page.uncheck("[name=material-0-original_seen]")
    page.select_option("[name=material-0-state]", "missing")
    page.fill("[name=material-0-problem]", "未带申请书")

    page.press("[name=phone]", "Enter")

    page.wait_for_url(re.compile(rf"{re.escape(live_server.url)}/workbench/cases/\d+/$"))
    case = Case.objects.get()
    assert case.materials_outstanding == 1
    first = page.locator("details.action").first
    expect(first).to_have_attribute("data-action", "request_supplement")
    expect(first).to_have_attribute("open", "")
    expect(page.locator("details[data-action=accept]")).to_have_count(0)
    expect(page.locator("#acceptance-waits")).to_contain_text("最低生活保障申请书")


def test_the_agent_sees_the_open_case_at_the_town_before_anything_is_registered(page, live_server, committed_county):
    town = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"))
    log_in(page, live_server.url, "baishacun_agent")
    page.goto(f"{live_server.url}/workbench/cases/new/?item=MZ-0001")
    fill_applicant(page)
    page.fill("[name=agency_authorisation]", "村民委托代办书")
    # The inline check of the number already says it
    page.locator("[name=id_number]").dispatch_event("change")
    expect(page.locator("#open-case-hint")).to_contain_text(town.tracking_number)

    page.press("[name=phone]", "Enter")

    expect(page.locator("#duplicate-warning")).to_contain_text(town.tracking_number)
    assert Case.objects.count() == 1
    page.locator(f"#duplicate-warning button[form=link-{town.pk}]").click()
    page.wait_for_url(f"{live_server.url}/workbench/cases/")
    assert Case.objects.count() == 1
    expect(page.locator(".messages")).to_contain_text(town.tracking_number)
