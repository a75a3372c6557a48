"""The standardisation inspection (考核验收, 评比) of town halls and village rooms: scoring sheets per tier as indicator
trees, rounds with the plan's phases, inspector groups of the inspecting bodies, scores taken at the site on a phone,
results, ranking and rectification items.

The plan, 二(二) and 三: the discipline commission, the government office and the centre inspect and rank every town
hall and village room; a hall of 100 m² is 标准型, of 150 m² 示范型 (provincial standards).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.uploads import RandomName
from bianmin.org.models import Site, SiteLevel


class SheetLevel(models.TextChoices):
    STANDARD = "standard", _("Standard (标准型)")
    EXEMPLARY = "exemplary", _("Exemplary (示范型)")


class CheckMethod(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    DOCUMENTS = "documents", _("Documents")
    PHOTO = "photo", _("Photo")


class Sheet(models.Model):
    """A scoring sheet for one tier at one level; a site passes it with at least ``pass_score`` points."""

    tier = models.CharField(_("tier"), max_length=8, choices=SiteLevel.choices)
    level = models.CharField(_("level"), max_length=10, choices=SheetLevel.choices)
    name = models.CharField(_("name"), max_length=120)
    pass_score = models.DecimalField(_("points to pass"), max_digits=6, decimal_places=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("scoring sheet")
        verbose_name_plural = _("scoring sheets")
        ordering = ["tier", "level", "pk"]
        constraints = [models.UniqueConstraint(fields=["tier", "level", "name"], name="inspection_sheet_unique")]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One line of a sheet: a group (with children) or a scored indicator (a leaf, with its points)."""

    sheet = models.ForeignKey(Sheet, verbose_name=_("sheet"), on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", verbose_name=_("group"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=12, help_text=_("Its number in the sheet, e.g. 2.3."))
    title = models.CharField(_("indicator"), max_length=200)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, default=Decimal("0"))
    method = models.CharField(_("checked by"), max_length=10, choices=CheckMethod.choices, default=CheckMethod.ON_SITE)
    evidence = models.CharField(_("evidence required"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sheet_id", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["sheet", "code"], name="inspection_indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class InspectingBody(models.TextChoices):
    """The bodies the plan names for the inspection (考核验收)."""

    DISCIPLINE = "discipline", _("Discipline commission (纪委)")
    GOVERNMENT_OFFICE = "government_office", _("Government office (政府办)")
    SUPERVISION = "supervision", _("Supervision bureau (监察局)")
    LEGAL_AFFAIRS = "legal_affairs", _("Legal affairs office (法制办)")
    SERVICE_CENTRE = "service_centre", _("Administrative service centre (行政服务中心)")


class InspectorGroup(models.Model):
    """A team of inspectors from one or more inspecting bodies; sites of a round are assigned to a group."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    bodies = models.JSONField(_("inspecting bodies"), default=list)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="InspectorMembership", related_name="inspector_groups"
    )

    class Meta:
        verbose_name = _("inspector group")
        verbose_name_plural = _("inspector groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InspectorMembership(models.Model):
    """An account's membership of an inspector group: what makes it an inspector."""

    group = models.ForeignKey(InspectorGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inspector_memberships")
    body = models.CharField(_("inspecting body"), max_length=20, choices=InspectingBody.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("inspector membership")
        verbose_name_plural = _("inspector memberships")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="inspection_membership_unique")]

    def __str__(self) -> str:
        return f"{self.group} · {self.user}"


class RoundState(models.TextChoices):
    DRAFT = "draft", _("In preparation")
    OPEN = "open", _("Open for scoring")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


class Round(models.Model):
    """An inspection round with the plan's three phases as dates: 准备, 实施, 检查验收."""

    name = models.CharField(_("name"), max_length=120)
    preparation_start = models.DateField(_("preparation from"))
    preparation_end = models.DateField(_("preparation until"))
    implementation_start = models.DateField(_("implementation from"))
    implementation_end = models.DateField(_("implementation until"))
    inspection_start = models.DateField(_("inspection from"))
    inspection_end = models.DateField(_("inspection until"))
    state = models.CharField(_("state"), max_length=10, choices=RoundState.choices, default=RoundState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-inspection_end", "-pk"]
        indexes = [models.Index(fields=["state", "inspection_end"], name="inspection_round_state_end_idx")]

    def __str__(self) -> str:
        return self.name


class RoundSite(models.Model):
    """A site inspected in a round, by one group, against one sheet; its result once the round closes."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="sites")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="inspections")
    group = models.ForeignKey(InspectorGroup, verbose_name=_("inspector group"), on_delete=models.PROTECT)
    sheet = models.ForeignKey(Sheet, verbose_name=_("sheet"), on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=1, null=True, blank=True)
    is_passed = models.BooleanField(_("passed"), default=False)
    is_exemplary = models.BooleanField(_("exemplary site (示范点)"), default=False)

    class Meta:
        verbose_name = _("inspected site")
        verbose_name_plural = _("inspected sites")
        ordering = ["round_id", "site__path"]
        constraints = [models.UniqueConstraint(fields=["round", "site"], name="inspection_round_site_unique")]
        # The assessment's metric reads each site's latest closed round.
        indexes = [models.Index(fields=["site", "round"], name="inspection_site_round_idx")]

    def __str__(self) -> str:
        return f"{self.round} · {self.site}"


class ScoreEntry(models.Model):
    """One score of one indicator as an inspector's phone recorded it. The latest by the device's time counts.

    ``client_id`` is made by the phone: a second sync of the same entry finds it and changes nothing.
    """

    round_site = models.ForeignKey(RoundSite, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    note = models.CharField(_("note"), max_length=500, blank=True)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(_("taken at (device)"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["round_site_id", "indicator_id", "-taken_at", "-pk"]
        indexes = [
            models.Index(fields=["round_site", "indicator", "taken_at"], name="inspection_entry_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.round_site} · {self.indicator.code}: {self.points}"


class ScorePhoto(models.Model):
    """An evidence photo of a score, stored under a random name that no URL serves."""

    entry = models.ForeignKey(ScoreEntry, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=RandomName("inspection"))
    original_name = models.CharField(_("file name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        ordering = ["entry_id", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class RectificationState(models.TextChoices):
    OPEN = "open", _("To rectify")
    RECTIFIED = "rectified", _("Rectified, awaiting re-check")
    RESOLVED = "resolved", _("Passed at re-check")
    FAILED = "failed", _("Failed at re-check")


class Rectification(models.Model):
    """A failed indicator of a site's inspection: the site rectifies it by the deadline, the next round re-checks."""

    round_site = models.ForeignKey(RoundSite, on_delete=models.CASCADE, related_name="rectifications")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    points_missed = models.DecimalField(_("points missed"), max_digits=5, decimal_places=1)
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=RectificationState.choices, default=RectificationState.OPEN
    )
    account = models.CharField(_("what was done"), max_length=1000, blank=True)
    evidence = models.FileField(_("evidence"), upload_to=RandomName("inspection"), blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rechecked_in = models.ForeignKey(
        RoundSite, null=True, blank=True, on_delete=models.SET_NULL, related_name="rechecks"
    )

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round_site", "indicator"], name="inspection_rectification_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_site} · {self.indicator.code}"
