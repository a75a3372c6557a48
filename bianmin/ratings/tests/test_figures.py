"""The standard's rates (GB/T 39735-2020) on constructed data, against values worked out by hand from the list of
ratings below, per site, window, staff member and for everything; and the aggregates' query count.

The data, all cases closed on 2026-09-29 (item SJ-0004, department SJ):
  county centre YX (item SJ-0004, received by county_clerk at window 1):
    c1 online 非常满意 (办事效率 5, 办事指南精确度 4)
    c2 online 满意, and at the window's tablet 基本满意 (服务态度 3)
    c3 online 非常不满意 (办事效率 1, 办事指南精确度 1; tags slow, unclear_guide) → verified, rectified, called
       back, done, fix rated 满意
    c4 SMS 不满意 (tag slow) → verified only
    c5 not rated → default 基本满意 on 10-07 (7 natural days)
  town hall BS (item NY-0001, received by baisha_clerk):
    b1 online 不满意 (tag attitude) → appeal upheld: excluded
    b2 not rated → default 基本满意 on 10-07
By hand, for 09-01..10-31:
  YX: 6 ratings, 4 good (5, 4, 3, 3 by default) → 好评率 66.67; 5 active, 3 good → 60.00; 2 bad, both answered
      → 100.00; 1 done → 50.00; 1 fix rated, good → 100.00; 5 closed, 1 without an active rating (c5) → 20.00.
  BS: 1 rating (default, good) → 100.00; no active → None; no bad → None; 2 closed, 1 unrated (b2; b1 was rated,
      if excluded) → 50.00.
  All: 7 ratings, 5 good → 71.43; 5 active, 3 good → 60.00; 2 bad → 100.00, 50.00, 100.00; 7 closed, 2 unrated →
      28.57.
  Worst indicators: 办事指南精确度 (4 + 1) / 2 = 2.50, then 办事效率 (5 + 1) / 2 = 3.00 and 服务态度 3.00.
  Worst tags with bad reviews: slow 2, unclear_guide 1 (b1's attitude is excluded).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from bianmin.core.testing import at, decided, delivered, user
from bianmin.org.models import Site, Window
from bianmin.ratings.models import Channel, Rating, Rectification
from bianmin.ratings.selectors import rating_figures, worst_indicators, worst_tags
from bianmin.ratings.services import (
    appeal_decide,
    appeal_file,
    rating_prompt_at_window,
    rating_submit,
    ratings_default_apply,
    rectification_call_back,
    rectification_rate_fix,
    rectification_record_outcome,
    rectification_rectify,
    rectification_verify,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CLOSED, RATED = at(2026, 9, 29), at(2026, 9, 30)
PERIOD = {"start": datetime.date(2026, 9, 1), "end": datetime.date(2026, 10, 31)}


def rate(case, channel=Channel.ONLINE, **options):
    return rating_submit(actor=None, case=case, channel=channel, now=RATED, **options)


def town_case():
    """Received at the town hall by its clerk, denied at the county, the denial handed over by the system."""
    from bianmin.core.testing import handed_over

    return handed_over(decided("NY-0001", "BS", approve=False, reasons="不符合条件。", now=CLOSED), now=CLOSED)


def task_of(rating: Rating) -> Rectification:
    return Rectification.objects.get(rating=rating)


@pytest.fixture
def constructed(county):
    c1, c2, c3, c4, _c5 = (delivered(now=CLOSED) for _ in range(5))
    b1, _b2 = (town_case() for _ in range(2))
    rate(c1, level=5, indicators={"handling_efficiency": 5, "guide_accuracy": 4})
    rate(c2, level=4)
    window = Window.objects.get(site__code="YX", number="1")
    prompt = rating_prompt_at_window(actor=user("county_clerk"), case=c2, window=window, now=RATED)
    rate(c2, Channel.WINDOW, level=3, indicators={"service_attitude": 3}, prompt=prompt)
    head = user("market_head")
    done = task_of(
        rate(c3, level=1, indicators={"handling_efficiency": 1, "guide_accuracy": 1}, tags=["slow", "unclear_guide"])
    )
    rectification_verify(actor=head, rectification=done, is_founded=True, findings="属实。", now=at(2026, 10, 8))
    rectification_rectify(actor=head, rectification=done, measures="已整改。", now=at(2026, 10, 8))
    rectification_call_back(actor=head, rectification=done, note="认可。", now=at(2026, 10, 9))
    rectification_record_outcome(actor=head, rectification=done, outcome="办结。", now=at(2026, 10, 9))
    rectification_rate_fix(actor=None, rectification=done, level=4, now=at(2026, 10, 9))
    answered = task_of(rate(c4, Channel.SMS, level=2, tags=["slow"]))
    rectification_verify(actor=head, rectification=answered, is_founded=False, findings="误解。", now=at(2026, 10, 8))
    excluded = task_of(rate(b1, level=2, tags=["attitude"]))
    appeal_file(actor=user("admin"), rectification=excluded, reason="误评。", now=at(2026, 10, 8))
    appeal_decide(actor=user("supervisor"), rectification=excluded, uphold=True, note="成立。", now=at(2026, 10, 9))
    assert ratings_default_apply(now=at(2026, 10, 7), days=7) == 2
    return {"YX": Site.objects.get(code="YX").pk, "BS": Site.objects.get(code="BS").pk, "window": window.pk}


def rates(figures) -> tuple:
    return (
        figures.total,
        figures.good_rate,
        figures.active_good_rate,
        figures.unrated_rate,
        figures.reply_rate,
        figures.rectified_rate,
        figures.fix_satisfaction_rate,
    )


D = Decimal


def test_each_rate_of_the_standard_per_site_and_for_everything(constructed):
    by_site = {row.key: rates(row) for row in rating_figures(by="site", **PERIOD)}
    assert by_site == {
        constructed["YX"]: (6, D("66.67"), D("60.00"), D("20.00"), D("100.00"), D("50.00"), D("100.00")),
        constructed["BS"]: (1, D("100.00"), None, D("50.00"), None, None, None),
    }
    assert rates(rating_figures(**PERIOD)[0]) == (
        7,
        D("71.43"),
        D("60.00"),
        D("28.57"),
        D("100.00"),
        D("50.00"),
        D("100.00"),
    )
    # One site alone, as a hall screen asks for it; with its village rooms; one window
    assert rates(rating_figures(site_id=constructed["BS"], **PERIOD)[0])[:4] == (1, D("100.00"), None, D("50.00"))
    town = Site.objects.get(code="BS")
    assert rates(rating_figures(site__path__startswith=town.path, **PERIOD)[0])[:4] == (
        1,
        D("100.00"),
        None,
        D("50.00"),
    )
    assert rates(rating_figures(window_id=constructed["window"], **PERIOD)[0])[:4] == (6, D("66.67"), D("60.00"), None)


def test_the_rates_per_window_and_staff_member(constructed):
    by_window = {row.key: (row.total, row.good_rate, row.unrated_rate) for row in rating_figures(by="window", **PERIOD)}
    # every rating counts at the receiving clerk's window (the tablet's: its own); 未评率 is not counted per window
    town_window = Window.objects.get(site__code="BS", number="1").pk
    assert by_window == {constructed["window"]: (6, D("66.67"), None), town_window: (1, D("100.00"), None)}
    by_staff = {
        user_id: (row.total, row.good_rate, row.unrated_rate)
        for row in rating_figures(by="staff", **PERIOD)
        for user_id in [row.key]
    }
    assert by_staff == {
        user("county_clerk").pk: (6, D("66.67"), D("20.00")),
        user("baisha_clerk").pk: (1, D("100.00"), D("50.00")),
    }


def test_the_worst_indicators_and_tags(constructed):
    ratings = Rating.objects.all()
    indicators = [(row["code"], row["average"], row["count"]) for row in worst_indicators(ratings, **PERIOD)]
    assert indicators == [
        ("guide_accuracy", D("2.50"), 2),
        ("handling_efficiency", D("3.00"), 2),
        ("service_attitude", D("3.00"), 1),
    ]
    assert [(row["code"], row["count"]) for row in worst_tags(ratings, **PERIOD)] == [("slow", 2), ("unclear_guide", 1)]


def test_the_figures_are_two_aggregates_whatever_the_rows(constructed, django_assert_num_queries):
    with django_assert_num_queries(2):
        rating_figures(by="department", **PERIOD)
