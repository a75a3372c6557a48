"""The metrics a scheme's items count: a registry of set-based functions (metric code → per-subject figures).

Each function reads one period for one kind of subject with one grouped query (or one query of the few rows that
are the events themselves, whose ids a result keeps), never one query per subject. Adding a metric — the
standardisation inspection's site score, say — is one ``register_metric`` call.

Who a record counts against: a case against its receiving site, its department, the clerk who received it and
that clerk's window at the site; a rating, complaint, order or alert against what it names itself (through its case
for the window and the clerk). The platform keeps no attendance record of window staff, so half-days off duty are
counted only for town halls, from the supervision rule ``duty_missing`` (a working day without a cadre on duty: two
half-days).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import OPEN_STATUSES, Case, Inquiry
from bianmin.complaints.models import Complaint
from bianmin.core.dates import SHANGHAI, EndOfBeijingDay
from bianmin.core.workdays import workday_ordinal_expression
from bianmin.inspection.selectors import site_inspection_scores
from bianmin.org.models import Role, RoleAssignment
from bianmin.ratings.models import BAD_LEVELS, GOOD_LEVELS, Rating
from bianmin.supervision.models import AccountabilityRecord, Alert, Level, OrderResponse, SupervisionOrder

from .models import SubjectKind

POINTS = "points"
RATE = "rate"
INSPECTION_SHEET_POINTS = 100  # every inspection sheet totals 100 points (inspection/sheets.py)


@dataclass(frozen=True)
class Period:
    """The period's first and last day (Beijing dates) and the day the figures are read (open cases are overdue
    only once their deadline has passed by then)."""

    start: datetime.date
    end: datetime.date
    as_of: datetime.date


@dataclass
class Figure:
    """One subject's figure: events (points metrics, ``count``) or a rate (``numerator`` of ``denominator``), and
    the records behind it (model label → ids)."""

    count: Decimal = Decimal(0)
    numerator: int = 0
    denominator: int = 0
    evidence: dict[str, list[int]] = field(default_factory=dict)

    def add_event(self, model: str, pk: int, weight: Decimal = Decimal(1)) -> None:
        self.count += weight
        self.evidence.setdefault(model, []).append(pk)


Figures = dict[int, Figure]


@dataclass(frozen=True)
class Metric:
    code: str
    name: Promise
    kind: str  # POINTS or RATE
    compute: Callable[[Period, str], Figures]
    # The subject kinds the metric has data for; for the others every subject counts nothing.
    subject_kinds: tuple[str, ...] = tuple(SubjectKind.values)


METRICS: dict[str, Metric] = {}


def register_metric(metric: Metric) -> Metric:
    METRICS[metric.code] = metric
    return metric


def metric_choices(kind: str) -> list[tuple[str, Promise]]:
    return [(code, metric.name) for code, metric in METRICS.items() if metric.kind == kind]


def compute_metric(code: str, period: Period, subject_kind: str) -> Figures:
    metric = METRICS[code]
    if subject_kind not in metric.subject_kinds:
        return {}
    return metric.compute(period, subject_kind)


# --- who a row counts against -------------------------------------------------------------------------------------


def clerk_windows() -> dict[tuple[int, int], int]:
    """(staff id, site id) → the window where that person serves at that site (the first assigned; a clerk, or a
    chief representative seated at the window). One query of the assignments that name a window: a county's few
    hundred rows."""
    windows: dict[tuple[int, int], int] = {}
    rows = RoleAssignment.objects.filter(
        role__in=[Role.CLERK, Role.CHIEF_REPRESENTATIVE], window__isnull=False, site__isnull=False
    ).order_by("pk")
    for user_id, site_id, window_id in rows.values_list("user_id", "site_id", "window_id"):
        windows.setdefault((user_id, site_id), window_id)
    return windows


def _subject_of(row: dict, kind: str, windows: dict[tuple[int, int], int] | None) -> int | None:
    """The subject a row counts against; the rows name their columns ``by_<what>`` (``by_window``, ``by_staff``,
    ``by_staff_site``, ``by_site``, ``by_department``), which no model field is called."""
    if kind == SubjectKind.WINDOW:
        if row.get("by_window"):
            return row["by_window"]
        if windows is None or row.get("by_staff") is None:
            return None
        return windows.get((row["by_staff"], row.get("by_staff_site") or row.get("by_site")))
    return row.get(
        {SubjectKind.STAFF: "by_staff", SubjectKind.DEPARTMENT: "by_department", SubjectKind.SITE: "by_site"}[kind]
    )


def _events(rows: Iterable[dict], kind: str, model: str, *, weight: str | None = None, per: Decimal = Decimal(1)):
    windows = clerk_windows() if kind == SubjectKind.WINDOW else None
    figures: Figures = defaultdict(Figure)
    for row in rows:
        subject = _subject_of(row, kind, windows)
        if subject is not None:
            figures[subject].add_event(model, row["id"], (row[weight] if weight else Decimal(1)) * per)
    return dict(figures)


def _rates(groups: Iterable[dict], kind: str) -> Figures:
    windows = clerk_windows() if kind == SubjectKind.WINDOW else None
    figures: Figures = defaultdict(Figure)
    for row in groups:
        subject = _subject_of(row, kind, windows)
        if subject is not None:
            figures[subject].numerator += row["numerator"]
            figures[subject].denominator += row["denominator"]
    return dict(figures)


def _group_fields(kind: str, fields: dict[str, str]) -> dict[str, str]:
    """The columns a grouped query needs for a kind of subject (a window needs the clerk and the site, or the
    record's own window)."""
    wanted = {
        SubjectKind.STAFF: ("staff",),
        SubjectKind.DEPARTMENT: ("department",),
        SubjectKind.SITE: ("site",),
        SubjectKind.WINDOW: ("window", "staff", "staff_site", "site"),
    }[kind]
    return {f"by_{name}": fields[name] for name in wanted if name in fields}


def _grouped(rows: QuerySet, kind: str, fields: dict[str, str], *, numerator: Q) -> Figures:
    columns = _group_fields(kind, fields)
    groups = rows.values(**{name: _ref(path) for name, path in columns.items()}).annotate(
        numerator=Count("pk", filter=numerator), denominator=Count("pk")
    )
    return _rates(groups.order_by(), kind)


def _listed(rows: QuerySet, kind: str, fields: dict[str, str], *extra: str) -> Iterable[dict]:
    columns = _group_fields(kind, fields)
    return rows.values("id", *extra, **{name: _ref(path) for name, path in columns.items()}).order_by()


def _ref(path: str) -> F:
    return F(path)


# --- cases ---------------------------------------------------------------------------------------------------------

CASE_FIELDS = {"staff": "received_by_id", "site": "receiving_site_id", "department": "department_id"}


def _overdue_cases(period: Period, kind: str) -> Figures:
    """−5 per overdue case: a case whose promised deadline fell in the period (and has passed) that was not decided
    by the end of that day — decided later, or still open."""
    cases = Case.objects.filter(
        promised_due__gte=period.start, promised_due__lte=period.end, promised_due__lt=period.as_of
    ).filter(Q(decided_at__isnull=True, status__in=OPEN_STATUSES) | Q(decided_at__gte=EndOfBeijingDay("promised_due")))
    return _events(_listed(cases, kind, CASE_FIELDS), kind, "cases.case")


def _decided(period: Period) -> QuerySet:
    return Case.objects.filter(decided_at__gte=_midnight(period.start), decided_at__lt=_midnight(period.end, 1))


def _midnight(day: datetime.date, days_after: int = 0) -> datetime.datetime:
    """The Beijing midnight that starts ``day`` (plus ``days_after``): a period's bounds on a datetime column."""
    return datetime.datetime.combine(day + datetime.timedelta(days=days_after), datetime.time(), tzinfo=SHANGHAI)


def _on_time_promised(period: Period, kind: str) -> Figures:
    """On-time rate (promised): cases decided in the period by the end of their promised deadline's day."""
    return _grouped(_decided(period), kind, CASE_FIELDS, numerator=Q(decided_at__lt=EndOfBeijingDay("promised_due")))


def _on_time_statutory(period: Period, kind: str) -> Figures:
    """On-time rate (statutory): the same against the time limit set by law."""
    return _grouped(_decided(period), kind, CASE_FIELDS, numerator=Q(decided_at__lt=EndOfBeijingDay("statutory_due")))


def _working_days_within_promise(period: Period, kind: str) -> Figures:
    """Average working days used against promised, as a rate: Σ promised ÷ Σ max(used, promised) over the cases
    decided in the period — 1 while every case keeps within its promised days, lower as the overruns grow. Used: from
    acceptance to the decision, less the days suspended (as the statistics count them)."""
    used = (
        workday_ordinal_expression("decided_at", is_datetime=True)
        - workday_ordinal_expression("accepted_on")
        - F("suspended_days")
    )
    promised = F("version__promised_days") + F("extension_days")
    cases = _decided(period).filter(accepted_on__isnull=False).annotate(days_used=used, days_promised=promised)
    columns = _group_fields(kind, CASE_FIELDS)
    groups = (
        cases.values(**{name: _ref(path) for name, path in columns.items()})
        .annotate(
            numerator=Coalesce(Sum("days_promised"), 0),
            denominator=Coalesce(Sum(Greatest("days_used", "days_promised")), 0),
        )
        .order_by()
    )
    return _rates(groups, kind)


# The first staff member asked answers, or hands over, within this many working days (首问负责制).
INQUIRY_ANSWER_DAYS = 1


def _inquiries_on_time(period: Period, kind: str) -> Figures:
    """First inquiries (首问负责) logged in the period and answered within ``INQUIRY_ANSWER_DAYS`` working days."""
    inquiries = Inquiry.objects.filter(
        logged_at__gte=_midnight(period.start), logged_at__lt=_midnight(period.end, 1)
    ).annotate(
        lag=workday_ordinal_expression("answered_at", is_datetime=True)
        - workday_ordinal_expression("logged_at", is_datetime=True)
    )
    fields = {"staff": "owner_id", "site": "site_id", "department": "owner_department_id"}
    return _grouped(inquiries, kind, fields, numerator=Q(answered_at__isnull=False, lag__lte=INQUIRY_ANSWER_DAYS))


# --- alerts (supervision) ------------------------------------------------------------------------------------------

ALERT_FIELDS = {
    "staff": "case__received_by_id",
    "staff_site": "case__receiving_site_id",
    "site": "site_id",
    "department": "department_id",
}


def _alerts(period: Period) -> QuerySet:
    # A dismissed alert was a false alarm; a closed one still happened.
    return Alert.objects.filter(raised_on__gte=period.start, raised_on__lte=period.end).exclude(
        state=Alert.State.DISMISSED
    )


def _fees_off_standard(period: Period, kind: str) -> Figures:
    """−5 per fee off standard: the supervision rule ``fee_off_standard`` (a fee off the published standard or
    without one) raised in the period."""
    return _events(
        _listed(_alerts(period).filter(rule="fee_off_standard"), kind, ALERT_FIELDS), kind, "supervision.alert"
    )


def _cards(level: str) -> Callable[[Period, str], Figures]:
    def compute(period: Period, kind: str) -> Figures:
        return _events(_listed(_alerts(period).filter(level=level), kind, ALERT_FIELDS), kind, "supervision.alert")

    return compute


def _duty_half_days(period: Period, kind: str) -> Figures:
    """−3 per half-day off duty: a town hall's working day without a cadre on duty (rule ``duty_missing``) is two
    half-days."""
    rows = _listed(_alerts(period).filter(rule="duty_missing"), kind, {"site": "site_id"})
    return _events(rows, kind, "supervision.alert", per=Decimal(2))


def _accountability_points(period: Period, kind: str) -> Figures:
    """The points of the accountability records (责任追究, measure 扣分) decided in the period and not annulled."""
    records = AccountabilityRecord.objects.filter(
        measure=AccountabilityRecord.Measure.DEDUCTION,
        decided_on__gte=period.start,
        decided_on__lte=period.end,
        annulled_at__isnull=True,
    )
    fields = {"staff": "person_id", "site": "site_id", "department": "department_id"}
    return _events(_listed(records, kind, fields, "points"), kind, "supervision.accountabilityrecord", weight="points")


# --- ratings and complaints ----------------------------------------------------------------------------------------

RATING_FIELDS = {"staff": "staff_id", "site": "site_id", "department": "department_id", "window": "window_id"}


def _ratings(period: Period) -> QuerySet:
    return Rating.objects.filter(rated_on__gte=period.start, rated_on__lte=period.end, is_excluded=False)


def _bad_reviews_upheld(period: Period, kind: str) -> Figures:
    """−2 per bad review upheld: a bad review of the period whose verification found it founded."""
    rows = _ratings(period).filter(level__in=BAD_LEVELS, rectification__is_founded=True)
    return _events(_listed(rows, kind, RATING_FIELDS), kind, "ratings.rating")


def _good_rate(period: Period, kind: str) -> Figures:
    """好评率: ratings at 非常满意, 满意 or 基本满意 of all ratings (as ratings.selectors.rating_figures)."""
    return _grouped(_ratings(period), kind, RATING_FIELDS, numerator=Q(level__in=GOOD_LEVELS))


def _reply_rate(period: Period, kind: str) -> Figures:
    """差评回复率: bad reviews whose handler verified and answered them, of all bad reviews."""
    rows = _ratings(period).filter(level__in=BAD_LEVELS)
    return _grouped(rows, kind, RATING_FIELDS, numerator=Q(rectification__verified_at__isnull=False))


COMPLAINT_FIELDS = {
    "staff": "accountable_staff_id",
    "site": "site_id",
    "department": "department_id",
    "window": "window_id",
}


def _complaints(period: Period) -> QuerySet:
    return Complaint.objects.filter(
        finished_at__gte=_midnight(period.start), finished_at__lt=_midnight(period.end, 1)
    ).exclude(finding="")


def _complaints_not_upheld_rate(period: Period, kind: str) -> Figures:
    """Complaints finished in the period that were not upheld, of all finished with a finding (1 − upheld rate)."""
    return _grouped(_complaints(period), kind, COMPLAINT_FIELDS, numerator=~Q(finding=Complaint.Finding.UPHELD))


def _complaints_upheld(period: Period, kind: str) -> Figures:
    """Upheld complaints finished in the period (what they were held against)."""
    rows = _complaints(period).filter(finding=Complaint.Finding.UPHELD)
    return _events(_listed(rows, kind, COMPLAINT_FIELDS), kind, "complaints.complaint")


# --- supervision orders --------------------------------------------------------------------------------------------


def _orders_on_time(period: Period, kind: str) -> Figures:
    """Supervision orders due in the period (not withdrawn) that had a response by the end of their due day."""
    orders = SupervisionOrder.objects.filter(due__gte=period.start, due__lte=period.end).exclude(
        state=SupervisionOrder.State.WITHDRAWN
    )
    answered = Exists(
        OrderResponse.objects.filter(order=OuterRef("pk"), responded_at__lt=EndOfBeijingDay(OuterRef("due")))
    )
    fields = {"site": "site_id", "department": "department_id", "window": "window_id"}
    columns = _group_fields(kind, fields)
    groups = (
        orders.annotate(answered=answered)
        .values(**{name: _ref(path) for name, path in columns.items()})
        .annotate(numerator=Count("pk", filter=Q(answered=True)), denominator=Count("pk"))
        .order_by()
    )
    return _rates(groups, kind)


def _inspection_score(period: Period, kind: str) -> Figures:
    """The standardisation inspection (考核验收): a site's score in its latest round inspected in the period, as a
    share of the sheet's 100 points (``inspection.selectors.site_inspection_scores``; a score above 100 counts as
    100), in hundredths of a point."""
    return {
        site_id: Figure(
            numerator=int(min(score, INSPECTION_SHEET_POINTS) * 100), denominator=100 * INSPECTION_SHEET_POINTS
        )
        for site_id, score in site_inspection_scores(period.start, period.end).items()
    }


for _metric in (
    Metric("overdue_cases", _("Overdue cases"), POINTS, _overdue_cases),
    Metric("fees_off_standard", _("Fees off the standard"), POINTS, _fees_off_standard),
    Metric("bad_reviews_upheld", _("Bad reviews upheld"), POINTS, _bad_reviews_upheld),
    Metric("yellow_cards", _("Yellow cards"), POINTS, _cards(Level.YELLOW)),
    Metric("red_cards", _("Red cards"), POINTS, _cards(Level.RED)),
    Metric(
        "duty_half_days_missed", _("Half-days without a cadre on duty"), POINTS, _duty_half_days, (SubjectKind.SITE,)
    ),
    Metric("accountability_points", _("Points deducted by accountability records"), POINTS, _accountability_points),
    Metric("complaints_upheld", _("Complaints upheld"), POINTS, _complaints_upheld),
    Metric("on_time_promised", _("On-time rate (promised deadline)"), RATE, _on_time_promised),
    Metric("on_time_statutory", _("On-time rate (statutory deadline)"), RATE, _on_time_statutory),
    Metric(
        "working_days_within_promise",
        _("Working days used within the promised days"),
        RATE,
        _working_days_within_promise,
    ),
    Metric("inquiries_answered_on_time", _("First inquiries answered on time"), RATE, _inquiries_on_time),
    Metric("good_rate", _("Good review rate"), RATE, _good_rate),
    Metric("bad_review_reply_rate", _("Bad review reply rate"), RATE, _reply_rate),
    Metric("complaints_not_upheld_rate", _("Complaints not upheld"), RATE, _complaints_not_upheld_rate),
    Metric(
        "orders_answered_on_time",
        _("Supervision orders answered on time"),
        RATE,
        _orders_on_time,
        (SubjectKind.SITE, SubjectKind.DEPARTMENT, SubjectKind.WINDOW),
    ),
    Metric("inspection_score", _("Standardisation inspection score"), RATE, _inspection_score, (SubjectKind.SITE,)),
):
    register_metric(_metric)


def total(figures: Figures) -> Decimal:
    return sum((figure.count for figure in figures.values()), Decimal(0))
