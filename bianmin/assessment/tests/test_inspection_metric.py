"""The standardisation inspection's site scores feed a site scheme's rate item (issue 12: "results flow into the
sites' assessment")."""

import datetime
from decimal import Decimal

from bianmin.assessment.compute import rate_item
from bianmin.assessment.metrics import Period, compute_metric
from bianmin.assessment.models import ItemKind, SchemeItem
from bianmin.inspection.tests.test_inspection import _scored_round
from bianmin.org.models import Site

JUNE = Period(datetime.date(2026, 6, 1), datetime.date(2026, 6, 30), as_of=datetime.date(2026, 6, 30))


def test_a_sites_inspection_score_is_its_share_of_the_sheets_100_points_in_a_site_scheme(county):
    # Given June's round closed: 太子镇 75 points, 白沙镇 100, 浮屠镇 96
    _scored_round()
    sites = {site.code: site.pk for site in Site.objects.filter(code__in=["TZ", "BS", "FT", "YX"])}

    # When a site scheme reads the metric for June, and a window scheme asks it too
    figures = compute_metric("inspection_score", JUNE, "site")

    # Then each inspected site's share, in hundredths of a point; the county centre was not inspected
    assert [(figures[sites[code]].numerator, figures[sites[code]].denominator) for code in ("TZ", "BS", "FT")] == [
        (7500, 10000),
        (10000, 10000),
        (9600, 10000),
    ]
    assert sites["YX"] not in figures
    assert compute_metric("inspection_score", JUNE, "window") == {}
    # … and a rate item of weight 20 takes 20 × (1 − 0.75) = 5 points from 太子镇, none from 白沙镇
    item = SchemeItem(name="标准化考核验收", kind=ItemKind.RATE, metric="inspection_score", weight=Decimal(20))
    assert rate_item(item, figures[sites["TZ"]]).points == Decimal("-5.00")
    assert rate_item(item, figures[sites["BS"]]).points == Decimal("0.00")
