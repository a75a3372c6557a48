"""Complaints (投诉) and 12345 hotline work orders (工单): one record each, whatever the channel it came by.

A ``Complaint`` is the public's complaint, consultation or request for help; one received from the 12345 hotline is
a work order and keeps the hotline's order number (``hotline_number``, unique). Its life is the table in
``services.COMPLAINT_MOVES``: 受理 (accept or refuse) → 派单 (assign) → 办理 (handle) → 回复 (reply) → 办结 (finish) →
回访 (call back) → 评价 (the complainant rates). ``due`` is the running deadline: the acceptance decision's while the
complaint waits for it, then the handling deadline of its kind; a reminder (催办) on a late order and the public
notice (通报) when it stays late are records of their own.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bianmin.cases.models import Case
from bianmin.org.models import Department, Site, Window

QUERY_CODE_DIGITS = 8


def query_code_new() -> str:
    """The complainant's query code (查询码): 8 random digits, given with the number."""
    return f"{secrets.randbelow(10**QUERY_CODE_DIGITS):0{QUERY_CODE_DIGITS}d}"


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    KIOSK = "kiosk", _("Kiosk")
    PHONE = "phone", _("Telephone")
    HOTLINE = "hotline", _("12345 hotline")


class ComplaintKind(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", pgettext_lazy("kind", "Complaint")


class ComplaintSubject(models.TextChoices):
    CASE = "case", _("A case")
    WINDOW = "window", _("A window")
    STAFF = "staff", _("A staff member")
    FEE = "fee", _("A fee")
    CONDUCT = "conduct", _("Conduct")
    OTHER = "other", _("Something else")


class Complaint(models.Model):
    """投诉 / 12345 工单: who complains about what, where it is handled, by whom, and its deadlines."""

    class State(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("complaint", "Received, awaiting acceptance")
        REFUSED = "refused", pgettext_lazy("complaint", "Not accepted")
        ACCEPTED = "accepted", pgettext_lazy("complaint", "Accepted, awaiting assignment")
        ASSIGNED = "assigned", pgettext_lazy("complaint", "Assigned")
        HANDLING = "handling", pgettext_lazy("complaint", "Being handled")
        REPLIED = "replied", pgettext_lazy("complaint", "Replied")
        FINISHED = "finished", pgettext_lazy("complaint", "Finished")
        CALLED_BACK = "called_back", pgettext_lazy("complaint", "Called back")
        RATED = "rated", pgettext_lazy("complaint", "Rated")

    class Finding(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        NOT_UPHELD = "not_upheld", _("Not upheld")

    # The states in which the clock runs: a complaint in one of them past ``due`` is late.
    RUNNING_STATES = (State.RECEIVED, State.ACCEPTED, State.ASSIGNED, State.HANDLING)

    number = models.CharField(_("complaint number"), max_length=40, unique=True)
    query_code = models.CharField(_("query code"), max_length=QUERY_CODE_DIGITS, default=query_code_new)
    hotline_number = models.CharField(_("12345 order number"), max_length=40, unique=True, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=15, choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT)
    subject = models.CharField(
        _("about"), max_length=10, choices=ComplaintSubject.choices, default=ComplaintSubject.OTHER
    )
    text = models.TextField(_("what happened"))
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    window = models.ForeignKey(
        Window, verbose_name=_("window"), null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The complainant's identity: seen only by supervisors and the assigned handler, each view logged.
    name = models.CharField(_("complainant's name"), max_length=100)
    phone = models.CharField(_("complainant's phone"), max_length=30)
    id_number = models.CharField(_("complainant's identity document number"), max_length=40, blank=True)
    # Where it is handled (for scope) and by whom.
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="complaints")
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acceptance_due = models.DateField(_("acceptance decision by"))
    handling_days = models.PositiveSmallIntegerField(_("working days to handle"), null=True, blank=True)
    due = models.DateField(_("due"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for not accepting"), blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    finding = models.CharField(_("finding"), max_length=12, choices=Finding.choices, blank=True)
    # What an upheld complaint is held against (assessment and accountability count these).
    accountable_department = models.ForeignKey(
        Department,
        verbose_name=_("accountable department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="upheld_complaints",
    )
    accountable_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accountable staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="upheld_complaints",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    callback_note = models.TextField(_("callback note"), blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "complaint")
        verbose_name_plural = pgettext_lazy("model", "complaints")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The supervisors' list: by state (and kind), newest first; the site's list, newest first.
            models.Index(fields=["state", "kind", "-received_at"], name="complaint_state_idx"),
            models.Index(fields=["site", "-received_at"], name="complaint_site_idx"),
            models.Index(fields=["department", "-received_at"], name="complaint_department_idx"),
            models.Index(fields=["handler", "-received_at"], name="complaint_handler_idx"),
            # Every complaint, newest first (a supervisor of the county, the API).
            models.Index(fields=["received_at", "id"], name="complaint_received_idx"),
            # Late ones: the running deadline of the complaints whose clock runs (the sweep's rule, the filter).
            models.Index(
                fields=["due", "-received_at"],
                name="complaint_running_due_idx",
                condition=Q(state__in=["received", "accepted", "assigned", "handling"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="complaint_rating_range"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_upheld(self) -> bool:
        return self.finding == self.Finding.UPHELD


class Reminder(models.Model):
    """催办: a supervisor's reminder on a late complaint; still late ``report_on`` → a public notice (通报)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="reminders")
    note = models.TextField(_("note"), blank=True)
    reminded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reminded_at = models.DateTimeField(_("reminded at"))
    report_on = models.DateField(_("reported if still late on"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-reminded_at", "-pk"]
        indexes = [models.Index(fields=["report_on"], name="reminder_report_on_idx")]

    def __str__(self) -> str:
        return f"{self.complaint} · {self.reminded_at:%Y-%m-%d}"


class PublicNotice(models.Model):
    """通报: a complaint still late 5 working days after a reminder, on the record and on the supervisors' list."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="public_notices")
    reminder = models.OneToOneField(Reminder, on_delete=models.PROTECT, related_name="public_notice")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due = models.DateField(_("deadline missed"))
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["site", "-reported_at"], name="notice_site_idx")]

    def __str__(self) -> str:
        return f"{self.complaint} · {self.reported_at:%Y-%m-%d}"


class IdentityView(models.Model):
    """Who saw a complainant's identity, and when: every view by a supervisor or the assigned handler."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="identity_views")
    what = models.CharField(_("what was seen"), max_length=40)
    viewed_at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("complainant identity view")
        verbose_name_plural = _("complainant identity views")
        ordering = ["-viewed_at", "-pk"]
        indexes = [
            models.Index(fields=["complaint", "viewed_at"], name="identity_view_complaint_idx"),
            models.Index(fields=["-viewed_at"], name="identity_view_viewed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer} · {self.complaint} · {self.viewed_at:%Y-%m-%d %H:%M}"
