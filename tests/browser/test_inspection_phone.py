"""The inspection's phone form in real Chromium at 390 px: the page reloads without network (its service worker),
a score saved offline stays on the phone with the device's position, is sent when the network is back, and a second
sync of it changes nothing; the ranking page shows the six towns with their evidence photos."""

import pytest
from playwright.sync_api import expect

from bianmin.core.testing import user
from bianmin.demo.county import DEMO_PASSWORD
from bianmin.inspection import services
from bianmin.inspection.models import ScoreEntry, ScorePhoto
from bianmin.inspection.tests.kit import CLOSING_DAY, TOWNS, inspector, round_of_towns, score_sheet

pytestmark = pytest.mark.browser


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/workbench/inspection/")


def test_a_score_saved_offline_is_sent_once_back_online(browser, live_server, committed_county, tmp_path):
    round_, group_a, _b = round_of_towns()
    account = inspector("jiwei_phone", group_a, "discipline")
    account.set_password(DEMO_PASSWORD)
    account.save()
    bs = round_.sites.get(site__code="BS")
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 29.8531, "longitude": 115.2154},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    # an inspector without a role lands on the inspection, and opens the site they score
    _log_in(page, live_server, "jiwei_phone")
    page.click(f'a[href="/workbench/inspection/rounds/{round_.pk}/sites/{bs.site_id}/score/"]')
    page.wait_for_url(f"**/rounds/{round_.pk}/sites/{bs.site_id}/score/")
    # once the service worker runs, the page is kept: reloaded without network it still opens
    assert page.evaluate("async () => { await navigator.serviceWorker.ready; return true; }") is True
    page.reload()
    expect(page.locator(".score-card")).to_have_count(14)
    context.set_offline(True)
    page.reload()
    expect(page.locator(".score-card")).to_have_count(14)
    expect(page.locator("[data-status]")).to_contain_text("离线")
    # when the inspector scores 电脑 with a photo, still offline
    card = page.locator(".score-card").nth(2)
    expect(card.locator("h2")).to_have_text("3.1 电脑")
    photo = tmp_path / "computer.png"
    from bianmin.core.testing import picture

    photo.write_bytes(picture("PNG", size=(1600, 1200)))
    card.locator('input[name="points"]').fill("3")
    card.locator('input[name="note"]').fill("一台电脑故障")
    card.locator('input[name="photos"]').set_input_files(str(photo))
    card.locator('button[type="submit"]').click()
    # then it is kept on the phone with the device's position, and nothing reached the server
    expect(card.locator(".score-state")).to_contain_text("29.853100, 115.215400")
    expect(page.locator("[data-status]")).to_contain_text("1")
    assert ScoreEntry.objects.count() == 0
    page.screenshot(path=str(tmp_path / "offline.png"))
    # when the network is back, the queue is sent: one score, its photo made smaller on the phone, its position
    context.set_offline(False)
    expect(page.locator("[data-status]")).not_to_contain_text("1", timeout=15_000)
    expect(card.locator(".score-state")).to_contain_text("3")
    entry = ScoreEntry.objects.get()
    assert (str(entry.points), entry.note, str(entry.latitude), str(entry.longitude)) == (
        "3.0",
        "一台电脑故障",
        "29.853100",
        "115.215400",
    )
    stored = ScorePhoto.objects.get()
    from PIL import Image

    with stored.file.open("rb") as handle, Image.open(handle) as image:
        assert image.size == (1280, 960)
    # and the same queue sent again (a lost answer) changes nothing
    queued = {
        "client_id": str(entry.client_id),
        "indicator": str(entry.indicator_id),
        "points": "3",
        "taken_at": entry.taken_at.isoformat(),
    }
    answer = page.request.post(
        f"{live_server.url}/workbench/inspection/rounds/{round_.pk}/sites/{bs.site_id}/sync/",
        multipart=queued,
        headers={"X-CSRFToken": page.locator('meta[name="csrf-token"]').get_attribute("content")},
    )
    assert answer.status == 200 and answer.json()["created"] is False
    assert ScoreEntry.objects.count() == 1
    assert errors == []
    context.close()


def test_the_ranking_page_ranks_the_six_towns_with_their_photos(page, live_server, committed_county):
    round_, group_a, _b = round_of_towns()
    jiwei = inspector("jiwei", group_a, "discipline")
    for code, given in zip(TOWNS, [{}, {"3.1": 0}, {"5.1": 10}, {"1.1": 0}, {"6.1": 5}, {"2.1": 0}], strict=True):
        score_sheet(jiwei, round_.sites.get(site__code=code), given)
    services.round_move(actor=user("centre_admin"), round_=round_, move="close", today=CLOSING_DAY)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/workbench/")
    page.goto(f"{live_server.url}/workbench/inspection/rounds/{round_.pk}/")
    rows = page.locator(".ranking").first.locator("tbody tr")
    expect(rows).to_have_count(6)
    texts = [rows.nth(index).inner_text().split("\t") for index in range(6)]
    assert [(text[0], text[1], text[3], text[5]) for text in texts] == [
        ("1", "白沙镇便民服务厅", "100.0", "5"),
        ("2", "浮屠镇便民服务厅", "96.0", "5"),
        ("3", "富池镇便民服务厅", "95.0", "5"),
        ("3", "三溪镇便民服务厅", "95.0", "5"),
        ("5", "王英镇便民服务厅", "90.0", "5"),
        ("6", "太子镇便民服务厅", "85.0", "5"),
    ]
    # a site's photos open from its result
    rows.first.locator("a").click()
    expect(page.locator("img.evidence-thumb")).to_have_count(5)
    # (each thumbnail loaded from the protected photo view: expect() waits for the image, which may still be loading)
    for index in range(5):
        expect(page.locator("img.evidence-thumb").nth(index)).to_have_js_property("naturalWidth", 40)
