"""A window scheme and a staff scheme computed on constructed data, against values worked out by hand.

The data, March 2026 (SJ-0004 at the county, CZ-0002 at the towns: both promised in 5 working days), computed on
2026-04-01:
  YX window 1 (county_clerk): 4 cases received 03-02, accepted 03-03, promised 03-10, still open → 4 overdue;
      2 cases decided 03-04 → on time 2 of 2; a yellow card (the sweep's alert) on one overdue case; the duty
      managers' vote: 90 %.
  BS window 1 (baisha_clerk): 1 case decided 03-04 (on time), 1 decided 03-20 (late: overdue, and on time 1 of 2);
      the late one rated 非常不满意 online and the review verified as founded; hall discipline −1 (manual).
  FT window 1 (futu_clerk): a red card (alert) on a case received there; a commendation +3 (manual).
The scheme: base 100, cap 110; overdue −5 (at most 15); yellow card −2 (at most 10); red card −5 (at most 10,
lowers the grade one step); bad review upheld −2 (at most 10); on-time rate (promised) weight 10; hall discipline
(manual, at most 5); the duty managers' vote weight 20. Grades: 优秀 from 95, 良好 from 85, 合格 from 60.
By hand:
  YX 1: 100 − min(20, 15) − 2 − 10 × (1 − 2/2) − 20 × (1 − 0.9) = 81.00 → 合格
  BS 1: 100 − 5 − 2 − 10 × (1 − 1/2) − 1 = 87.00 → 良好
  FT 1: 100 − 5 + 3 = 98.00 → 优秀, lowered by the red card to 良好
  every other window: 100.00 → 优秀, but at most 10 % of the windows (rounded down) keep it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bianmin.assessment.models import Grade, ItemResult, SubjectResult
from bianmin.assessment.services import manual_score_enter
from bianmin.cases.models import Case
from bianmin.core.testing import at, decided, overdue, received, role_holder, user
from bianmin.org.models import Role, Window
from bianmin.ratings.models import Channel, Level
from bianmin.ratings.services import rating_submit, rectification_verify
from bianmin.supervision.models import Alert

from .conftest import MARCH

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("county", "english")]

WINDOW_ITEMS = [
    {"name": "超时办件", "kind": "points", "metric": "overdue_cases", "per_event": Decimal(-5), "cap": Decimal(15)},
    {"name": "黄牌", "kind": "points", "metric": "yellow_cards", "per_event": Decimal(-2), "cap": Decimal(10)},
    {
        "name": "红牌",
        "kind": "points",
        "metric": "red_cards",
        "per_event": Decimal(-5),
        "cap": Decimal(10),
        "lowers_grade": True,
    },
    {
        "name": "差评属实",
        "kind": "points",
        "metric": "bad_reviews_upheld",
        "per_event": Decimal(-2),
        "cap": Decimal(10),
    },
    {"name": "按时办结率", "kind": "rate", "metric": "on_time_promised", "weight": Decimal(10)},
    {"name": "大厅纪律", "kind": "manual", "cap": Decimal(5)},
    {"name": "值班长测评", "kind": "vote", "weight": Decimal(20)},
]
THRESHOLDS = {"excellent_from": Decimal(95), "good_from": Decimal(85), "pass_from": Decimal(60)}


def window(site: str, number: str = "1") -> Window:
    return Window.objects.get(site__code=site, number=number)


def alert(case: Case, level: str, rule: str, day: int) -> Alert:
    """What the sweep writes for a rule broken on a case (supervision.sweep), on that day of March."""
    return Alert.objects.create(
        rule=rule,
        key=str(case.pk),
        level=level,
        case=case,
        site=case.receiving_site,
        department=case.department,
        raised_at=at(2026, 3, day),
        raised_on=at(2026, 3, day).date(),
    )


def march_data() -> dict:
    open_cases = [overdue() for _ in range(4)]
    for _ in range(2):
        decided(received_at=at(2026, 3, 2), now=at(2026, 3, 4))
    alert(open_cases[0], "yellow", "case_overdue_promised", 11)
    decided("CZ-0002", "BS", received_at=at(2026, 3, 2), now=at(2026, 3, 4))
    late = decided("CZ-0002", "BS", received_at=at(2026, 3, 2), now=at(2026, 3, 20))
    rating = rating_submit(
        actor=None, case=late, channel=Channel.ONLINE, level=Level.VERY_DISSATISFIED, now=at(2026, 3, 21)
    )
    rectification_verify(
        actor=user("baisha_clerk"),
        rectification=rating.rectification,
        is_founded=True,
        findings="属实",
        now=at(2026, 3, 23),
    )
    red = received("CZ-0002", "FT", now=at(2026, 3, 2))
    alert(red, "red", "refusal_without_reasons", 15)
    return {"open": open_cases, "late": late, "rating": rating, "red": red}


def enter_manual_scores(scheme) -> None:
    admin = user("centre_admin")
    discipline, vote = scheme.items.get(name="大厅纪律"), scheme.items.get(name="值班长测评")
    manual_score_enter(
        actor=admin,
        item=discipline,
        period_start=MARCH,
        subject_id=window("FT").pk,
        points="3",
        reason="群众来信表扬",
        evidence="表扬信 2026-03-18",
    )
    manual_score_enter(
        actor=admin,
        item=discipline,
        period_start=MARCH,
        subject_id=window("BS").pk,
        points="-1",
        reason="上班时间玩手机",
        evidence="巡查记录",
    )
    manual_score_enter(
        actor=admin,
        item=vote,
        period_start=MARCH,
        subject_id=window("YX").pk,
        points="90",
        reason="值班长测评 9 票中 8.1 票",
    )


def test_window_scheme_scores_grades_quota_and_awards(make_scheme, run_now):
    # given the month's data and a window scheme with a quota of 10 % 优秀 and 2 red flags
    data = march_data()
    scheme = make_scheme(WINDOW_ITEMS, excellent_quota_percent=10, awards=2, **THRESHOLDS)
    enter_manual_scores(scheme)
    # when the worker computes March
    run = run_now(scheme)
    # then
    assert run.state == "computed" and run.progress == 100
    windows = Window.objects.filter(is_active=True).count()
    assert run.subjects == windows
    results = {result.subject_id: result for result in run.results.all()}
    yx, bs, ft = results[window("YX").pk], results[window("BS").pk], results[window("FT").pk]
    assert (yx.score, yx.grade, yx.is_grade_lowered) == (Decimal("81.00"), Grade.PASS, False)
    assert (bs.score, bs.grade) == (Decimal("87.00"), Grade.GOOD)
    assert (ft.score, ft.grade, ft.is_grade_lowered, ft.has_award) == (Decimal("98.00"), Grade.GOOD, True, False)
    others = [r for pk, r in results.items() if pk not in {window("YX").pk, window("BS").pk, window("FT").pk}]
    assert {r.score for r in others} == {Decimal("100.00")}
    assert sum(r.grade == Grade.EXCELLENT for r in results.values()) == windows * 10 // 100
    assert sum(r.is_quota_limited for r in others) == len(others) - windows * 10 // 100
    assert {r.rank for r in others} == {1} and ft.rank == len(others) + 1 and bs.rank == ft.rank + 1
    assert yx.rank == windows
    awarded = [r for r in results.values() if r.has_award]
    assert len(awarded) == 2 and all(r.score == Decimal("100.00") for r in awarded)

    # and every item is explained down to the records behind it
    items = {item.name: item for item in yx.items.all()}
    assert (items["超时办件"].count, items["超时办件"].points, items["超时办件"].is_capped) == (4, Decimal(-15), True)
    assert sorted(items["超时办件"].evidence["cases.case"]) == sorted(case.pk for case in data["open"])
    assert items["黄牌"].points == Decimal(-2)
    assert (items["按时办结率"].numerator, items["按时办结率"].denominator, items["按时办结率"].points) == (2, 2, 0)
    assert (items["值班长测评"].rate, items["值班长测评"].points) == (Decimal("0.9000"), Decimal(-2))
    bs_items = {item.name: item for item in bs.items.all()}
    assert bs_items["差评属实"].evidence == {"ratings.rating": [data["rating"].pk]}
    assert bs_items["超时办件"].evidence == {"cases.case": [data["late"].pk]}
    assert (bs_items["按时办结率"].rate, bs_items["按时办结率"].points) == (Decimal("0.5000"), Decimal("-5.00"))
    assert bs_items["大厅纪律"].points == Decimal(-1) and "上班时间玩手机" in bs_items["大厅纪律"].note
    ft_items = {item.name: item for item in ft.items.all()}
    assert ft_items["红牌"].count == 1 and ft_items["大厅纪律"].points == Decimal(3)


def test_the_chief_representative_carries_half_of_the_windows_deductions(make_scheme, run_now):
    # given a clerk at the market window (6, SJ, whose chief representative is market_chief) with 3 overdue cases
    role_holder("sj_clerk", Role.CLERK, site="YX", window="6", is_staff=True, full_name="市场窗口")
    for _ in range(3):
        overdue(by="sj_clerk")
    overdue()  # county_clerk's window 1 serves no department with a chief representative
    items = [
        {"name": "超时办件", "kind": "points", "metric": "overdue_cases", "per_event": Decimal(-5), "cap": Decimal(20)}
    ]
    scheme = make_scheme(items, name="工作人员月度考核", subject_kind="staff", **THRESHOLDS)
    # when
    run = run_now(scheme)
    # then window 6 lost 15 points: the clerk 15, the chief representative half of them; land_chief nothing
    scores = {r.subject_id: r for r in run.results.all()}
    assert scores[user("sj_clerk").pk].score == Decimal("85.00")
    chief = scores[user("market_chief").pk]
    assert chief.score == Decimal("92.50") and chief.grade == Grade.GOOD
    share = chief.items.get(metric="chief_representative_share")
    assert (share.points, share.evidence) == (Decimal("-7.50"), {"org.window": [window("YX", "6").pk]})
    assert scores[user("county_clerk").pk].score == Decimal("95.00")
    assert scores[user("land_chief").pk].score == Decimal("100.00")
    # the land window's chief representative is told there was nothing to carry
    nothing = ItemResult.objects.get(result=scores[user("land_chief").pk], metric="chief_representative_share")
    assert (nothing.points, nothing.evidence) == (Decimal("0.00"), {"org.window": []})


def test_a_site_scheme_counts_half_days_without_a_cadre_on_duty(make_scheme, run_now):
    # given two working days of March without a cadre on duty at 白沙镇 (the sweep's duty_missing alerts)
    from bianmin.org.models import Site

    baisha = Site.objects.get(code="BS")
    for day in (9, 10):
        Alert.objects.create(
            rule="duty_missing",
            key=f"{baisha.pk}:2026-03-{day:02}",
            level="warning",
            site=baisha,
            raised_at=at(2026, 3, day),
            raised_on=at(2026, 3, day).date(),
        )
    items = [
        {
            "name": "值班",
            "kind": "points",
            "metric": "duty_half_days_missed",
            "per_event": Decimal(-3),
            "cap": Decimal(20),
        }
    ]
    scheme = make_scheme(items, name="乡镇便民服务中心考核", subject_kind="site", site_level="town", **THRESHOLDS)
    # when
    run = run_now(scheme)
    # then 4 half-days × 3 = 12 points
    result = SubjectResult.objects.get(run=run, subject_id=baisha.pk)
    assert result.score == Decimal("88.00")
    assert result.items.get().count == 4


def test_working_days_against_the_promise_and_first_inquiries_answered_on_time(make_scheme, run_now):
    # given two cases of the county's window 1 decided in March: one within its 5 promised days, one after 13 working
    # days; and three inquiries logged there: answered the same day, the next working day, and three days later
    from bianmin.cases.inquiries import inquiry_answer, inquiry_log
    from bianmin.cases.services import case_decide
    from bianmin.core.dates import SHANGHAI
    from bianmin.core.testing import accepted, steps_done
    from bianmin.core.workdays import workdays_between
    from bianmin.org.models import Site

    quick = accepted(received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    slow = accepted(received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    for case, day in ((quick, 4), (slow, 20)):
        steps_done(case, by="admin", now=at(2026, 3, day))
        case_decide(actor=user("admin"), case=case, approve=True, now=at(2026, 3, day))
        case.refresh_from_db()
    used = [workdays_between(case.accepted_on, case.decided_at.astimezone(SHANGHAI).date()) for case in (quick, slow)]
    promised = [case.version.promised_days + case.extension_days for case in (quick, slow)]
    clerk, county = user("county_clerk"), Site.objects.get(code="YX")
    for logged, answered in (
        (at(2026, 3, 9, 9), at(2026, 3, 9, 15)),
        (at(2026, 3, 9, 9), at(2026, 3, 10, 9)),
        (at(2026, 3, 9, 9), at(2026, 3, 12, 9)),
    ):
        inquiry = inquiry_log(actor=clerk, asked_by="李四", question="办证要带什么？", site=county, now=logged)
        inquiry_answer(actor=clerk, inquiry=inquiry, answer="身份证", now=answered)
    items = [
        {"name": "办理用时", "kind": "rate", "metric": "working_days_within_promise", "weight": Decimal(10)},
        {"name": "首问按时答复", "kind": "rate", "metric": "inquiries_answered_on_time", "weight": Decimal(10)},
    ]
    # when
    run = run_now(make_scheme(items, **THRESHOLDS))
    # then: Σ promised ÷ Σ max(used, promised), and 2 of 3 inquiries within one working day
    result = run.results.get(subject_id=window("YX").pk)
    days, inquiries = result.items.order_by("position")
    expected = Decimal(sum(promised)) / Decimal(sum(max(u, p) for u, p in zip(used, promised, strict=True)))
    assert used[1] > promised[1] and (days.numerator, days.denominator) == (
        sum(promised),
        sum(max(u, p) for u, p in zip(used, promised, strict=True)),
    )
    assert days.points == (-10 * (1 - expected)).quantize(Decimal("0.01"))
    assert (inquiries.numerator, inquiries.denominator) == (2, 3)
    assert inquiries.points == Decimal("-3.33")
    assert result.score == (100 + days.points + inquiries.points)
