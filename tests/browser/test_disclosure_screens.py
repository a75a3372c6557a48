"""The hall's display screen, a window's screen and the results board in real Chromium, at the sizes they are
shown on: the hall at 1920×1080, a window's monitor at 1280×720, the board on a phone. The hall screen keeps its
data when the network drops and says how old it is."""

import dataclasses
import os

import pytest
from django.utils import timezone

from bianmin.cases import services
from bianmin.cases.services import Applicant
from bianmin.core.testing import decided, intake, received, steps_done, user
from bianmin.duty import services as duty
from bianmin.org import services as org
from bianmin.org.models import Role, Site, Window
from bianmin.statistics.figures import figures_refresh

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("BIANMIN_SHOTS_DIR", "/tmp/shots")


def _enterprise_case(site: str, clerk: str):
    application = dataclasses.replace(
        intake("MZ-0004", site),
        applicant=Applicant(
            name="阳新县白沙农业发展有限公司",
            id_type="credit_code",
            id_number="91420222MA49ABCD1X",
            phone="13700000000",
        ),
    )
    case = services.case_submit(actor=user(clerk), intake=application)
    case = services.case_accept(actor=user(clerk), case=case)
    steps_done(case, by="admin")
    services.case_decide(actor=user("admin"), case=case, approve=True)


@pytest.fixture
def hall(committed_county):
    bs = Site.objects.get(code="BS")
    org.role_assign(
        actor=None,
        user=user("baisha_clerk"),
        role=Role.CLERK,
        site=bs,
        window=Window.objects.get(site=bs, number="1"),
        badge_number="BS-007",
    )
    today = timezone.localdate()
    duty.shift_save(
        actor=None, site=bs, date=today, period="morning", cadre_name="胡德明", title="副镇长", phone="13922223333"
    )
    duty.shift_save(
        actor=None, site=bs, date=today, period="afternoon", cadre_name="柯春燕", title="党委委员", phone="13922224444"
    )
    for _ in range(4):
        decided("MZ-0004", "BS")
    _enterprise_case("BS", "baisha_clerk")
    decided("MZ-0004", "BS", approve=False, reasons="不符合条件")
    for _ in range(3):
        received("MZ-0004", "BS")
    figures_refresh(days=[today])
    return bs


def test_the_hall_screen_at_1920_by_1080_survives_a_network_drop(browser, live_server, hall):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{live_server.url}/screens/BS/")
    assert page.locator("h1").inner_text() == hall.name
    assert page.locator("#received-today").inner_text() == "9"
    assert page.locator("#finished-today").inner_text() == "6"
    assert page.locator("#open-windows").inner_text() == "1/3"
    assert "胡德明" in page.locator(".duty").inner_text()
    assert page.locator(".windows li.closed").count() == 2
    assert "张三" not in page.content()
    # Everything fits on the screen: nothing below the fold.
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    page.screenshot(path=f"{SHOTS}/hall-screen-1920x1080.png")

    # The network drops: the next reload fails, the screen keeps its data and says so.
    page.route("**/panel/", lambda route: route.abort())
    page.evaluate("() => { htmx.ajax('GET', '/screens/BS/panel/', '#screen').catch(function () {}); }")
    status = page.locator("#screen-status")
    status.wait_for(state="visible", timeout=5_000)
    assert "网络中断" in status.inner_text()
    assert page.locator("#received-today").inner_text() == "9"
    page.screenshot(path=f"{SHOTS}/hall-screen-offline.png")

    # It comes back: the next reload clears the notice.
    page.unroute("**/panel/")
    page.evaluate("() => { htmx.ajax('GET', '/screens/BS/panel/', '#screen').catch(function () {}); }")
    status.wait_for(state="hidden", timeout=5_000)

    # The county centre's fifteen windows fit too.
    page.goto(f"{live_server.url}/screens/YX/")
    last = page.locator(".windows li").last.bounding_box()
    assert page.locator(".windows li").count() == 15
    assert last["y"] + last["height"] <= 1080
    page.screenshot(path=f"{SHOTS}/hall-screen-county-1920x1080.png")
    context.close()


def test_the_window_screens(browser, live_server, hall):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{live_server.url}/screens/BS/windows/1/")
    assert page.locator(".window-staff .name").inner_text() == "黄丽娟"
    assert page.locator(".badge-number").inner_text() == "工号 BS-007"
    page.screenshot(path=f"{SHOTS}/window-screen-staffed.png")
    page.goto(f"{live_server.url}/screens/BS/windows/2/")
    assert page.locator(".window-suspended").inner_text() == "暂停服务"
    page.screenshot(path=f"{SHOTS}/window-screen-suspended.png")
    context.close()


def test_the_results_board_on_a_phone(page, live_server, hall):
    page.goto(f"{live_server.url}/results/")
    assert page.locator(".results-board li.card").count() == 6
    assert "阳新县白沙农业发展有限公司" in page.locator(".results-board").inner_text()
    assert "张三" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{SHOTS}/results-board-phone.png", full_page=True)
    page.goto(f"{live_server.url}/sites/BS/")
    page.screenshot(path=f"{SHOTS}/site-page-phone.png", full_page=True)
