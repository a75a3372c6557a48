"""Computing a run: every subject's score from the scheme's items, the grades, ranks and awards; set-based (one
grouped query per metric, ``metrics``), then written as frozen rows in one transaction."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from bianmin.accounts.models import User
from bianmin.org.models import Department, Role, RoleAssignment, Site, Window

from .metrics import Figure, Figures, Period, compute_metric
from .models import (
    GRADE_ORDER,
    Grade,
    ItemKind,
    ItemResult,
    ManualScore,
    Scheme,
    SchemeItem,
    SubjectKind,
    SubjectResult,
)
from .periods import period_end

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
CHIEF_SHARE_NAME = _("Chief representative's share of the windows' deductions")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def subjects_of(scheme: Scheme) -> dict[int, str]:
    """The scheme's subjects (id → the name the results keep), active ones only, in one query."""
    if scheme.subject_kind == SubjectKind.DEPARTMENT:
        return dict(Department.objects.filter(is_active=True).values_list("pk", "name"))
    if scheme.subject_kind == SubjectKind.SITE:
        sites = Site.objects.filter(is_active=True)
        if scheme.site_level:
            sites = sites.filter(level=scheme.site_level)
        return dict(sites.values_list("pk", "name"))
    if scheme.subject_kind == SubjectKind.WINDOW:
        windows = Window.objects.filter(is_active=True, site__is_active=True).values_list(
            "pk", "site__name", "number", "name"
        )
        return {pk: f"{site} · {number} {name}" for pk, site, number, name in windows}
    staff = (
        User.objects.filter(
            is_active=True,
            role_assignments__is_active=True,
            role_assignments__role__in=[Role.CLERK, Role.AGENT, Role.CHIEF_REPRESENTATIVE],
        )
        .distinct()
        .values_list("pk", "full_name", "username")
    )
    return {pk: full_name or username for pk, full_name, username in staff}


@dataclass
class ItemScore:
    item: SchemeItem
    points: Decimal
    count: Decimal | None = None
    rate: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None
    is_capped: bool = False
    note: str = ""
    evidence: dict = field(default_factory=dict)


def points_item(item: SchemeItem, figure: Figure | None) -> ItemScore:
    """``per_event`` × events, at most ``cap`` points either way."""
    figure = figure or Figure()
    raw = item.per_event * figure.count
    capped = raw
    if item.cap is not None and abs(raw) > item.cap:
        capped = item.cap if raw > 0 else -item.cap
    return ItemScore(item, _round(capped), count=figure.count, is_capped=capped != raw, evidence=dict(figure.evidence))


def rate_item(item: SchemeItem, figure: Figure | None) -> ItemScore:
    """Loses ``weight`` × (1 − rate); nothing to count (no case, no rating) loses nothing."""
    if figure is None or figure.denominator == 0:
        return ItemScore(item, ZERO, numerator=0, denominator=0)
    rate = Decimal(figure.numerator) / Decimal(figure.denominator)
    return ItemScore(
        item,
        _round(-item.weight * (ONE - rate)),
        rate=rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        numerator=figure.numerator,
        denominator=figure.denominator,
    )


def manual_item(item: SchemeItem, score: ManualScore | None) -> ItemScore:
    """A manual item: the assessor's points, at most ``cap`` either way. A vote: the share of votes (0–100 %)
    of ``weight``, losing the rest."""
    if score is None:
        return ItemScore(item, ZERO)
    note = f"{score.reason} ({score.assessor})"
    if item.kind == ItemKind.VOTE:
        share = min(max(score.points, ZERO), Decimal(100)) / Decimal(100)
        return ItemScore(item, _round(-item.weight * (ONE - share)), rate=share, note=note)
    points = score.points
    if item.cap is not None:
        points = max(-item.cap, min(item.cap, points))
    return ItemScore(item, _round(points), is_capped=points != score.points, note=note)


def grade_of(scheme: Scheme, score: Decimal) -> str:
    if score >= scheme.excellent_from:
        return Grade.EXCELLENT
    if score >= scheme.good_from:
        return Grade.GOOD
    if score >= scheme.pass_from:
        return Grade.PASS
    return Grade.FAIL


def lower(grade: str) -> str:
    index = GRADE_ORDER.index(grade)
    return GRADE_ORDER[min(index + 1, len(GRADE_ORDER) - 1)]


@dataclass
class Outcome:
    subject_id: int
    label: str
    items: list[ItemScore]
    score: Decimal = ZERO
    grade: str = Grade.PASS
    rank: int = 0
    is_grade_lowered: bool = False
    is_quota_limited: bool = False
    has_award: bool = False
    # A chief representative's share: (points, the windows behind it).
    share: tuple[Decimal, list[int]] | None = None


def chief_representative_shares(scheme: Scheme, items: list[SchemeItem], period: Period) -> dict[int, tuple]:
    """首席代表: a chief representative carries ``scheme.chief_representative_share`` of the deductions (points
    items below zero) of the windows serving their department (at their site, when the assignment names one).
    user id → (points, the windows' ids)."""
    deducting = [item for item in items if item.kind == ItemKind.POINTS and item.per_event < 0]
    if not deducting:
        return {}
    window_figures = {item.metric: compute_metric(item.metric, period, SubjectKind.WINDOW) for item in deducting}
    window_deductions: dict[int, Decimal] = {}
    for item in deducting:
        for window_id, figure in window_figures[item.metric].items():
            window_deductions[window_id] = window_deductions.get(window_id, ZERO) + points_item(item, figure).points
    departments = Window.departments.through.objects.values_list("window_id", "department_id", "window__site_id")
    serving: dict[int, list[tuple[int, int]]] = {}
    for window_id, department_id, site_id in departments:
        serving.setdefault(department_id, []).append((window_id, site_id))
    shares: dict[int, tuple] = {}
    chiefs = RoleAssignment.objects.filter(role=Role.CHIEF_REPRESENTATIVE, is_active=True).values_list(
        "user_id", "department_id", "site_id"
    )
    for user_id, department_id, site_id in chiefs:
        windows = [w for w, w_site in serving.get(department_id, []) if site_id is None or w_site == site_id]
        total = sum((window_deductions.get(w, ZERO) for w in windows), ZERO)
        points, earlier = shares.get(user_id, (ZERO, []))
        shares[user_id] = (points + total, earlier + [w for w in windows if window_deductions.get(w)])
    return {
        user_id: (_round(points * scheme.chief_representative_share), windows)
        for user_id, (points, windows) in shares.items()
    }


def compute_outcomes(
    scheme: Scheme, period: Period, *, progress: Callable[[int], None] = lambda percent: None
) -> list[Outcome]:
    """Every subject's items, score, grade (thresholds, then a red card's step down, then the quota of 优秀), rank
    (1, 2, 2, 4 …) and red flag (the first ``awards`` ranks that are neither lowered nor 不合格)."""
    items = list(scheme.items.all())
    subjects = subjects_of(scheme)
    figures: dict[str, Figures] = {}
    metrics = sorted({item.metric for item in items if item.kind in (ItemKind.POINTS, ItemKind.RATE)})
    for done, code in enumerate(metrics, start=1):
        figures[code] = compute_metric(code, period, scheme.subject_kind)
        progress(5 + 80 * done // max(len(metrics), 1))
    manual = {
        (score.item_id, score.subject_id): score
        for score in ManualScore.objects.filter(item__scheme=scheme, period_start=period.start).select_related(
            "assessor"
        )
    }
    shares = chief_representative_shares(scheme, items, period) if scheme.subject_kind == SubjectKind.STAFF else {}
    outcomes = []
    for subject_id, label in subjects.items():
        scores = []
        for item in items:
            if item.kind == ItemKind.POINTS:
                scores.append(points_item(item, figures[item.metric].get(subject_id)))
            elif item.kind == ItemKind.RATE:
                scores.append(rate_item(item, figures[item.metric].get(subject_id)))
            else:
                scores.append(manual_item(item, manual.get((item.pk, subject_id))))
        outcome = Outcome(subject_id, label, scores, share=shares.get(subject_id))
        share = outcome.share
        total = scheme.base + sum((score.points for score in scores), ZERO) + (share[0] if share else ZERO)
        outcome.score = _round(max(ZERO, min(scheme.cap, total)))
        outcome.grade = grade_of(scheme, outcome.score)
        if any(score.item.lowers_grade and score.count for score in scores):
            outcome.grade, outcome.is_grade_lowered = lower(outcome.grade), True
        outcomes.append(outcome)
    _rank(outcomes)
    _apply_quota(scheme, outcomes)
    _award(scheme, outcomes)
    return outcomes


def _rank(outcomes: list[Outcome]) -> None:
    outcomes.sort(key=lambda outcome: (-outcome.score, outcome.label, outcome.subject_id))
    for position, outcome in enumerate(outcomes, start=1):
        previous = outcomes[position - 2] if position > 1 else None
        outcome.rank = previous.rank if previous and previous.score == outcome.score else position


def _apply_quota(scheme: Scheme, outcomes: list[Outcome]) -> None:
    """At most ``excellent_quota_percent`` % of the subjects (rounded down) keep 优秀, best scores first; the rest
    of the 优秀 become 良好."""
    if scheme.excellent_quota_percent is None:
        return
    allowed = len(outcomes) * scheme.excellent_quota_percent // 100
    kept = 0
    for outcome in outcomes:
        if outcome.grade == Grade.EXCELLENT:
            if kept < allowed:
                kept += 1
            else:
                outcome.grade, outcome.is_quota_limited = Grade.GOOD, True


def _award(scheme: Scheme, outcomes: list[Outcome]) -> None:
    given = 0
    for outcome in outcomes:
        if given >= scheme.awards:
            return
        if not outcome.is_grade_lowered and outcome.grade != Grade.FAIL:
            outcome.has_award = True
            given += 1


def write_results(run, outcomes: list[Outcome]) -> None:
    """The frozen rows: one per subject, one per item (two bulk inserts)."""
    rows = SubjectResult.objects.bulk_create(
        SubjectResult(
            run=run,
            subject_id=outcome.subject_id,
            label=outcome.label[:200],
            score=outcome.score,
            grade=outcome.grade,
            rank=outcome.rank,
            is_grade_lowered=outcome.is_grade_lowered,
            is_quota_limited=outcome.is_quota_limited,
            has_award=outcome.has_award,
        )
        for outcome in outcomes
    )
    items = []
    for row, outcome in zip(rows, outcomes, strict=True):
        for position, score in enumerate(outcome.items):
            items.append(
                ItemResult(
                    result=row,
                    item=score.item,
                    position=position,
                    name=score.item.name,
                    kind=score.item.kind,
                    metric=score.item.metric,
                    count=score.count,
                    rate=score.rate,
                    numerator=score.numerator,
                    denominator=score.denominator,
                    points=score.points,
                    is_capped=score.is_capped,
                    note=score.note[:300],
                    evidence=score.evidence,
                )
            )
        share = outcome.share
        if share:
            items.append(
                ItemResult(
                    result=row,
                    position=len(outcome.items),
                    name=str(CHIEF_SHARE_NAME),
                    kind=ItemKind.POINTS,
                    metric="chief_representative_share",
                    points=share[0],
                    evidence={"org.window": sorted(set(share[1]))},
                )
            )
    ItemResult.objects.bulk_create(items, batch_size=2000)


def period_of(scheme: Scheme, start: datetime.date, as_of: datetime.date) -> Period:
    return Period(start=start, end=period_end(scheme.period_kind, start), as_of=as_of)


def timer() -> Callable[[], int]:
    began = time.monotonic()
    return lambda: int((time.monotonic() - began) * 1000)
