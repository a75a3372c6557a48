"""The service catalogue: items, their published versions and everything a service guide shows.

A ``ServiceItem`` is the stable identity of one matter (its code and owning department). Its content lives
in ``ServiceItemVersion`` rows: at most one *draft* (editable) and any number of *published* versions
(immutable; cases reference the version they were accepted under). Publishing freezes the draft and
makes it the item's current version; editing again starts a new draft copied from the current version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.names import localized
from bianmin.core.uploads import RandomName
from bianmin.org.models import Department, Role, SiteLevel, Window


class Topic(models.Model):
    """A life event or theme citizens browse by (出生, 婚姻, 建房, 务农, 经商, 退休 …)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The portal and the kiosk show the reader's language (core.names); empty: the Simplified text.
    name_zh_hant = models.CharField(_("name in Traditional Chinese"), max_length=30, blank=True)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    description_zh_hant = models.CharField(_("description in Traditional Chinese"), max_length=200, blank=True)
    description_en = models.CharField(_("description in English"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return localized(self, "name")


class ItemKind(models.TextChoices):
    LICENSING = "licensing", _("Administrative licensing")
    PUBLIC_SERVICE = "public_service", _("Public service")
    OTHER = "other", _("Other administrative power")


class CaseType(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate (decided on the spot)")
    COMMITTED = "committed", _("Committed (decided within the promised limit)")
    ESCALATED = "escalated", _("Escalated (decided by a higher level)")
    JOINT = "joint", _("Joint (several departments review in parallel)")


class ServiceItem(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft, never published")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Department code, a hyphen and a four-digit sequence, for example ZR-0003."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    current_version = models.OneToOneField(
        "ServiceItemVersion",
        verbose_name=_("current published version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True)
    # 双公示: decisions are published on the results board unless the item is one whose results must not be
    # (state secrets, personal privacy, a law that forbids it); set through services.item_set_results_publication.
    results_published = models.BooleanField(
        _("results published"),
        default=True,
        help_text=_("Untick for an item whose decisions must not appear on the public results board."),
    )

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "department"], name="item_status_department_idx")]

    def __str__(self) -> str:
        version = self.current_version
        return f"{self.code} {version.name}" if version else self.code

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.current_version_id is not None


class ServiceItemVersion(models.Model):
    """One version of an item's content: everything the law and the plan require to be public."""

    item = models.ForeignKey(ServiceItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version number"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    change_note = models.CharField(_("what changed"), max_length=200, blank=True)

    name = models.CharField(_("name"), max_length=100)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    case_type = models.CharField(_("case type"), max_length=12, choices=CaseType.choices)
    co_departments = models.ManyToManyField(
        Department,
        verbose_name=_("co-departments"),
        blank=True,
        related_name="joint_item_versions",
        help_text=_("Joint items only: the departments that review in parallel with the owning department."),
    )
    # Stored as "county,town,village" (a subset, in that order) so a level is a plain substring filter.
    accepting_levels = models.CharField(
        _("levels that accept applications"), max_length=30, help_text=_("Any of county, town, village.")
    )
    deciding_level = models.CharField(_("level that decides"), max_length=8, choices=SiteLevel.choices)
    village_relay = models.BooleanField(_("village rooms may relay applications as agency"), default=False)
    conditions = models.TextField(_("conditions"), help_text=_("Who may apply, and when."))
    statutory_days = models.PositiveSmallIntegerField(_("statutory limit (working days)"))
    promised_days = models.PositiveSmallIntegerField(_("promised limit (working days)"))
    has_fee = models.BooleanField(_("charges a fee"), default=False)
    result_name = models.CharField(_("result"), max_length=100, help_text=_("The certificate, licence or decision."))
    result_validity = models.CharField(_("validity of the result"), max_length=60, blank=True)
    place = models.CharField(_("where to apply"), max_length=200)
    windows = models.ManyToManyField(Window, verbose_name=_("windows"), blank=True, related_name="item_versions")
    hours = models.CharField(_("hours"), max_length=100, blank=True)
    responsible_organisation = models.CharField(_("responsible organisation"), max_length=100)
    responsible_person = models.CharField(_("responsible person"), max_length=40, blank=True)
    consultation_phone = models.CharField(_("consultation phone"), max_length=40)
    complaint_phone = models.CharField(_("complaint phone"), max_length=40)
    visits_required = models.PositiveSmallIntegerField(_("visits required"), default=1)
    online_application = models.BooleanField(_("can be applied for online"), default=False)
    agency_offered = models.BooleanField(_("agency (代办) offered"), default=False)
    silence_is_consent = models.BooleanField(
        _("a co-department's silence after its limit counts as consent"), default=False
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="item_versions")
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        verbose_name = _("service item version")
        verbose_name_plural = _("service item versions")
        ordering = ["item__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique"),
            models.UniqueConstraint(fields=["item"], condition=Q(published_at__isnull=True), name="item_single_draft"),
            models.CheckConstraint(
                condition=Q(promised_days__lte=models.F("statutory_days")), name="promise_within_law"
            ),
        ]

    def __str__(self) -> str:
        label = f"v{self.number}" if self.number else _("draft")
        return f"{self.item.code} {self.name} ({label})"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def accepting_level_list(self) -> list[str]:
        return [level for level in self.accepting_levels.split(",") if level]


class VersionPart(models.Model):
    """A row that belongs to one version and is copied with it when a new draft starts."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class LegalBasis(VersionPart):
    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="legal_bases")
    law = models.CharField(_("law or regulation"), max_length=100)
    article = models.CharField(_("article"), max_length=60, blank=True)
    excerpt = models.TextField(_("text"), blank=True)

    class Meta(VersionPart.Meta):
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}"


class MaterialRequirement(VersionPart):
    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="materials")

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original")
        COPY = "copy", _("Copy")
        ORIGINAL_AND_COPY = "original_and_copy", _("Original and copy")
        ELECTRONIC = "electronic", _("Electronic")

    name = models.CharField(_("material"), max_length=120)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    is_required = models.BooleanField(_("required"), default=True)
    condition = models.CharField(
        _("required when"),
        max_length=200,
        blank=True,
        help_text=_("For a conditional material: when it is needed."),
    )
    # Served only for published versions (catalog.views.material_file), under random names (core.uploads).
    blank_form = models.FileField(_("blank form"), upload_to=RandomName("catalog/forms"), blank=True)
    sample = models.FileField(_("filled sample"), upload_to=RandomName("catalog/samples"), blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta(VersionPart.Meta):
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name


class StepTier(models.TextChoices):
    """Where a step happens, relative to the site that received the application (三级: 受理地, 镇, 县)."""

    RECEIVING = "receiving", _("Receiving site")
    TOWN = "town", _("Town")
    COUNTY = "county", _("County")


class ProcessStep(VersionPart):
    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("step"), max_length=60)
    role = models.CharField(_("who does it"), max_length=24, choices=Role.choices)
    # The step is done at the site of this tier above the receiving site (the receiving site itself when it is at
    # or above that tier), by the holder of ``role`` there: the case moves to that site when the step opens.
    tier = models.CharField(_("where"), max_length=10, choices=StepTier.choices, default=StepTier.RECEIVING)
    days = models.PositiveSmallIntegerField(_("step limit (working days)"), default=0)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta(VersionPart.Meta):
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")

    def __str__(self) -> str:
        return self.name


class FeeRule(VersionPart):
    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("fee"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    formula = models.CharField(
        _("formula"), max_length=200, blank=True, help_text=_("When the fee is not one fixed amount.")
    )
    basis = models.CharField(_("legal basis of the fee"), max_length=200)

    class Meta(VersionPart.Meta):
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")

    def __str__(self) -> str:
        return self.name


class SpecialProcedure(VersionPart):
    """ALL art. 45: procedures whose time is outside the clock; the guide tells applicants how long."""

    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="special_procedures")

    class Kind(models.TextChoices):
        HEARING = "hearing", _("Hearing")
        INSPECTION = "inspection", _("On-site inspection")
        TESTING = "testing", _("Testing or quarantine")
        APPRAISAL = "appraisal", _("Appraisal")
        EXPERT_REVIEW = "expert_review", _("Expert review")
        PUBLIC_NOTICE = "public_notice", _("Public notice")
        TENDER = "tender", _("Tender or auction")

    kind = models.CharField(_("procedure"), max_length=16, choices=Kind.choices)
    typical_days = models.PositiveSmallIntegerField(_("typical duration (working days)"))
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta(VersionPart.Meta):
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")

    def __str__(self) -> str:
        return self.get_kind_display()


class FaqEntry(VersionPart):
    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"))

    class Meta(VersionPart.Meta):
        verbose_name = _("frequently asked question")
        verbose_name_plural = _("frequently asked questions")

    def __str__(self) -> str:
        return self.question


class CatalogImport(models.Model):
    """One upload of the catalogue's Excel format, processed by the worker; the page polls its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Checking")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Refused")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    filename = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to=RandomName("catalog/imports"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_items = models.PositiveIntegerField(_("items created"), default=0)
    updated_items = models.PositiveIntegerField(_("items with a new draft"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
