"""Every read of ratings that a permission limits, and the standard's figures (GB/T 39735-2020), as aggregates.

The figures, over the ratings of a period (``rated_on``) less those excluded by an upheld appeal:
- 好评率 (good rate): ratings at 非常满意, 满意 or 基本满意 ÷ all ratings (default ratings included);
- 主动评价好评率 (active good rate): the same over the ratings the applicants gave themselves (default ones left out);
- 差评回复率 (reply rate): bad reviews whose handler verified and answered them ÷ bad reviews;
- 回访整改率 (rectified and called back): bad reviews whose rectification is done ÷ bad reviews;
- 整改满意率 (fix satisfaction): fixes the applicant rated 基本满意 or better ÷ fixes the applicant rated;
- 未评率 (not rated): cases closed in the period without a rating the applicant gave ÷ cases closed in the period
  (per site, department, staff member and item; a case is not tied to a window, so not per window).
Each rate is a percentage with two decimals (half up), None when nothing is counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from bianmin.accounts.models import User
from bianmin.cases.models import Case, Status
from bianmin.core.dates import SHANGHAI
from bianmin.org.models import Department, Role, Site, Window
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope

from .models import BAD_LEVELS, GOOD_LEVELS, INDICATORS, TAGS, Appeal, Rating, RatingTag, Rectification, TabletPrompt

# A dimension of the figures -> the rating's column, and the closed case's column for 未评率 (None: not counted).
DIMENSIONS = {
    "site": ("site", "receiving_site"),
    "department": ("department", "department"),
    "window": ("window", None),
    "staff": ("staff", "received_by"),
    "item": ("item", "item"),
}
# The dimensions the public may see: no person.
PUBLIC_DIMENSIONS = ("site", "department")
FIGURE_ROLES = (Role.CENTRE_ADMIN, Role.DEPARTMENT_HEAD, Role.SUPERVISOR)


# --- Who sees what -------------------------------------------------------------------------------------------------


def _scope_condition(user: User, prefix: str = "") -> Q | None:
    """Rows of a site in the user's scope or of a department they represent; None: nothing."""
    scope = user_scope(user)
    if scope.is_empty:
        return None
    if scope.everything:
        return Q()
    condition = scope.site_filter(f"{prefix}site__")
    if scope.department_ids:
        condition |= Q(**{f"{prefix}department_id__in": sorted(scope.department_ids)})
    return condition


def ratings_visible_to(user: User) -> QuerySet[Rating]:
    """Ratings of the sites in the user's scope and of the departments they represent."""
    condition = _scope_condition(user)
    if condition is None:
        return Rating.objects.none()
    return Rating.objects.filter(condition)


def rectifications_visible_to(user: User) -> QuerySet[Rectification]:
    """Rectification tasks of the sites in the user's scope and of the departments they represent; another town's
    are never found (404)."""
    condition = _scope_condition(user)
    if condition is None:
        return Rectification.objects.none()
    return Rectification.objects.filter(condition).select_related(
        "case__version", "site", "department", "handler", "rating"
    )


def rectification_get_for_user(user: User, pk: int) -> Rectification | None:
    return rectifications_visible_to(user).filter(pk=pk).first()


def appeals_pending_for(user: User) -> QuerySet[Appeal]:
    """The appeals waiting for a supervisor of the user's jurisdiction, oldest first."""
    if not is_supervisor(user):
        return Appeal.objects.none()
    scope = user_scope(user)
    return (
        Appeal.objects.filter(scope.site_filter("rectification__site__"), state=Appeal.State.FILED)
        .select_related("rectification__case__version", "rectification__department", "rectification__site", "filed_by")
        .order_by("filed_at", "pk")
    )


def may_see_figures(user: User) -> bool:
    return user.is_superuser or bool(user_scope(user).roles & set(FIGURE_ROLES))


# --- The window's tablet ------------------------------------------------------------------------------------------


def tablet_prompt_current(window: Window, now: datetime.datetime) -> TabletPrompt | None:
    """The case the window's clerk put on its tablet, while it waits for the applicant's touch."""
    return (
        TabletPrompt.objects.filter(window=window, answered_at__isnull=True, expires_at__gt=now)
        .select_related("case__version", "window__site")
        .order_by("-requested_at")
        .first()
    )


def rating_of(case: Case, channel: str) -> Rating | None:
    return Rating.objects.filter(case=case, channel=channel).first()


def fix_to_rate(case: Case) -> Rectification | None:
    """A finished rectification of this case that the applicant has not rated yet."""
    return Rectification.objects.filter(case=case, state=Rectification.State.DONE, fix_level__isnull=True).first()


# --- The figures ---------------------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    key: int | None
    total: int
    good: int
    active: int
    active_good: int
    default: int
    bad: int
    replied: int
    rectified: int
    fix_rated: int
    fix_good: int
    closed_cases: int | None
    unrated_cases: int | None

    @property
    def good_rate(self) -> Decimal | None:
        return _percent(self.good, self.total)

    @property
    def active_good_rate(self) -> Decimal | None:
        return _percent(self.active_good, self.active)

    @property
    def unrated_rate(self) -> Decimal | None:
        return None if self.closed_cases is None else _percent(self.unrated_cases, self.closed_cases)

    @property
    def reply_rate(self) -> Decimal | None:
        return _percent(self.replied, self.bad)

    @property
    def rectified_rate(self) -> Decimal | None:
        return _percent(self.rectified, self.bad)

    @property
    def fix_satisfaction_rate(self) -> Decimal | None:
        return _percent(self.fix_good, self.fix_rated)


_COUNTS = {
    "total": Count("pk"),
    "good": Count("pk", filter=Q(level__in=GOOD_LEVELS)),
    "active": Count("pk", filter=Q(is_default=False)),
    "active_good": Count("pk", filter=Q(is_default=False, level__in=GOOD_LEVELS)),
    "default": Count("pk", filter=Q(is_default=True)),
    "bad": Count("pk", filter=Q(level__in=BAD_LEVELS)),
    "replied": Count("pk", filter=Q(level__in=BAD_LEVELS, rectification__verified_at__isnull=False)),
    "rectified": Count("pk", filter=Q(level__in=BAD_LEVELS, rectification__state=Rectification.State.DONE)),
    "fix_rated": Count("pk", filter=Q(level__in=BAD_LEVELS, rectification__fix_level__isnull=False)),
    "fix_good": Count("pk", filter=Q(level__in=BAD_LEVELS, rectification__fix_level__in=GOOD_LEVELS)),
}


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=SHANGHAI)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=SHANGHAI)
    return first, after


def _closed_counts(column: str | None, start, end, filters: dict, cases: QuerySet[Case]) -> dict:
    """{key: (closed, unrated)} over the cases closed in the period: one aggregate."""
    first, after = _bounds(start, end)
    cases = cases.filter(status=Status.CLOSED, closed_at__gte=first, closed_at__lt=after, **filters)
    rated = Rating.objects.filter(case_id=OuterRef("pk"), is_default=False)
    counts = {"closed": Count("pk"), "unrated": Count("pk", filter=~Exists(rated))}
    if column is None:
        totals = cases.aggregate(**counts)
        return {None: (totals["closed"], totals["unrated"])}
    rows = cases.order_by().values(column).annotate(**counts)
    return {row[column]: (row["closed"], row["unrated"]) for row in rows}


def rating_figures(
    *,
    start: datetime.date,
    end: datetime.date,
    by: str | None = None,
    ratings: QuerySet[Rating] | None = None,
    cases: QuerySet[Case] | None = None,
    **filters,
) -> list[Figures]:
    """The standard's figures for the period ``start``–``end`` (Beijing dates, both included): one row per ``by``
    (a key of DIMENSIONS; None: one row for everything), over ``ratings`` (a selector's queryset, for a scope),
    ``cases`` (the same scope's cases, for 未评率) and ``filters`` on both, by the rating's column names
    (``site_id=…``, ``department_id=…``).
    Two aggregate queries, whatever the number of rows. E.g. a hall screen: this month's ``good_rate`` of a site,
    ``rating_figures(start=…, end=…, site_id=site.pk)[0].good_rate``; with its village rooms,
    ``site__path__startswith=site.path``."""
    if by is not None and by not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {by!r}")
    base = (ratings if ratings is not None else Rating.objects.all()).filter(
        rated_on__gte=start, rated_on__lte=end, is_excluded=False, **filters
    )
    rating_column, case_column = DIMENSIONS[by] if by else (None, None)
    case_filters = {_case_field(name): value for name, value in filters.items()}
    # A case has no window: filtered by a window, 未评率 is not counted.
    counts_cases = not any(name.startswith("window") for name in filters)
    cases = (cases if cases is not None else Case.objects.all()).order_by()
    if by is None:
        rows = [{"key": None, **base.aggregate(**_COUNTS)}]
        closed = _closed_counts(None, start, end, case_filters, cases) if counts_cases else {}
    else:
        rows = [
            {"key": row[rating_column], **row}
            for row in base.order_by().values(rating_column).annotate(**_COUNTS).order_by(rating_column)
        ]
        closed = _closed_counts(case_column, start, end, case_filters, cases) if case_column and counts_cases else {}
    figures = []
    for row in rows:
        counts = {name: row[name] for name in _COUNTS}
        closed_cases, unrated = closed.get(row["key"], (0, 0)) if closed else (None, None)
        figures.append(Figures(key=row["key"], **counts, closed_cases=closed_cases, unrated_cases=unrated))
    if by is not None and case_column:
        seen = {figure.key for figure in figures}
        for key, (closed_cases, unrated) in sorted(closed.items(), key=lambda pair: (pair[0] is None, pair[0] or 0)):
            if key not in seen and key is not None:
                empty = dict.fromkeys(_COUNTS, 0)
                figures.append(Figures(key=key, **empty, closed_cases=closed_cases, unrated_cases=unrated))
    return figures


_CASE_FIELDS = {
    "site_id": "receiving_site_id",
    "site": "receiving_site",
    "staff_id": "received_by_id",
    "staff": "received_by",
}


def _case_field(name: str) -> str:
    field, _sep, lookup = name.partition("__")
    mapped = _CASE_FIELDS.get(field, field)
    return f"{mapped}__{lookup}" if lookup else mapped


def worst_indicators(ratings: QuerySet[Rating], *, start: datetime.date, end: datetime.date) -> list[dict]:
    """The national indicators by their average level over the period, the worst first (one aggregate)."""
    counted = ratings.filter(rated_on__gte=start, rated_on__lte=end, is_excluded=False)
    averages = counted.aggregate(
        **{f"{code}_avg": Avg(code) for code in INDICATORS},
        **{f"{code}_n": Count(code) for code in INDICATORS},
    )
    rows = [
        {
            "code": code,
            "label": label,
            "average": Decimal(str(averages[f"{code}_avg"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            "count": averages[f"{code}_n"],
        }
        for code, label in INDICATORS.items()
        if averages[f"{code}_n"]
    ]
    return sorted(rows, key=lambda row: (row["average"], row["code"]))


def worst_tags(ratings: QuerySet[Rating], *, start: datetime.date, end: datetime.date, limit: int = 5) -> list[dict]:
    """The tags most often ticked with bad reviews in the period (one grouped count)."""
    bad = ratings.filter(rated_on__gte=start, rated_on__lte=end, is_excluded=False, level__in=BAD_LEVELS)
    rows = (
        RatingTag.objects.filter(rating__in=bad.values("pk"))
        .values("tag")
        .annotate(count=Count("pk"))
        .order_by("-count", "tag")[:limit]
    )
    return [{"code": row["tag"], "label": TAGS.get(row["tag"], row["tag"]), "count": row["count"]} for row in rows]


def dimension_names(by: str, keys: list) -> dict:
    """The names of the figures' rows of a dimension (a key of DIMENSIONS): one query."""
    from bianmin.catalog.models import ServiceItem

    keys = [key for key in keys if key is not None]
    if by == "site":
        return dict(Site.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "window":
        return {window.pk: str(window) for window in Window.objects.filter(pk__in=keys).select_related("site")}
    if by == "staff":
        return {person.pk: person.get_full_name() or person.username for person in User.objects.filter(pk__in=keys)}
    return {
        pk: f"{code} {name}"
        for pk, code, name in ServiceItem.objects.filter(pk__in=keys).values_list("pk", "code", "current_version__name")
    }


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return start, following - datetime.timedelta(days=1)


def this_month(now: datetime.datetime | None = None) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate(now or timezone.now())
    return month_bounds(today.year, today.month)
