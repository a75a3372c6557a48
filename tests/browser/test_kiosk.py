"""The kiosk on the centre's 1920×1080 touch screen: large type, a search, and its tiles in the chosen language."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_on_a_full_hd_screen_the_kiosk_reads_large_switches_language_and_searches(page, live_server, committed_county):
    # Given the kiosk on a 1920×1080 screen
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/kiosk/")

    # Then its text and its tiles are large enough to read from a step back
    body_size = float(page.locator("body").evaluate("element => getComputedStyle(element).fontSize").rstrip("px"))
    tile = page.locator(".tile", has_text="建房置业")
    tile_size = float(tile.evaluate("element => getComputedStyle(element).fontSize").rstrip("px"))
    assert body_size >= 27
    assert tile_size >= 32
    assert tile.bounding_box()["height"] >= 110
    page.screenshot(path="/tmp/shots/test_kiosk_full_hd.png")

    # When a person touches 繁體中文, then searches for 低保
    page.get_by_role("button", name="繁體中文").click()
    page.wait_for_url(f"{live_server.url}/kiosk/")
    assert page.locator(".tile", has_text="建房置業").count() == 1
    page.fill("#kiosk-q", "低保")
    page.get_by_role("button", name="搜索").click()

    # Then the items found are listed under the search, in the language chosen
    page.wait_for_url(re.compile(r".*/kiosk/items/\?q=.*"))
    assert page.locator("h1").inner_text() == "“低保”的搜索結果"
    assert page.locator(".list-tiles .tile").first.inner_text().startswith("最低生活保障")
