"""Electronic supervision (电子监察): alerts and anomalies, the staff inbox, supervision orders (督办) and
accountability records (责任追究). The clock's yellow thresholds and the log of supervisors' views of personal
data are the cases' (``cases.models``): supervision sets the one and reads the other.

Alerts are raised and closed by the set-based sweep (``sweep.py``) from the rules in ``rules.py``; every other
write is a function in ``services.py``. Cases themselves are never changed here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bianmin.cases.models import Case, ReviewTask
from bianmin.catalog.models import ServiceItem
from bianmin.org.models import Department, Site, Window


class Level(models.TextChoices):
    """The severity of a rule's alerts: 预警, 黄牌, 红牌, 严重违规."""

    WARNING = "warning", _("Warning")
    YELLOW = "yellow", _("Yellow card")
    RED = "red", _("Red card")
    SERIOUS = "serious", _("Serious violation")


class RuleMode(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic")
    MANUAL = "manual", _("Manual review")
    OFF = "off", _("Off")


class RuleSetting(models.Model):
    """A supervisor's choice for one rule of ``rules.RULES``; a rule without a row runs with its defaults."""

    rule = models.CharField(_("rule"), max_length=40, unique=True)
    mode = models.CharField(_("mode"), max_length=10, choices=RuleMode.choices)
    level = models.CharField(_("severity"), max_length=10, choices=Level.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")

    def __str__(self) -> str:
        return self.rule


class SupervisionOrder(models.Model):
    """督办: a supervisor's order to fix something by a date, on a case, an alert, a department or a window."""

    class State(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("order", "Issued, awaiting a response")
        RESPONDED = "responded", pgettext_lazy("order", "Responded, awaiting review")
        RETURNED = "returned", pgettext_lazy("order", "Response returned")
        ACCEPTED = "accepted", pgettext_lazy("order", "Response accepted")
        WITHDRAWN = "withdrawn", pgettext_lazy("order", "Withdrawn")

    number = models.CharField(_("order number"), max_length=40, unique=True)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="supervision_orders"
    )
    alert = models.ForeignKey(
        "Alert", verbose_name=_("alert"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    # Who must respond, and where (for scope): always set, from the target when the target is a case, alert or window.
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="supervision_orders"
    )
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="supervision_orders")
    instruction = models.TextField(_("what to fix"))
    due_days = models.PositiveSmallIntegerField(_("working days to respond"))
    due = models.DateField(_("respond by"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ISSUED)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "due"], name="order_state_due_idx"),
            models.Index(fields=["department", "state"], name="order_department_idx"),
            models.Index(fields=["site", "state"], name="order_site_idx"),
            # The lists' order (newest first): a page is the first rows of this index, not a sort of every order.
            models.Index(fields=["issued_at", "id"], name="order_issued_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderResponse(models.Model):
    """One response of the department to an order, and the supervisor's verdict on it."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("response", "Accepted")
        RETURNED = "returned", pgettext_lazy("response", "Returned")

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="responses")
    text = models.TextField(_("response"))
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(_("responded at"))
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)
    verdict_note = models.TextField(_("supervisor's note"), blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verdict_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order response")
        verbose_name_plural = _("order responses")
        ordering = ["responded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order} · {self.responded_at:%Y-%m-%d}"


class Alert(models.Model):
    """One alert (clock: 预警/超时) or anomaly (a rule broken) raised by the sweep on one cause.

    ``key`` names the cause within its rule (a case, a review step, a notice, an order); at most one live
    (open or pending review) alert exists per rule and key. Closed alerts stay as history.
    """

    class State(models.TextChoices):
        PENDING_REVIEW = "pending", _("Awaiting a supervisor's review")
        OPEN = "open", pgettext_lazy("alert", "Open")
        CLOSED = "closed", pgettext_lazy("alert", "Closed")
        DISMISSED = "dismissed", pgettext_lazy("alert", "Dismissed")

    class CloseReason(models.TextChoices):
        CLEARED = "cleared", _("The cause is gone")
        RESOLVED = "resolved", _("Resolved by a supervisor")
        DISMISSED = "dismissed", _("Dismissed on review")

    LIVE_STATES = (State.PENDING_REVIEW, State.OPEN)

    rule = models.CharField(_("rule"), max_length=40)
    key = models.CharField(_("cause"), max_length=60)
    level = models.CharField(_("severity"), max_length=10, choices=Level.choices)
    is_anomaly = models.BooleanField(_("anomaly"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    task = models.ForeignKey(
        ReviewTask,
        verbose_name=_("review step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name=_("supervision order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="alerts")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("item"), null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    responsible_role = models.CharField(_("responsible role"), max_length=24, blank=True)
    due = models.DateField(_("deadline missed"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    raised_on = models.DateField(_("raised on"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("why closed"), max_length=10, choices=CloseReason.choices, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "key"], condition=Q(state__in=["pending", "open"]), name="alert_one_live_per_cause"
            ),
        ]
        indexes = [
            models.Index(fields=["rule", "key"], name="alert_rule_key_idx"),
            models.Index(fields=["state", "rule"], name="alert_state_rule_idx"),
            models.Index(fields=["raised_on", "rule"], name="alert_raised_idx"),
            models.Index(fields=["site", "state"], name="alert_site_idx"),
            models.Index(fields=["department", "state"], name="alert_department_idx"),
            models.Index(fields=["case"], name="alert_case_idx"),
            # The feed's and the API's order (newest first): a page is the first rows of this index.
            models.Index(fields=["raised_at", "id"], name="alert_raised_at_idx"),
            # The feed's default, the alerts awaiting action, newest first: its page without the closed ones of
            # the past years (the feed's filter repeats the condition, selectors/alerts.py).
            models.Index(
                fields=["raised_at", "id"],
                name="alert_live_raised_idx",
                condition=Q(state__in=["pending", "open"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule}:{self.key}"

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES


class InboxMessage(models.Model):
    """A message in a staff member's in-app inbox (alerts, orders); always written, whatever else is sent."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    order = models.ForeignKey(
        SupervisionOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="inbox_recipient_idx")]

    def __str__(self) -> str:
        return self.subject


class AccountabilityRecord(models.Model):
    """责任追究: the finding, who is held accountable, the measure, and the alerts and orders behind it."""

    class Measure(models.TextChoices):
        CRITICISM = "criticism", _("Criticism and education")
        PUBLIC_CRITICISM = "public_criticism", _("Circulated criticism")
        ADMONITION = "admonition", _("Admonishing talk")
        DEDUCTION = "deduction", _("Deduction of assessment points")
        OTHER = "other", _("Other measure")

    finding = models.TextField(_("finding"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_records",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_records",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="accountability_records"
    )
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    points = models.DecimalField(_("points deducted"), max_digits=5, decimal_places=1, null=True, blank=True)
    decided_on = models.DateField(_("decided on"))
    alerts = models.ManyToManyField(Alert, verbose_name=_("alerts"), blank=True, related_name="accountability_records")
    orders = models.ManyToManyField(
        SupervisionOrder, verbose_name=_("supervision orders"), blank=True, related_name="accountability_records"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    annulled_at = models.DateTimeField(_("annulled at"), null=True, blank=True)
    annulment_reason = models.TextField(_("why annulled"), blank=True)

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        ordering = ["-decided_on", "-pk"]
        indexes = [
            models.Index(fields=["department", "decided_on"], name="accountability_department_idx"),
            models.Index(fields=["person", "decided_on"], name="accountability_person_idx"),
            models.Index(fields=["site", "decided_on"], name="accountability_site_idx"),
            models.Index(fields=["decided_on", "id"], name="accountability_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} · {self.decided_on:%Y-%m-%d}"


class AlertTally(models.Model):
    """How many alerts await action (pending review or open) per site, department, severity and responsible role:
    the feed's counts by severity read these few rows, never the alerts, whose number grows with the years.

    The sweep writes them again whenever it raises or closes an alert, and the services that close one take it off
    in their own transaction, both holding the sweep's lock (``supervision.tally``)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    responsible_role = models.CharField(max_length=24, blank=True)
    live = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("alerts awaiting action")
        verbose_name_plural = _("alerts awaiting action")

    def __str__(self) -> str:
        return f"{self.site_id}/{self.department_id}/{self.level}/{self.responsible_role}: {self.live}"


class SweepRun(models.Model):
    """The alert sweep's single bookkeeping row (pk 1): the lock that serialises sweeps, what the last one did,
    and the cursors of the incremental sweep (the audit sequence and notice id it has seen, the last case id its
    rolling review reached)."""

    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    raised = models.PositiveIntegerField(_("alerts raised"), default=0)
    closed = models.PositiveIntegerField(_("alerts closed"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    # The rolling review of the event rules: the last case id a sweep looked at again (0: start from the first).
    review_after = models.PositiveBigIntegerField(default=0)
    audit_sequence = models.PositiveBigIntegerField(default=0)
    notice_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("alert sweep")
        verbose_name_plural = _("alert sweeps")

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M:%S}" if self.finished_at else "-"
