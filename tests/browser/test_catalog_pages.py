"""A villager on a phone finds 宅基地, reads the guide, downloads the form and gets the card; the kiosk."""

import pytest

pytestmark = pytest.mark.browser


def test_citizen_on_a_phone_finds_the_homestead_guide_form_and_card(page, live_server, committed_county):
    page.goto(f"{live_server.url}/")
    page.fill("#home-q", "宅基地")
    page.keyboard.press("Enter")
    page.wait_for_url("**/items/?q=*")

    page.get_by_role("link", name="农村宅基地审批").click()
    page.wait_for_url("**/items/NY-0001/")
    main = page.locator("main").inner_text()
    for heading in [
        "受理条件",
        "设定依据",
        "申请材料",
        "办理流程",
        "法定时限",
        "承诺时限",
        "收费",
        "办理结果",
        "咨询电话",
        "投诉电话",
    ]:
        assert heading in main, heading
    assert page.locator("svg.qr").count() == 1

    with page.expect_download() as download:
        page.get_by_role("link", name="空白表格").first.click()
    assert download.value.suggested_filename.startswith("NY-0001-")
    assert download.value.suggested_filename.endswith("-form.pdf")

    card_href = page.get_by_role("link", name="服务明白卡（A4）").get_attribute("href")
    card = page.request.get(f"{live_server.url}{card_href}")
    assert card.headers["content-type"] == "application/pdf"
    assert card.body().startswith(b"%PDF")


def test_kiosk_returns_to_the_start_after_idle_time(page, live_server, committed_county):
    page.clock.install()
    page.goto(f"{live_server.url}/kiosk/")
    page.get_by_role("link", name="建房置业").click()
    page.wait_for_url("**/kiosk/items/?topic=*")
    page.locator(".tile", has_text="农村宅基地审批").click()
    page.wait_for_url("**/kiosk/items/NY-0001/")

    page.clock.fast_forward("01:31")
    page.wait_for_url(f"{live_server.url}/kiosk/")
    assert page.locator("h1").inner_text() == "您要办理什么事？"
