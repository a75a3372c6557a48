"""Every read of the inspection that a permission limits, the ranking, and the assessment's metric."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from bianmin.accounts.models import User
from bianmin.org.models import SiteLevel
from bianmin.org.selectors import user_scope

from .access import inspector_group_ids, reads_every_round, sees_round, sees_round_site
from .models import (
    Indicator,
    Rectification,
    RectificationState,
    Round,
    RoundSite,
    RoundState,
    ScoreEntry,
    ScorePhoto,
)
from .services.rounds import latest_scores

RESULT_STATES = (RoundState.CLOSED, RoundState.PUBLISHED)


def rounds_visible_to(user: User) -> QuerySet[Round]:
    """Every round for its readers; an inspector's rounds where their group has sites; nothing for anyone else."""
    if reads_every_round(user):
        return Round.objects.all()
    groups = inspector_group_ids(user)
    if not groups:
        return Round.objects.none()
    return Round.objects.filter(pk__in=RoundSite.objects.filter(group_id__in=groups).values("round_id"))


def round_get_for_user(user: User, pk: int) -> Round | None:
    round_ = Round.objects.filter(pk=pk).first()
    return round_ if round_ is not None and sees_round(user, round_) else None


def round_site_get_for_user(user: User, round_id: int, site_id: int) -> RoundSite | None:
    """A site of a round, or None when it is not there or not visible (callers answer 404)."""
    round_site = (
        RoundSite.objects.select_related("round", "site", "sheet", "group")
        .filter(round_id=round_id, site_id=site_id)
        .first()
    )
    return round_site if round_site is not None and sees_round_site(user, round_site) else None


def my_assignments(user: User) -> QuerySet[RoundSite]:
    """The sites an inspector's groups score in open rounds."""
    return (
        RoundSite.objects.filter(group_id__in=inspector_group_ids(user), round__state=RoundState.OPEN)
        .select_related("round", "site", "sheet")
        .order_by("round_id", "site__path")
    )


def own_results(user: User) -> QuerySet[RoundSite]:
    """The published results of the sites a staff member works at (a town's staff: its rooms too), newest first."""
    scope = user_scope(user)
    if scope.is_empty:
        return RoundSite.objects.none()
    return (
        RoundSite.objects.filter(scope.site_filter("site__"), round__state=RoundState.PUBLISHED)
        .select_related("round", "site", "sheet")
        .order_by("-round__inspection_end", "site__path")[:50]
    )


def own_rectifications(user: User) -> QuerySet[Rectification]:
    scope = user_scope(user)
    if scope.is_empty:
        return Rectification.objects.none()
    return (
        Rectification.objects.filter(
            scope.site_filter("round_site__site__"), round_site__round__state=RoundState.PUBLISHED
        )
        .select_related("round_site__site", "round_site__round", "indicator")
        .order_by("state", "deadline", "pk")[:100]
    )


def rectification_get_for_user(user: User, pk: int) -> Rectification | None:
    item = Rectification.objects.select_related("round_site__site", "round_site__round", "indicator").filter(pk=pk)
    # sees_round_site reads the round's state: loaded with the item
    found = item.first()
    return found if found is not None and sees_round_site(user, found.round_site) else None


@dataclass(frozen=True)
class Ranked:
    rank: int
    round_site: RoundSite


def ranking(round_: Round) -> dict[str, list[Ranked]]:
    """The towns and the village rooms of a closed round by total (equal totals share a rank), with the number of
    evidence photos behind each (one query)."""
    rows = (
        RoundSite.objects.filter(round=round_, site__level__in=[SiteLevel.TOWN, SiteLevel.VILLAGE])
        .select_related("site", "site__parent", "sheet", "group")
        .annotate(photo_count=Count("entries__photos"))
        .order_by("-total", "site__path")
    )
    ranked: dict[str, list[Ranked]] = {SiteLevel.TOWN: [], SiteLevel.VILLAGE: []}
    for row in rows:
        tier = ranked[row.site.level]
        rank = tier[-1].rank if tier and tier[-1].round_site.total == row.total else len(tier) + 1
        tier.append(Ranked(rank, row))
    return ranked


@dataclass(frozen=True)
class IndicatorLine:
    indicator: Indicator
    depth: int
    entry: ScoreEntry | None
    is_leaf: bool
    # An item of an earlier round on this indicator that this round re-checks (the phone's form shows it).
    recheck: Rectification | None = None


def sheet_lines(round_site: RoundSite, *, with_rechecks: bool = False) -> list[IndicatorLine]:
    """The site's sheet as a tree, each indicator with the score that counts and its photos (three queries), and
    with ``with_rechecks`` the earlier rounds' items it re-checks (one more)."""
    indicators = list(round_site.sheet.indicators.order_by("order", "pk"))
    parents = {indicator.parent_id for indicator in indicators}
    latest = latest_scores([round_site.pk])
    entry_ids = [entry.pk for entry in latest.values()]
    entries = {
        entry.pk: entry
        for entry in ScoreEntry.objects.filter(pk__in=entry_ids)
        .select_related("inspector")
        .prefetch_related(Prefetch("photos", queryset=ScorePhoto.objects.order_by("pk")))
    }
    rechecks = items_to_recheck(round_site) if with_rechecks else {}
    lines = []
    for indicator in indicators:
        found = latest.get((round_site.pk, indicator.pk))
        lines.append(
            IndicatorLine(
                indicator=indicator,
                depth=1 if indicator.parent_id else 0,
                entry=entries.get(found.pk) if found else None,
                is_leaf=indicator.pk not in parents,
                recheck=rechecks.get(indicator.code),
            )
        )
    return lines


def photo_get_for_user(user: User, pk: int) -> ScorePhoto | None:
    photos = ScorePhoto.objects.select_related("entry__round_site__site", "entry__round_site__round")
    photo = photos.filter(pk=pk).first()
    return photo if photo is not None and sees_round_site(user, photo.entry.round_site) else None


def site_inspection_scores(start: datetime.date, end: datetime.date) -> dict[int, Decimal]:
    """Site id → the total of its latest closed (or published) round whose inspection ends within [start, end].

    For the sites' assessment (issue 12): one query over the index on (site, round), newest round first per site.
    """
    rows = (
        RoundSite.objects.filter(
            Q(round__state__in=RESULT_STATES),
            round__inspection_end__gte=start,
            round__inspection_end__lte=end,
            total__isnull=False,
        )
        .order_by("site_id", "-round__inspection_end", "-round_id")
        .values_list("site_id", "total")
    )
    scores: dict[int, Decimal] = {}
    for site_id, total in rows:
        scores.setdefault(site_id, total)
    return scores


def items_to_recheck(round_site: RoundSite) -> dict[str, Rectification]:
    """The site's open and rectified items of earlier rounds, by indicator code: what this round re-checks (one
    query)."""
    items = (
        Rectification.objects.filter(
            round_site__site_id=round_site.site_id,
            state__in=[RectificationState.OPEN, RectificationState.RECTIFIED],
        )
        .exclude(round_site__round_id=round_site.round_id)
        .select_related("indicator", "round_site__round")
        .order_by("deadline", "pk")
    )
    return {item.indicator.code: item for item in items}
