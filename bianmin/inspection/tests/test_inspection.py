"""The inspection: sheets from the plan, a round's moves, scoring, results, ranking, rectification, the assessment's
metric. Exact values computed by hand from the sheets in ``sheets.py``."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, refused, user
from bianmin.org.models import Site

from .. import services
from ..models import Rectification, RoundSite, ScoreEntry, ScorePhoto, Sheet
from ..selectors import ranking, site_inspection_scores
from .kit import CLOSING_DAY, ROOMS, TOWNS, inspector, leaves, photo_upload, round_of_towns, score_sheet

pytestmark = pytest.mark.django_db


def _site(round_, code: str) -> RoundSite:
    return RoundSite.objects.get(round=round_, site__code=code)


def test_the_plan_sheets_are_seeded_once_with_100_points_each(county):
    # given nothing, when seeded twice
    assert services.sheets_seed(actor=user("centre_admin")) == 5
    assert services.sheets_seed(actor=user("centre_admin")) == 0
    # then each sheet's scored indicators add up to 100, and the levels differ by the hall's area
    for sheet in Sheet.objects.all():
        leaves_ = sheet.indicators.filter(children__isnull=True)
        assert sum(indicator.points for indicator in leaves_) == Decimal("100"), sheet.name
    town = Sheet.objects.get(tier="town", level="standard").indicators.get(code="1.1")
    exemplary = Sheet.objects.get(tier="town", level="exemplary").indicators.get(code="1.1")
    assert (town.title, exemplary.title) == ("集中办公场所面积不少于100平方米", "集中办公场所面积不少于150平方米")
    room = Sheet.objects.get(tier="village", level="standard")
    assert [i.title for i in room.indicators.order_by("order")] == [
        "有牌子", "有班子", "有事项", "有电脑", "有制度", "有台帐", "有必要的经费保障",
    ]  # fmt: skip


def test_only_a_county_administrator_keeps_sheets_and_rounds(county):
    with refused("permission_denied"):
        services.sheets_seed(actor=user("baisha_clerk"))
    with refused("permission_denied"):
        services.round_create(actor=user("supervisor"), name="x", year=2026)
    assert Sheet.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="inspection.").exists()


def test_a_round_has_the_plan_phases_and_its_moves_follow_the_table(county):
    round_, _a, _b = round_of_towns()
    assert (round_.preparation_start, round_.preparation_end) == (datetime.date(2026, 3, 1), datetime.date(2026, 4, 30))
    assert (round_.implementation_start, round_.implementation_end) == (
        datetime.date(2026, 5, 1),
        datetime.date(2026, 5, 31),
    )
    assert (round_.inspection_start, round_.inspection_end) == (datetime.date(2026, 6, 1), datetime.date(2026, 6, 20))
    with refused("transition_not_allowed"):
        services.round_move(actor=user("centre_admin"), round_=round_, move="publish")
    actions = list(AuditEvent.objects.filter(action__startswith="inspection.round_").values_list("action", flat=True))
    assert actions == ["inspection.round_create"] + ["inspection.round_assign"] * 8 + ["inspection.round_open"]


def _scored_round():
    round_, group_a, group_b = round_of_towns()
    jiwei = inspector("jiwei", group_a, "discipline")
    centre = inspector("zhongxin", group_b, "service_centre")
    score_sheet(jiwei, _site(round_, "BS"))
    # 浮屠镇: 电脑 first given 4, then 0 an hour later: the later score counts
    score_sheet(jiwei, _site(round_, "FT"), hour=9)
    score_sheet(jiwei, _site(round_, "FT"), {"3.1": 0}, hour=10)
    score_sheet(jiwei, _site(round_, "SX"), {"5.1": 10})
    score_sheet(jiwei, _site(round_, "WY"), {"1.1": 0})
    score_sheet(jiwei, _site(round_, "FC"), {"6.1": 0})
    score_sheet(jiwei, _site(round_, "TZ"), {"2.1": 0, "6.1": 0})
    score_sheet(centre, _site(round_, "BS01"), {"7": 5})
    score_sheet(centre, _site(round_, "FT01"))
    services.round_move(actor=user("centre_admin"), round_=round_, move="close", today=CLOSING_DAY)
    services.round_move(actor=user("centre_admin"), round_=round_, move="publish")
    return round_, group_a, jiwei


def test_closing_ranks_the_six_towns_marks_the_exemplary_site_and_opens_rectification_items(county):
    # given six towns and two rooms scored (BS on the exemplary sheet)
    round_, _group, _jiwei = _scored_round()
    # then the ranking of the towns, equal totals sharing a rank, with the evidence photos behind each
    ranked = ranking(round_)
    towns = [(row.rank, row.round_site.site.code, row.round_site.total) for row in ranked["town"]]
    assert towns == [
        (1, "BS", Decimal("100.0")),
        (2, "FT", Decimal("96.0")),
        (3, "SX", Decimal("95.0")),
        (4, "FC", Decimal("90.0")),
        (4, "WY", Decimal("90.0")),
        (6, "TZ", Decimal("75.0")),
    ]
    # five photo indicators a sheet; 浮屠镇 scored twice
    assert [row.round_site.photo_count for row in ranked["town"]] == [5, 10, 5, 5, 5, 5]
    assert ScorePhoto.objects.count() == 7 * 5 + 2 * 2
    marks = {rs.site.code: (rs.is_passed, rs.is_exemplary) for rs in RoundSite.objects.select_related("site")}
    assert marks == {
        "BS": (True, True),
        "FT": (True, False),
        "SX": (True, False),
        "WY": (True, False),
        "FC": (True, False),
        "TZ": (False, False),
        "BS01": (True, False),
        "FT01": (True, False),
    }
    rooms = [(row.rank, row.round_site.site.code, row.round_site.total) for row in ranked["village"]]
    assert rooms == [(1, "FT01", Decimal("100.0")), (2, "BS01", Decimal("95.0"))]
    # and each failed indicator is an item to rectify within 20 working days of the closing day
    items = sorted(
        (item.round_site.site.code, item.indicator.code, item.points_missed, item.deadline)
        for item in Rectification.objects.select_related("round_site__site", "indicator")
    )
    deadline = datetime.date(2026, 7, 20)
    assert items == [
        ("BS01", "7", Decimal("5.0"), deadline),
        ("FC", "6.1", Decimal("10.0"), deadline),
        ("FT", "3.1", Decimal("4.0"), deadline),
        ("SX", "5.1", Decimal("5.0"), deadline),
        ("TZ", "2.1", Decimal("15.0"), deadline),
        ("TZ", "6.1", Decimal("10.0"), deadline),
        ("WY", "1.1", Decimal("10.0"), deadline),
    ]
    close = AuditEvent.objects.get(action="inspection.round_close")
    assert close.payload["results"]["TZ"] == "75.0"


def test_the_assessment_reads_each_site_s_latest_closed_round_in_the_period(county):
    _round, group_a, jiwei = _scored_round()
    # given a later round of 2026 that scored only 白沙镇 (lower), and an open round of 2027
    admin = user("centre_admin")
    later = services.round_create(
        actor=admin,
        name="复查",
        year=2026,
        inspection_start=datetime.date(2026, 11, 1),
        inspection_end=datetime.date(2026, 11, 20),
    )
    services.round_assign(actor=admin, round_=later, site=Site.objects.get(code="BS"), group=group_a, level="standard")
    services.round_move(actor=admin, round_=later, move="open")
    score_sheet(jiwei, _site(later, "BS"), {"4.2": 0})
    services.round_move(actor=admin, round_=later, move="close", today=datetime.date(2026, 11, 23))
    services.round_create(actor=admin, name="2027", year=2027)
    sites = {site.code: site.pk for site in Site.objects.filter(code__in=TOWNS + ROOMS)}
    # when the whole year is read: 白沙镇 from the later round, everyone else from June's
    scores = site_inspection_scores(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert scores == {
        sites["BS"]: Decimal("92.0"),
        sites["FT"]: Decimal("96.0"),
        sites["SX"]: Decimal("95.0"),
        sites["WY"]: Decimal("90.0"),
        sites["FC"]: Decimal("90.0"),
        sites["TZ"]: Decimal("75.0"),
        sites["BS01"]: Decimal("95.0"),
        sites["FT01"]: Decimal("100.0"),
    }
    # the first half-year holds June's round only; a period without a closed round nothing
    assert site_inspection_scores(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))[sites["BS"]] == Decimal(
        "100.0"
    )
    assert site_inspection_scores(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31)) == {}
    # and 白沙镇's one failed indicator of the later round is its one item to rectify
    assert Rectification.objects.filter(round_site__site__code="BS", state="open").count() == 1


def test_a_rectified_item_is_rechecked_by_the_next_round(county):
    round_, group_a, jiwei = _scored_round()
    item = Rectification.objects.get(round_site__site__code="FT", indicator__code="3.1")
    # when 浮屠镇's clerk rectifies with a photo
    services.rectification_rectify(
        actor=user("futu_clerk"), item=item, account="已配备电脑两台。", evidence=photo_upload(), now=at(2026, 7, 1)
    )
    item.refresh_from_db()
    assert (item.state, item.account, item.evidence.name.endswith(".jpg")) == ("rectified", "已配备电脑两台。", True)
    with refused("transition_not_allowed"):
        services.rectification_rectify(actor=user("futu_clerk"), item=item, account="again")
    # and the next round finds it passed, and 太子镇's two items still failed
    admin = user("centre_admin")
    later = services.round_create(
        actor=admin,
        name="复查",
        year=2026,
        inspection_start=datetime.date(2026, 11, 1),
        inspection_end=datetime.date(2026, 11, 20),
    )
    for code in ("FT", "TZ"):
        services.round_assign(
            actor=admin, round_=later, site=Site.objects.get(code=code), group=group_a, level="standard"
        )
    services.round_move(actor=admin, round_=later, move="open")
    score_sheet(jiwei, _site(later, "FT"))
    score_sheet(jiwei, _site(later, "TZ"), {"2.1": 0})
    services.round_move(actor=admin, round_=later, move="close", today=datetime.date(2026, 11, 23))
    states = dict(
        Rectification.objects.filter(round_site__round=round_, round_site__site__code__in=["FT", "TZ"]).values_list(
            "indicator__code", "state"
        )
    )
    assert states == {"3.1": "resolved", "2.1": "failed", "6.1": "resolved"}


def test_another_town_s_staff_cannot_rectify_and_nothing_changes(county):
    _round, _group, _jiwei = _scored_round()
    item = Rectification.objects.get(round_site__site__code="FT", indicator__code="3.1")
    with refused("permission_denied"):
        services.rectification_rectify(actor=user("baisha_clerk"), item=item, account="x")
    with refused("permission_denied"):
        services.rectification_rectify(actor=user("supervisor"), item=item, account="x")
    item.refresh_from_db()
    assert (item.state, item.account) == ("open", "")


def test_scores_are_checked_against_the_sheet(county):
    round_, group_a, _b = round_of_towns()
    jiwei = inspector("jiwei", group_a, "discipline")
    round_site = _site(round_, "BS")
    by_code = {indicator.code: indicator for indicator in leaves(round_site)}

    def sync(code: str, points: str, photos=()):
        return services.score_sync(
            actor=jiwei,
            round_site=round_site,
            score=services.ScoreInput(uuid.uuid4(), by_code[code].pk, Decimal(points), at(2026, 6, 10)),
            photos=list(photos),
        )

    with refused("invalid_input"):
        sync("1.1", "10.5")
    with refused("photo_required"):
        sync("3.1", "4")
    with refused("permission_denied"):
        services.score_sync(
            actor=user("supervisor"),
            round_site=round_site,
            score=services.ScoreInput(uuid.uuid4(), by_code["1.1"].pk, Decimal("10"), at(2026, 6, 10)),
        )
    assert ScoreEntry.objects.count() == 0
    entry, created = sync("3.1", "4", [photo_upload()])
    assert (created, entry.points, entry.photos.count()) == (True, Decimal("4"), 1)
