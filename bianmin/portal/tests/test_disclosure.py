"""The public disclosure pages: the results board and its feeds, a site's page, the hall and window screens.

Cases are SJ-0004 (market licence) applications received at the county centre YX and decided through the services;
the dates are in March 2026 (03-09 is a Monday).
"""

from __future__ import annotations

import dataclasses
import datetime
import json

import pytest
import time_machine

from bianmin.cases import services
from bianmin.cases.services import Applicant
from bianmin.catalog import services as catalog
from bianmin.catalog.models import ServiceItem
from bianmin.core.testing import accepted, at, decided, handed_over, intake, received, steps_done, user, visitor
from bianmin.duty import services as duty
from bianmin.org.models import Role, Site, Window
from bianmin.ratings.models import Channel, Level
from bianmin.ratings.services import rating_submit
from bianmin.statistics.figures import figures_refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = datetime.date
ENTERPRISE = "阳新县白沙农业发展有限公司"


def enterprise_decided(now: datetime.datetime):
    application = intake("SJ-0004", "YX")
    application = dataclasses.replace(
        application,
        applicant=Applicant(
            name=ENTERPRISE, id_type="credit_code", id_number="91420222MA49ABCD1X", phone="13700000000"
        ),
    )
    case = services.case_submit(actor=user("county_clerk"), intake=application, now=now)
    case = services.case_accept(actor=user("county_clerk"), case=case, now=now)
    steps_done(case, by="admin", now=now)
    services.case_decide(actor=user("admin"), case=case, approve=False, reasons="不符合条件", now=now)
    case.refresh_from_db()
    return case


@pytest.fixture
def board(county):
    """Three decisions at YX, newest first: 张三 approved 03-11, the enterprise denied 03-10, 张三 approved 03-09;
    and an accepted, undecided case that never shows."""
    accepted("SJ-0004", "YX", now=at(2026, 3, 11))
    first = decided("SJ-0004", "YX", now=at(2026, 3, 9))
    second = enterprise_decided(at(2026, 3, 10))
    third = decided("SJ-0004", "YX", now=at(2026, 3, 11))
    return [third, second, first]


def lines(response) -> list[str]:
    body = response.content.decode()
    return [part.split('id="case-')[1].split('"')[0] for part in body.split('<li class="card"')[1:]]


def test_the_board_lists_decisions_newest_first_masked_in_few_queries(board, django_assert_num_queries):
    third, second, first = board
    client = visitor(language="en")
    # The page of results, the sites and the items of the filters, the county centre of the layout.
    with django_assert_num_queries(4):
        response = client.get("/results/")
    body = response.content.decode()
    assert lines(response) == [str(third.pk), str(second.pk), str(first.pk)]
    yx = Site.objects.get(code="YX").name
    assert f"Applicant 张** · {yx} · Decided on 2026-03-11" in body
    assert f"Applicant {ENTERPRISE} · {yx} · Decided on 2026-03-10" in body
    assert f"Applicant 张** · {yx} · Decided on 2026-03-09" in body
    assert "张三" not in body
    assert '<span class="badge red">Not approved</span>' in body
    assert body.count('<span class="badge green">Approved</span>') == 2


def test_the_board_pages_by_keyset_and_filters_by_site_and_item(board, django_assert_num_queries):
    third, second, first = board
    from bianmin.portal import results

    client = visitor(language="en")
    results.PAGE_SIZE, original = 2, results.PAGE_SIZE
    try:
        page_one = client.get("/results/")
        assert lines(page_one) == [str(third.pk), str(second.pk)]
        next_url = page_one.context["next_url"]
        with django_assert_num_queries(4):
            page_two = client.get(f"/results/{next_url}")
        assert lines(page_two) == [str(first.pk)]
        assert page_two.context["next_url"] is None
    finally:
        results.PAGE_SIZE = original

    yx, bs = Site.objects.get(code="YX"), Site.objects.get(code="BS")
    item = ServiceItem.objects.get(code="SJ-0004")
    assert lines(client.get(f"/results/?site={yx.pk}&item={item.pk}")) == [str(c.pk) for c in board]
    assert lines(client.get(f"/results/?site={bs.pk}")) == []
    # A cursor that is not one is ignored: the first page.
    assert lines(client.get("/results/?after=x.y")) == [str(c.pk) for c in board]


def test_an_item_whose_results_must_not_be_published_leaves_the_board(board):
    item = ServiceItem.objects.get(code="SJ-0004")
    catalog.item_set_results_publication(actor=user("centre_admin"), item=item, published=False)
    assert lines(visitor().get("/results/")) == []
    assert json.loads(visitor().get("/results/feed.json").content)["items"] == []


def test_the_feeds_carry_the_same_masked_results(board):
    third, second, first = board
    feed = json.loads(visitor(language="en").get("/results/feed.json").content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["_bianmin"]["tracking_number"] for item in feed["items"]] == [
        third.tracking_number,
        second.tracking_number,
        first.tracking_number,
    ]
    assert [item["_bianmin"]["applicant"] for item in feed["items"]] == ["张**", ENTERPRISE, "张**"]
    assert [item["_bianmin"]["approved"] for item in feed["items"]] == [True, False, True]
    assert feed["items"][0]["_bianmin"]["decided_on"] == "2026-03-11"

    atom = visitor(language="en").get("/results/feed.atom")
    assert atom["Content-Type"].startswith("application/atom+xml")
    body = atom.content.decode()
    assert body.count("<entry>") == 3
    assert "张三" not in body and ENTERPRISE in body


@pytest.fixture
def baisha_staffed(county):
    clerk = user("baisha_clerk")
    from bianmin.org import services as org

    org.role_assign(
        actor=None,
        user=clerk,
        role=Role.CLERK,
        site=Site.objects.get(code="BS"),
        window=Window.objects.get(site__code="BS", number="1"),
        badge_number="BS-007",
    )
    bs = Site.objects.get(code="BS")
    duty.shift_save(
        actor=None,
        site=bs,
        date=D(2026, 3, 11),
        period="morning",
        cadre_name="胡镇长",
        title="副镇长",
        phone="13922223333",
    )
    return bs


def test_the_window_screen_shows_the_staff_with_badge_or_service_suspended(baisha_staffed, django_assert_num_queries):
    client = visitor(language="en")
    with django_assert_num_queries(5):  # the site, the window, the window with its departments and staff (3)
        staffed = client.get("/screens/BS/windows/1/").content.decode()
    assert '<p class="window-number">Window 1</p>' in staffed
    assert '<span class="name">黄丽娟</span> <span class="badge-number">Badge BS-007</span>' in staffed
    assert "Service suspended" not in staffed
    empty = client.get("/screens/BS/windows/2/panel/").content.decode()
    assert '<p class="window-suspended">Service suspended</p>' in empty
    assert client.get("/screens/BS/windows/99/").status_code == 404
    assert client.get("/screens/NOPE/windows/1/").status_code == 404


def test_the_hall_screen_shows_todays_figures_windows_duty_and_recent_results(
    baisha_staffed, django_assert_num_queries
):
    received("MZ-0004", "BS", now=at(2026, 3, 11, 9))
    received("MZ-0004", "BS", now=at(2026, 3, 11, 10))
    # This month's ratings at 白沙镇: one very satisfied, one bad review; last month's do not count.
    for level, day in ((Level.VERY_SATISFIED, 2), (Level.DISSATISFIED, 3), (Level.SATISFIED, -1)):
        when = at(2026, 3, day, 10) if day > 0 else at(2026, 2, 27, 10)
        denied = decided("NY-0001", "BS", approve=False, reasons="不符合条件。", now=when)
        case = handed_over(denied, now=when)  # back at 白沙镇, where it was received (结果反馈)
        rating_submit(actor=None, case=case, channel=Channel.ONLINE, level=level, now=when)
    figures_refresh(days=[D(2026, 3, 11)], now=at(2026, 3, 11, 12))
    # The site, today's figures, this month's 好评率, the windows with their departments and staff (3), the duty, the
    # results.
    with time_machine.travel(at(2026, 3, 11, 12), tick=False), django_assert_num_queries(8):
        response = visitor(language="en").get("/screens/BS/")
    body = response.content.decode()
    assert 'hx-trigger="every 30s"' in body
    assert '<span class="number" id="received-today">2</span>' in body
    assert '<span class="number" id="finished-today">0</span>' in body
    assert '<span class="number" id="on-time-rate">—</span>' in body
    assert '<span class="number" id="good-rate">50.0%</span>' in body
    assert '<span class="number" id="open-windows">1/3</span>' in body
    assert '<span class="period">Morning</span> 胡镇长 <span class="title">副镇长</span>' in body
    assert "13922223333" not in body  # the cadre's own phone stays on the staff pages


def test_the_site_page(baisha_staffed, django_assert_num_queries):
    # The site, the windows with their departments and staff (3), the items, the duty, the month's figures, the
    # county centre of the layout.
    with time_machine.travel(at(2026, 3, 11, 12), tick=False), django_assert_num_queries(8):
        response = visitor(language="en").get("/sites/BS/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Morning: <strong>胡镇长</strong> (副镇长)" in body
    assert "黄丽娟 (badge BS-007)" in body
    assert body.count('<span class="badge yellow">relayed</span>') == response.context["relayed_count"]
    assert "This month" in body and "From 2026-03-01 to 2026-03-11." in body
    assert visitor().get("/sites/NOPE/").status_code == 404


def test_only_an_editor_of_the_catalogue_keeps_an_items_results_off_the_board(board):
    from bianmin.core.errors import PermissionDenied
    from bianmin.core.models import AuditEvent

    item = ServiceItem.objects.get(code="SJ-0004")
    with pytest.raises(PermissionDenied):
        catalog.item_set_results_publication(actor=user("county_clerk"), item=item, published=False)
    item.refresh_from_db()
    assert item.results_published is True
    assert not AuditEvent.objects.filter(action="item.results_publication").exists()

    catalog.item_set_results_publication(actor=user("centre_admin"), item=item, published=False)
    event = AuditEvent.objects.get(action="item.results_publication")
    assert (event.actor, event.payload) == (user("centre_admin"), {"published": False})
