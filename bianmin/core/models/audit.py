from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """An append-only, hash-chained record of one write.

    ``hash`` covers this row's fields and the previous row's hash, so editing, deleting or inserting a
    row out of order breaks the chain at that row (see bianmin.core.audit.verify_chain).
    """

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["sequence"]
        indexes = [models.Index(fields=["object_type", "object_id", "sequence"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The single row every writer locks to append: it holds the chain's last sequence and hash.

    Locking one row serialises appends on PostgreSQL (SQLite serialises all writers anyway), so the chain
    never forks; it also lets verification notice rows deleted from the end of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence}"


class AuditVerification(models.Model):
    """One run of the audit chain's verification (scheduled, on demand, or from ``manage.py audit verify``).

    Kept outside the chain on purpose: the chain must not change while it is verified, and a verification
    is an observation of the chain, not a write to the records it protects.
    """

    ran_at = models.DateTimeField(_("verified at"), db_index=True)
    is_intact = models.BooleanField(_("intact"))
    events_checked = models.PositiveBigIntegerField(_("events checked"))
    first_bad_sequence = models.PositiveBigIntegerField(_("first bad sequence"), null=True, blank=True)
    code = models.CharField(_("outcome code"), max_length=40, default="ok")
    reason = models.TextField(_("reason"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        verbose_name = _("audit chain verification")
        verbose_name_plural = _("audit chain verifications")
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {'ok' if self.is_intact else self.code}"
