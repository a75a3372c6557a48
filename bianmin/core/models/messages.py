from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundMessage(models.Model):
    """An SMS or e-mail to send: written in the same transaction as the change it reports (an outbox), sent
    after commit by the configured backend, so an acknowledged change never loses its notification."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    object_type = models.CharField(_("about (type)"), max_length=80, blank=True)
    object_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    event = models.CharField(_("event"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Set (and committed) just before the gateway is called, so a message is never handed to it twice: a worker
    # killed while sending leaves it claimed and unsent, for staff to check with the gateway (core.notify).
    claimed_at = models.DateTimeField(_("handed to the gateway at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["sent_at", "created_at"], name="message_unsent_idx"),
            models.Index(fields=["object_type", "object_id"], name="message_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.body[:30]}"
