"""What leaves the platform and how far it got: one delivery row per message per destination (the upward report and
every webhook endpoint share them), its attempts, the webhook endpoints, the collectors' cursors and the daily
reconciliations with the upper platform."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

UPWARD = "upward"


class Delivery(models.Model):
    """One message for one destination (``upward``, or ``webhook:<endpoint id>``), sent at least once: it is
    ``sent`` only after the receiver's 2xx, ``acknowledged`` when the 2xx names the message id back, ``dead`` after
    ``INTERCONNECT_MAX_ATTEMPTS`` failures (until staff re-send it). The receiver dedupes by ``message_id``."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery", "Pending")
        SENT = "sent", pgettext_lazy("delivery", "Sent")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("delivery", "Acknowledged")
        DEAD = "dead", pgettext_lazy("delivery", "Dead letter")

    DELIVERED = (State.SENT, State.ACKNOWLEDGED)

    message_id = models.CharField(_("message id"), max_length=120)
    destination = models.CharField(_("destination"), max_length=40)
    message_type = models.CharField(_("message type"), max_length=40)
    # The local date of the event it reports and the code it is reconciled under (the case's national status, an
    # alert's type): the daily reconciliation's figures are per (day, message type, code).
    day = models.DateField(_("day"))
    code = models.CharField(_("code"), max_length=8, blank=True)
    body = models.JSONField(_("body"))
    signature = models.CharField(_("signature"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound delivery")
        verbose_name_plural = _("outbound deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message_id", "destination"], name="delivery_message_destination"),
        ]
        indexes = [
            # The worker's due deliveries: a range of this partial index.
            models.Index(fields=["next_attempt_at"], name="delivery_due_idx", condition=Q(state="pending")),
            # The staff pages' lists: one destination and state, newest first.
            models.Index(fields=["destination", "state", "-created_at", "-id"], name="delivery_list_idx"),
            models.Index(fields=["state", "-created_at", "-id"], name="delivery_state_idx"),
            # The reconciliation's figures of one day.
            models.Index(fields=["destination", "day", "state"], name="delivery_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.destination}"


class DeliveryAttempt(models.Model):
    """One try to send a delivery: when, the receiver's answer (HTTP status) or the error."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["delivery", "at"], name="delivery_attempt_idx")]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.at:%Y-%m-%d %H:%M:%S}"


class WebhookEndpoint(models.Model):
    """An outside system's URL that receives the events of the types it chose, signed with its secret. The secret
    is never stored: it is HMAC-SHA256 of ``secret_salt`` under the deployment's SECRET_KEY, shown once when the
    endpoint is registered (webhooks.webhook_secret), so a copy of the database alone cannot forge a delivery."""

    name = models.CharField(_("system"), max_length=100)
    url = models.URLField(_("URL"), max_length=300)
    event_types = models.JSONField(_("event types"), default=list)
    secret_salt = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def destination(self) -> str:
        return f"webhook:{self.pk}"


class CollectorCursor(models.Model):
    """Where a collector stopped reading: the last audit sequence (or alert id) it turned into deliveries, and for
    the closing of alerts the last closing time it saw. Moved in the transaction that writes the deliveries."""

    name = models.CharField(max_length=40, unique=True)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("collector cursor")
        verbose_name_plural = _("collector cursors")

    def __str__(self) -> str:
        return f"{self.name}@{self.last_sequence}"


class Reconciliation(models.Model):
    """One day's comparison of what the upward report delivered with what the upper platform says it holds, per
    message type and code: counts and a SHA-256 over the sorted message ids (``reconciliation.py``)."""

    day = models.DateField(_("day"))
    ran_at = models.DateTimeField(_("compared at"))
    ours = models.JSONField(_("our figures"), default=dict)
    theirs = models.JSONField(_("receiver's figures"), default=dict)
    differences = models.JSONField(_("differences"), default=list)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-day", "-ran_at", "-pk"]
        indexes = [models.Index(fields=["-day", "-ran_at"], name="reconciliation_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} ({len(self.differences)})"

    @property
    def is_balanced(self) -> bool:
        return not self.differences and not self.error
