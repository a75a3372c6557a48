"""好差评 (国办发〔2019〕51号; GB/T 39734-2020, GB/T 39735-2020): ratings of a handled case, the rectification of a
bad review (谁办理谁负责), the department's appeal, and the prompt that puts a case on a window's rating tablet."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bianmin.cases.models import Case
from bianmin.catalog.models import ServiceItem
from bianmin.core.uploads import RandomName
from bianmin.org.models import Department, Site, Window


class Level(models.IntegerChoices):
    """The standard's five levels; the two lowest are bad reviews (差评)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED)


class Channel(models.TextChoices):
    WINDOW = "window", _("Rating tablet at the window")
    ONLINE = "online", _("Online (tracking page, receipt or delivery record)")
    SMS = "sms", _("Link in a text message")
    DEFAULT = "default", _("No rating given in time (counted as basically satisfied)")


# The national indicator sets (GB/T 39735-2020), unchanged: at a window (现场, 一次一评) and online (网上, 一事一评).
# Each indicator is a column of its own, so the worst indicators are one aggregate.
WINDOW_INDICATORS = {
    "service_efficiency": _("Service efficiency"),
    "service_level": _("Service level"),
    "service_attitude": _("Service attitude"),
}
ONLINE_INDICATORS = {
    "handling_efficiency": _("Handling efficiency"),
    "guide_accuracy": _("Accuracy of the service guide"),
    "convenience": _("Convenience of handling"),
    "operability": _("Ease of use of the platform"),
}
INDICATORS = {**WINDOW_INDICATORS, **ONLINE_INDICATORS}

# Optional tags the rater may tick; the worst tags are those most often ticked with bad reviews.
TAGS = {
    "slow": _("It took too long"),
    "many_trips": _("I had to come more than once"),
    "unclear_guide": _("The guide was unclear"),
    "attitude": _("The staff were unfriendly"),
    "extra_materials": _("Materials beyond the list were asked for"),
    "fees": _("Fees were unclear"),
    "system": _("The system did not work"),
    "helpful": _("The staff were helpful"),
    "fast": _("It was quick"),
}


def _indicator() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)


class Rating(models.Model):
    """One rating of one case through one channel (one per case and channel). Who handled the case is copied onto
    the row, so the figures per site, department, window, staff member and item are aggregates over this table."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="ratings")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(_("overall satisfaction"), choices=Level.choices)
    service_efficiency = _indicator()
    service_level = _indicator()
    service_attitude = _indicator()
    handling_efficiency = _indicator()
    guide_accuracy = _indicator()
    convenience = _indicator()
    operability = _indicator()
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    # The rater left their contact for a call back (实名): a named bad review must be called back.
    is_named = models.BooleanField(_("named rating"), default=True)
    # No rating within the county's number of days: counted as basically satisfied, apart from real ratings.
    is_default = models.BooleanField(_("default rating"), default=False)
    # An upheld appeal: kept in the record, left out of every figure.
    is_excluded = models.BooleanField(_("excluded after an appeal"), default=False)
    rated_at = models.DateTimeField(_("rated at"))
    rated_on = models.DateField(_("rated on"))
    # Who handled it (谁办理谁负责).
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        Window, verbose_name=_("window"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(ServiceItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["case", "channel"], name="rating_one_per_case_channel"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_range"),
        ]
        indexes = [
            models.Index(fields=["site", "rated_on"], name="rating_site_on_idx"),
            models.Index(fields=["department", "rated_on"], name="rating_department_on_idx"),
            models.Index(fields=["window", "rated_on"], name="rating_window_on_idx"),
            models.Index(fields=["staff", "rated_on"], name="rating_staff_on_idx"),
            models.Index(fields=["item", "rated_on"], name="rating_item_on_idx"),
            models.Index(fields=["rated_on"], name="rating_on_idx"),
            # The list's order (newest first): a page is the first rows of this index.
            models.Index(fields=["rated_at", "id"], name="rating_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_number} · {self.get_channel_display()} · {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RatingTag(models.Model):
    """One tag ticked on a rating (a row each, so the worst tags are one count)."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("tag"), max_length=20, choices=list(TAGS.items()))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rating", "tag"], name="rating_tag_unique")]

    def __str__(self) -> str:
        return self.get_tag_display()


class Rectification(models.Model):
    """差评整改: a bad review's task for whoever handled the case — verify, rectify, call back, record the outcome —
    within a number of working days; the applicant may rate the fix."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting to be verified")
        VERIFIED = "verified", _("Verified, being rectified")
        RECTIFIED = "rectified", _("Rectified, waiting for the call back")
        CALLED_BACK = "called_back", _("Called back, waiting for the outcome")
        DONE = "done", _("Done")
        APPEALED = "appealed", _("Under appeal")
        EXCLUDED = "excluded", _("Appeal upheld: review excluded")

    # A task still owed by its handler: the overdue alert watches these.
    AWAITING = (State.OPEN, State.VERIFIED, State.RECTIFIED, State.CALLED_BACK)

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    due_days = models.PositiveSmallIntegerField(_("working days allowed"))
    due = models.DateField(_("due"))
    is_founded = models.BooleanField(_("review founded"), null=True, blank=True)
    findings = models.TextField(_("what the verification found"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    measures = models.TextField(_("what was rectified"), blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    callback_note = models.TextField(_("what the applicant said on the call back"), blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    outcome = models.TextField(pgettext_lazy("rectification", "outcome"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    fix_level = models.PositiveSmallIntegerField(
        _("applicant's rating of the fix"), choices=Level.choices, null=True, blank=True
    )
    fix_rated_at = models.DateTimeField(_("fix rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [
            models.Index(fields=["site", "-opened_at"], name="rectification_site_idx"),
            models.Index(fields=["department", "-opened_at"], name="rectification_department_idx"),
            models.Index(fields=["state", "due"], name="rectification_state_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_number} · {self.get_state_display()}"


class Appeal(models.Model):
    """申诉: the department asks to exclude a malicious or mistaken bad review, with evidence; a supervisor decides.
    An upheld appeal excludes the rating from every figure (it stays in the record)."""

    class State(models.TextChoices):
        FILED = "filed", _("Waiting for a supervisor")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField(_("why the review is mistaken or malicious"))
    evidence = models.FileField(_("evidence"), upload_to=RandomName("ratings/appeals"), blank=True)
    evidence_name = models.CharField(_("file name"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.FILED)
    state_before = models.CharField(max_length=12, choices=Rectification.State.choices)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reasons for the decision"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [models.Index(fields=["state", "-filed_at"], name="appeal_state_idx")]

    def __str__(self) -> str:
        return f"{self.rectification} · {self.get_state_display()}"


class TabletPrompt(models.Model):
    """The clerk's "ask for a rating": the case just handled at a window, shown on that window's tablet until it
    is rated or expires."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["window", "-requested_at"], name="tablet_prompt_window_idx")]

    def __str__(self) -> str:
        return f"{self.window_id} · {self.case_id}"
