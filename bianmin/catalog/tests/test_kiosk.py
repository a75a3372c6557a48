"""The kiosk speaks the reader's language (its tiles too), has a search, and the lists' badges are not cut."""

import re

import pytest

from bianmin.catalog.models import Topic
from bianmin.core.testing import visitor

TILES = {
    "zh-hans": ["生育收养", "婚姻家庭", "户籍证件"],
    "zh-hant": ["生育收養", "婚姻家庭", "戶籍證件"],
    "en": ["Birth and adoption", "Marriage and family", "Residence and ID"],
}
DEPARTMENT_TILES = {
    "zh-hans": ["财政", "发改", "公安"],
    "zh-hant": ["財政", "發改", "公安"],
    "en": ["Finance", "Development and reform", "Public security"],
}


def _tiles(page: str, section: int) -> list[str]:
    return re.findall(r'<a class="tile" href="[^"]+">([^<]+)</a>', page.split('<div class="tiles')[section])


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_kiosk_s_topic_and_department_tiles_are_in_the_reader_s_language(county, language):
    page = visitor(language=language).get("/kiosk/").content.decode()

    assert _tiles(page, 1)[:3] == TILES[language]
    assert _tiles(page, 2)[:3] == DEPARTMENT_TILES[language]


def test_the_portal_s_topic_chips_follow_the_language_and_an_untranslated_topic_shows_its_chinese_name(county):
    Topic.objects.create(code="new", name="新主题", position=999)

    page = visitor(language="en").get("/items/").content.decode()

    chips = re.findall(r'<a class="chip[^"]*" href="\?topic=[^"]+">([^<]+)</a>', page)
    assert chips[:2] == ["Birth and adoption", "Marriage and family"]
    assert chips[-1] == "新主题"


def test_the_kiosk_searches_and_heads_the_results_with_the_search(county):
    # Given the kiosk's start page, which has the search box
    client = visitor(language="en")
    assert 'action="/kiosk/items/" role="search"' in client.get("/kiosk/").content.decode()

    # When someone searches for 低保
    page = client.get("/kiosk/items/", {"q": "低保"}).content.decode()

    # Then the items found are listed under a heading naming the search
    assert "<h1>Results for “低保”</h1>" in page
    assert re.findall(r'href="/kiosk/items/([A-Z]{2}-\d{4})/"', page)[:1] == ["MZ-0001"]


def test_a_topic_s_items_are_headed_with_the_topic_in_the_reader_s_language(county):
    page = visitor(language="zh-hant").get("/kiosk/items/", {"topic": "house"}).content.decode()

    assert "<h1>建房置業</h1>" in page


def test_the_guide_s_badges_show_the_case_type_whole(county):
    page = visitor().get("/items/").content.decode()

    badges = set(re.findall(r'<span class="badge" title="([^"]+)">([^<]+)</span>', page))
    assert ("上报件（报上级机关决定）", "上报件") in badges
    assert ("承诺件（承诺时限内办结）", "承诺件") in badges
    assert "…" not in "".join(short for _title, short in badges)
