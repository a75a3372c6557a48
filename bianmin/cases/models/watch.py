"""What supervision sets and reads on cases: the clock's yellow thresholds and the log of personal-data views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.models import ServiceItem
from bianmin.org.models import Department

from .case import Case


class YellowThreshold(models.Model):
    """When a clock turns yellow: with ``days_left`` working days left or fewer, or once ``share_used_percent``
    of the promised limit is used. The most specific row wins: item, then department, then the global row."""

    department = models.OneToOneField(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="yellow_threshold",
    )
    item = models.OneToOneField(
        ServiceItem,
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="yellow_threshold",
    )
    days_left = models.PositiveSmallIntegerField(_("working days left"), null=True, blank=True)
    share_used_percent = models.PositiveSmallIntegerField(
        _("share of the promised limit used (%)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("yellow threshold")
        verbose_name_plural = _("yellow thresholds")
        constraints = [
            # NULLs are distinct in a unique index, so the single global row is unique on a constant.
            models.UniqueConstraint(
                Coalesce("department", Value(0)),
                condition=Q(department__isnull=True, item__isnull=True),
                name="yellow_threshold_one_global",
            ),
            models.CheckConstraint(
                condition=Q(department__isnull=True) | Q(item__isnull=True), name="yellow_threshold_one_target"
            ),
            models.CheckConstraint(
                condition=Q(days_left__isnull=False) | Q(share_used_percent__isnull=False),
                name="yellow_threshold_has_a_limit",
            ),
            models.CheckConstraint(
                condition=Q(share_used_percent__isnull=True)
                | Q(share_used_percent__gte=1, share_used_percent__lte=100),
                name="yellow_threshold_share_is_percent",
            ),
        ]

    def __str__(self) -> str:
        return str(self.item or self.department or _("All items"))


class PersonalDataView(models.Model):
    """Who saw whose personal data, and when: every view of a case's personal data by a supervisor."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="personal_data_views")
    what = models.CharField(_("what was seen"), max_length=40)
    viewed_at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("personal-data view")
        verbose_name_plural = _("personal-data views")
        ordering = ["-viewed_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "viewed_at"], name="data_view_case_idx"),
            models.Index(fields=["viewer", "viewed_at"], name="data_view_viewer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer} · {self.case} · {self.viewed_at:%Y-%m-%d %H:%M}"
