"""绩效考核: schemes of items, the runs that freeze every subject's score for a period, and the objections to them.

A run's rows are a copy, not a view: labels, parameters, counts and the ids of the records behind each figure are
stored when the run is computed, so a later case, rating or alert, or a changed scheme, leaves the run as it was.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bianmin.org.models import SiteLevel
from bianmin.supervision.models import AccountabilityRecord


class SubjectKind(models.TextChoices):
    DEPARTMENT = "department", _("Departments")
    WINDOW = "window", _("Windows")
    STAFF = "staff", _("Staff")
    SITE = "site", _("Sites")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


# Best first: lowering a grade one step moves one place down this list.
GRADE_ORDER = [Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL]


class ItemKind(models.TextChoices):
    POINTS = "points", _("Points per event")
    RATE = "rate", _("Rate with a weight")
    MANUAL = "manual", _("Scored by an assessor")
    VOTE = "vote", _("Vote")


class Scheme(models.Model):
    """A scheme: who is assessed (the subjects), over which period, from which base, with which items and grades."""

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("scheme", "Draft")
        ACTIVE = "active", pgettext_lazy("scheme", "In force")
        RETIRED = "retired", pgettext_lazy("scheme", "Retired")

    name = models.CharField(_("name"), max_length=100)
    subject_kind = models.CharField(_("subjects"), max_length=12, choices=SubjectKind.choices)
    # For site subjects: the tier assessed (town halls, village rooms).
    site_level = models.CharField(_("tier"), max_length=8, choices=SiteLevel.choices, blank=True)
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    base = models.DecimalField(_("base score"), max_digits=6, decimal_places=2, default=Decimal(100))
    cap = models.DecimalField(_("highest score"), max_digits=6, decimal_places=2, default=Decimal(110))
    excellent_from = models.DecimalField(_("excellent from"), max_digits=6, decimal_places=2, default=Decimal(90))
    good_from = models.DecimalField(_("good from"), max_digits=6, decimal_places=2, default=Decimal(80))
    pass_from = models.DecimalField(_("pass from"), max_digits=6, decimal_places=2, default=Decimal(60))
    excellent_quota_percent = models.PositiveSmallIntegerField(
        _("at most this share excellent (%)"), null=True, blank=True
    )
    awards = models.PositiveSmallIntegerField(_("red flags awarded"), default=0)
    # 首席代表: in a staff scheme, the chief representative carries this share of the deductions of the windows
    # that serve their department.
    chief_representative_share = models.DecimalField(
        _("chief representative's share of the window's deductions"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.5"),
    )
    objection_days = models.PositiveSmallIntegerField(_("working days to object"), default=5)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class SchemeItem(models.Model):
    """One item of a scheme. A points item counts the events of its metric (``per_event`` points each, negative
    for a deduction, capped at ``cap`` points in all); a rate item loses ``weight`` × (1 − rate); a manual or vote
    item takes what the assessor entered (at most ``cap`` either way, or the vote's share of ``weight``)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    metric = models.CharField(_("metric"), max_length=40, blank=True)
    per_event = models.DecimalField(_("points per event"), max_digits=6, decimal_places=2, default=Decimal(0))
    cap = models.DecimalField(_("at most (points)"), max_digits=6, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2, default=Decimal(0))
    lowers_grade = models.BooleanField(_("an event lowers the grade one step"), default=False)

    class Meta:
        verbose_name = _("scheme item")
        verbose_name_plural = _("scheme items")
        ordering = ["scheme", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class ManualScore(models.Model):
    """What a named assessor gave a subject on a manual or vote item for one period, with the reason and evidence."""

    item = models.ForeignKey(SchemeItem, on_delete=models.CASCADE, related_name="manual_scores")
    period_start = models.DateField(_("period from"))
    subject_id = models.BigIntegerField()
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"))
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("manual score")
        verbose_name_plural = _("manual scores")
        constraints = [
            models.UniqueConstraint(fields=["item", "period_start", "subject_id"], name="manual_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.points}"


class AssessmentRun(models.Model):
    """Version N of a scheme's assessment for one period: computed in the worker, then frozen."""

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("run", "Queued")
        RUNNING = "running", pgettext_lazy("run", "Computing")
        COMPUTED = "computed", pgettext_lazy("run", "Computed, not published")
        PUBLISHED = "published", pgettext_lazy("run", "Published")
        SUPERSEDED = "superseded", pgettext_lazy("run", "Superseded by a later version")
        FAILED = "failed", pgettext_lazy("run", "Failed")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    version = models.PositiveSmallIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    subjects = models.PositiveIntegerField(_("subjects"), default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objections_due = models.DateField(_("objections until"), null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("assessment run")
        verbose_name_plural = _("assessment runs")
        ordering = ["-period_start", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period_start", "version"], name="run_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period_start:%Y-%m-%d} v{self.version}"


class SubjectResult(models.Model):
    """One subject's frozen score, grade, rank and award in a run."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="results")
    subject_id = models.BigIntegerField()
    label = models.CharField(_("subject"), max_length=200)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    rank = models.PositiveIntegerField(_("rank"))
    is_grade_lowered = models.BooleanField(_("grade lowered by a red card"), default=False)
    is_quota_limited = models.BooleanField(_("excellent withheld by the quota"), default=False)
    has_award = models.BooleanField(_("red flag"), default=False)
    # The 监察建议书 of a failed subject, kept with the accountability records (责任追究) it belongs to.
    recommendation = models.OneToOneField(
        AccountabilityRecord,
        verbose_name=_("supervision recommendation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_result",
    )

    class Meta:
        verbose_name = _("subject's result")
        verbose_name_plural = _("subjects' results")
        ordering = ["run", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "subject_id"], name="result_once_per_subject")]
        indexes = [models.Index(fields=["run", "rank"], name="result_rank_idx")]

    def __str__(self) -> str:
        return f"{self.label}: {self.score}"


class ItemResult(models.Model):
    """One item of one subject's result: the parameters as they were, the count or rate, the points, and the
    records behind them (``evidence``: model label → ids)."""

    result = models.ForeignKey(SubjectResult, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(SchemeItem, null=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("item"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    metric = models.CharField(_("metric"), max_length=40, blank=True)
    count = models.DecimalField(_("events"), max_digits=10, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(_("rate"), max_digits=7, decimal_places=4, null=True, blank=True)
    numerator = models.IntegerField(null=True, blank=True)
    denominator = models.IntegerField(null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    is_capped = models.BooleanField(_("capped"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("item's result")
        verbose_name_plural = _("items' results")
        ordering = ["result", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.points}"


class Objection(models.Model):
    """A subject's objection to its published result, and the assessor's answer."""

    class State(models.TextChoices):
        FILED = "filed", pgettext_lazy("objection", "Filed, awaiting an answer")
        UPHELD = "upheld", pgettext_lazy("objection", "Upheld")
        REJECTED = "rejected", pgettext_lazy("objection", "Rejected")

    result = models.ForeignKey(SubjectResult, on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField(_("why the result is wrong"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.FILED)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.result} · {self.get_state_display()}"
