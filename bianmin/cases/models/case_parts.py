"""What a case holds besides its own row: materials, review steps, notices, suspensions and extensions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bianmin.catalog.models import MaterialRequirement, SpecialProcedure
from bianmin.core.uploads import RandomName
from bianmin.org.models import Department, Role, Site

from .case import Case


class CaseMaterial(models.Model):
    """One material of a case, one row for its whole life: seen, kept, uploaded, or missing/defective, then
    supplied or recorded as not needed. How it got to its state is its history (``CaseMaterialEvent``)."""

    class State(models.TextChoices):
        PROVIDED = "provided", _("Provided")
        MISSING = "missing", _("Missing")
        DEFECTIVE = "defective", _("Defective")
        # The clerk recorded why the material is not needed for this case (with the reason, in its history).
        WAIVED = "waived", _("Not needed")

    # What keeps the case from being accepted (ALL art. 32: complete the materials first, or one notice).
    OUTSTANDING = (State.MISSING, State.DEFECTIVE)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    requirement = models.ForeignKey(
        MaterialRequirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("material"), max_length=120)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROVIDED)
    original_seen = models.BooleanField(_("original seen"), default=False)
    copy_kept = models.BooleanField(_("copy kept"), default=False)
    # Stored under a random name (core.uploads) and served only by cases.views.material_file; ``file_name`` is the
    # name it was uploaded under (with the extension of its recognised type), the name it is downloaded as.
    file = models.FileField(_("scan or upload"), upload_to=RandomName("cases/materials"), blank=True)
    file_name = models.CharField(_("file name"), max_length=100, blank=True)
    problem = models.CharField(_("what is missing or wrong"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_outstanding(self) -> bool:
        return self.state in self.OUTSTANDING


class CaseMaterialEvent(models.Model):
    """One step of a material's history: recorded at intake, listed in a supplement notice, supplied, recorded as
    not needed; who did it and when."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("Checked at intake")
        NOTICE = "notice", _("Listed in the supplement notice")
        SUPPLIED = "supplied", _("Supplied")
        WAIVED = "waived", _("Recorded as not needed")
        SCANNED = "scanned", _("Scan added")

    material = models.ForeignKey(CaseMaterial, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=CaseMaterial.State.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("material history entry")
        verbose_name_plural = _("material history")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["material", "at"], name="material_history_idx")]

    def __str__(self) -> str:
        return f"{self.material} · {self.get_kind_display()}"


class ReviewTask(models.Model):
    """One step of the item's process (or one co-department's part of a joint review) with its deadline."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for an earlier step")
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        CONSENT_BY_SILENCE = "consent_by_silence", _("Consent by silence after the limit")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=60)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="review_tasks")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="review_tasks")
    is_parallel = models.BooleanField(_("co-department review"), default=False)
    is_decision = models.BooleanField(_("decision step"), default=False)
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    comment = models.CharField(_("opinion"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("review task")
        verbose_name_plural = _("review tasks")
        ordering = ["case", "is_parallel", "position"]
        indexes = [
            models.Index(fields=["state", "due"], name="task_state_due_idx"),
            models.Index(fields=["state", "department", "role"], name="task_queue_idx"),
            models.Index(fields=["state", "role", "site"], name="task_site_queue_idx"),
            # The groups of the open steps (supervision's step_role_unheld rule reads one step of each).
            models.Index(
                fields=["is_decision", "role", "site", "department"],
                name="task_open_group_idx",
                condition=Q(state="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"


class Notice(models.Model):
    """A written notice the law requires, numbered and dated; the PDF is rendered from what is stored here."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Triplicate receipt")
        ACCEPTANCE = "acceptance", _("Acceptance notice")
        SUPPLEMENT = "supplement", _("One-time supplement notice")
        REFUSAL = "refusal", _("Notice of refusal to accept")
        SUSPENSION = "suspension", _("Notice of a special procedure")
        EXTENSION = "extension", _("Notice of extension")
        APPROVAL = "approval", _("Decision to approve")
        DENIAL = "denial", _("Decision to deny")
        FEE_RECEIPT = "fee_receipt", _("Fee receipt")
        DELIVERY = "delivery", _("Delivery receipt")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("notice number"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issuer_name = models.CharField(_("issuing organ"), max_length=100)
    content = models.JSONField(_("content"), default=dict)
    is_repeat = models.BooleanField(_("repeated supplement notice"), default=False)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Suspension(models.Model):
    """ALL art. 45: time for a hearing, inspection, expert review … is outside every clock."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(_("procedure"), max_length=16, choices=SpecialProcedure.Kind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    expected_days = models.PositiveSmallIntegerField(_("expected duration (working days)"))
    started_at = models.DateTimeField(_("started at"))
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(_("working days suspended"), default=0)

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_on__isnull=True), name="one_open_suspension"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class Extension(models.Model):
    """ALL art. 42: a longer time limit, requested with a reason and approved by the department head."""

    class State(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("extension", "Requested")
        APPROVED = "approved", pgettext_lazy("extension", "Approved")
        REJECTED = "rejected", pgettext_lazy("extension", "Rejected")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["requested_at"]
        # The heads' "extensions to decide": the few requested ones, not every case of the department.
        indexes = [models.Index(fields=["state", "case"], name="extension_state_idx")]

    def __str__(self) -> str:
        return f"{self.case} +{self.days}"
