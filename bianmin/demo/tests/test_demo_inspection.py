import datetime
from decimal import Decimal

from bianmin.demo.inspection import load_demo_inspection
from bianmin.inspection.models import Rectification, Round, ScorePhoto
from bianmin.inspection.selectors import ranking

TODAY = datetime.date(2026, 12, 4)


def test_the_demo_ranks_june_s_round_and_opens_a_recheck_round(county):
    # when the demo's inspection is loaded, twice
    assert load_demo_inspection(today=TODAY) == 24
    assert load_demo_inspection(today=TODAY) == 0
    # then June's round is published with the six towns ranked, and a re-check round of two towns is open
    june, recheck = Round.objects.order_by("inspection_end")
    assert (june.state, str(june.inspection_end), recheck.state) == ("published", "2026-06-20", "open")
    towns = [(row.rank, row.round_site.site.code, row.round_site.total) for row in ranking(june)["town"]]
    assert towns == [
        (1, "BS", Decimal("100.0")),
        (2, "FT", Decimal("96.0")),
        (3, "SX", Decimal("95.0")),
        (4, "FC", Decimal("90.0")),
        (5, "WY", Decimal("88.0")),
        (6, "TZ", Decimal("75.0")),
    ]
    assert ranking(june)["town"][0].round_site.is_exemplary
    assert sorted(recheck.sites.values_list("site__code", flat=True)) == ["BS", "FT"]
    # 5 photo indicators a town, 2 a room
    assert ScorePhoto.objects.count() == 6 * 5 + 18 * 2
    assert Rectification.objects.filter(round_site__round=june, round_site__site__code="TZ").count() == 2
