"""A window clerk in real Chromium: logs in, takes an application for 食品经营许可 with the keyboard only,
submits it, accepts it on the case page and opens the triplicate receipt."""

import pytest
from playwright.sync_api import expect

from bianmin.cases.models import Case
from bianmin.catalog.models import ServiceItem
from bianmin.core.testing import ID_NUMBER
from bianmin.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.name")


def type_and_tab(page, text: str) -> None:
    page.keyboard.type(text)
    page.keyboard.press("Tab")


def test_clerk_takes_an_application_with_the_keyboard_accepts_it_and_prints_the_receipt(
    page, live_server, committed_county
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    type_and_tab(page, "county_clerk")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/workbench/")

    page.goto(f"{live_server.url}/workbench/cases/new/?item=SJ-0004")
    # autofocus: the clerk starts typing at once (the browser applies it just after the page loads)
    # (expect() asks the browser, not a predicate evaluated in the page, which the page's CSP forbids)
    expect(page.locator("#id_applicant_name")).to_be_focused()
    type_and_tab(page, "李四")
    assert focused(page) == "id_id_type"
    page.keyboard.press("Tab")  # the resident identity card is the default
    assert focused(page) == "id_id_number"
    type_and_tab(page, ID_NUMBER)
    page.locator("#id-number-check.good").wait_for()  # the check digit was checked inline
    type_and_tab(page, "13912345678")
    type_and_tab(page, "阳新县兴国镇")
    type_and_tab(page, "李四小吃店")
    assert focused(page) == "id_delivery"
    page.keyboard.press("Tab")  # the result goes back where the applicant applies (结果反馈), the default
    requirements = list(ServiceItem.objects.get(code="SJ-0004").current_version.materials.all())
    for index, requirement in enumerate(requirements):
        assert focused(page) == f"id_material-{index}-original_seen"
        if requirement.is_required:
            page.keyboard.press("Space")  # original checked
            page.keyboard.press("Tab")
            page.keyboard.press("Space")  # copy kept
        else:
            page.keyboard.press("Tab")
        for _field in ("copy_kept", "state", "problem", "file"):
            page.keyboard.press("Tab")
    assert focused(page) == "submit-intake"
    page.keyboard.press("Shift+Tab")  # back into the last row's fields: Enter submits from there
    page.keyboard.press("Shift+Tab")
    assert focused(page) == f"id_material-{len(requirements) - 1}-problem"
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/workbench/cases/*/")
    case = Case.objects.get()
    assert case.applicant_name == "李四" and case.status == "received"
    assert case.materials.filter(original_seen=True, copy_kept=True).count() == sum(
        1 for requirement in requirements if requirement.is_required
    )
    assert case.tracking_number in page.locator("h1").inner_text()

    page.locator("details[data-action=accept] button[type=submit]").click()
    page.wait_for_selector("#receipt-link")
    case.refresh_from_db()
    assert case.status == "accepted"

    href = page.locator("#receipt-link").get_attribute("href")
    assert href.startswith(f"/workbench/cases/{case.pk}/notices/") and href.endswith(".pdf")
    receipt = page.request.get(f"{live_server.url}{href}")
    assert receipt.status == 200
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
