"""Statistics (统计分析): figures kept per day (and rolled up per month) by the worker, so a dashboard over a
million cases sums a few thousand small rows instead of scanning cases.

One ``DailyFigure`` row per day × receiving site × item × channel with any activity; the item's department
and the receiving site's tier are copied in for filtering. Which date a case counts on, per metric:

- received: ``received_on``; accepted and deemed accepted: ``accepted_on`` (for acceptance by law that is the
  receipt date, ALL art. 32);
- finished, approved, denied, on time, working days used and promised: the Beijing date of ``decided_at``;
- refused: the Beijing date of ``closed_at``; withdrawn: of ``withdrawn_at``;
- suspensions started: ``Suspension.started_on``; extensions approved: the Beijing date of the extension's
  ``decided_at``.

Every metric is attributed to the case's receiving site (where the applicant came), item, channel and
department, whatever site decided it. ``figures.py`` computes the rows; nothing else writes them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.models import ServiceItem
from bianmin.org.models import Department, Site


class Tier(models.TextChoices):
    """The receiving site's tier: the county centre, a county branch centre, a town hall, a village room."""

    COUNTY = "county", _("County centre")
    BRANCH = "branch", _("Branch centre")
    TOWN = "town", _("Town hall")
    VILLAGE = "village", _("Village room")


# The integer columns every figure row carries, in the order the tables show them.
METRICS = (
    "received",
    "accepted",
    "deemed_accepted",
    "finished",
    "approved",
    "denied",
    "refused",
    "withdrawn",
    "finished_on_time_promised",
    "finished_on_time_statutory",
    "working_days_used",
    "working_days_promised",
    "suspensions_started",
    "extensions_approved",
)


class FigureColumns(models.Model):
    """The dimensions and the counts shared by the daily rows and their monthly roll-up."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=8, choices=Tier.choices)

    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    deemed_accepted = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    denied = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    finished_on_time_promised = models.PositiveIntegerField(default=0)
    finished_on_time_statutory = models.PositiveIntegerField(default=0)
    # Sums over the cases finished that day: working days from acceptance to the decision less suspended days,
    # and the limit they were promised (the version's promised days plus approved extension days).
    working_days_used = models.IntegerField(default=0)
    working_days_promised = models.PositiveIntegerField(default=0)
    suspensions_started = models.PositiveIntegerField(default=0)
    extensions_approved = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyFigure(FigureColumns):
    day = models.DateField()

    class Meta:
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        constraints = [
            models.UniqueConstraint(fields=["day", "site", "item", "channel"], name="daily_figure_unique"),
        ]
        indexes = [
            # Covers the weekly trend (received and finished per day, under any filter): an index-only scan.
            models.Index(
                fields=["day", "site", "item", "channel", "department", "tier", "received", "finished"],
                name="daily_figure_trend_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.site_id}/{self.item_id}/{self.channel}"


class MonthlyFigure(FigureColumns):
    """The sum of a calendar month's DailyFigure rows per site × item × channel (``month`` is its first day).

    A year's dashboard reads twelve months of these (tens of thousands of rows at 10^6 cases) plus the daily
    rows of any partial month at the period's edges; see ``selectors.dashboard_figures``."""

    month = models.DateField()

    class Meta:
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        constraints = [
            models.UniqueConstraint(fields=["month", "site", "item", "channel"], name="monthly_figure_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.site_id}/{self.item_id}/{self.channel}"


class DailyAlertFigure(models.Model):
    """Alerts raised per day × site × department × rule × severity (from supervision's Alert.raised_on)."""

    day = models.DateField()
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=8, choices=Tier.choices)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=40)
    level = models.CharField(max_length=10)
    raised = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily alert figure")
        verbose_name_plural = _("daily alert figures")
        indexes = [models.Index(fields=["day", "site"], name="daily_alert_figure_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.rule}/{self.level}: {self.raised}"


class RefreshState(models.Model):
    """One row: when the figures were last refreshed, and how far the refresh has read the audit chain and the
    alerts (events after these marks name the past days a refresh must recompute)."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    audit_sequence = models.PositiveBigIntegerField(default=0)
    alert_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("figures refresh state")
        verbose_name_plural = _("figures refresh state")

    def __str__(self) -> str:
        return f"{self.refreshed_at}"
