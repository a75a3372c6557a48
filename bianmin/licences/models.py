"""The electronic licence (电子证照) as a document: its type with its own number series, and each licence issued.

The fields follow the metadata of GB/T 36901–36905 (electronic licences): the licence type code, the number, the
holder with the type and number of their identity document, what is permitted, the validity, the issuing organ with
its code, the date of issue, and the status. What the licence prints is also what is signed (``signing.py``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bianmin.cases.models import Case, IdType
from bianmin.catalog.models import ServiceItem
from bianmin.core.uploads import RandomName


class LicenceType(models.Model):
    """One kind of licence an item issues (医疗机构执业许可证, 结婚证 …): its code, number series and validity rule."""

    item = models.OneToOneField(
        ServiceItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="licence_type"
    )
    code = models.CharField(_("licence type code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    number_prefix = models.CharField(_("number prefix"), max_length=20, unique=True)
    # None: without limit (长期). A licence's validity may be set shorter, never longer.
    validity_years = models.PositiveSmallIntegerField(_("validity (years)"), null=True, blank=True)
    organ_name = models.CharField(_("issuing organ"), max_length=100)
    organ_code = models.CharField(
        _("issuing organ's code"), max_length=40, help_text=_("The organ's unified social credit code.")
    )
    seal_image = models.FileField(
        _("seal image"),
        upload_to=RandomName("licence-seals"),
        blank=True,
        help_text=_("A PNG of the organ's electronic seal; without one the licence draws a red seal with its name."),
    )

    class Meta:
        verbose_name = _("licence type")
        verbose_name_plural = _("licence types")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LicenceStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("licence status", "Valid")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced by a new copy")
    CHANGED = "changed", _("Superseded by a change")


class Licence(models.Model):
    """One issued licence. Never edited after issue: a replacement (补证) or a change (变更) is a new licence that
    ``replaces`` this one, whose status then says so; a revocation (撤销) only changes the status."""

    type = models.ForeignKey(LicenceType, verbose_name=_("licence type"), on_delete=models.PROTECT)
    number = models.CharField(_("licence number"), max_length=40)
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="licences")
    holder_name = models.CharField(_("holder"), max_length=100)
    holder_id_type = models.CharField(_("holder's identity document"), max_length=12, choices=IdType.choices)
    holder_id_number = models.CharField(_("holder's document number"), max_length=40)
    # Not printed nor signed: where the expiry reminder goes.
    holder_phone = models.CharField(_("holder's mobile phone"), max_length=20, blank=True)
    scope = models.TextField(_("what is permitted"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    organ_name = models.CharField(_("issuing organ"), max_length=100)
    organ_code = models.CharField(_("issuing organ's code"), max_length=40)
    issued_at = models.DateTimeField(_("issued at"))
    issued_on = models.DateField(_("date of issue"))
    status = models.CharField(_("status"), max_length=12, choices=LicenceStatus.choices, default=LicenceStatus.VALID)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
    )
    # The verification: the check code in the QR link, the canonical content as signed, its Ed25519 signature and
    # which key made it (the first 16 hex digits of the public key's SHA-256).
    check_code = models.CharField(_("check code"), max_length=16)
    content = models.TextField(_("signed content"))
    signature = models.CharField(_("signature"), max_length=128)
    key_id = models.CharField(_("signing key"), max_length=16)
    reminded_on = models.DateField(_("expiry reminder sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [models.UniqueConstraint(fields=["type", "number"], name="licence_number_unique")]
        indexes = [
            # The registry's order (newest first), and its filter by type and status.
            models.Index(fields=["-issued_at", "-id"], name="licence_issued_idx"),
            models.Index(fields=["type", "status", "-issued_at"], name="licence_type_status_idx"),
            # Expiring within N days, and the daily reminder.
            models.Index(fields=["status", "valid_until"], name="licence_expiry_idx"),
            models.Index(fields=["holder_id_number"], name="licence_holder_idx"),
        ]

    def __str__(self) -> str:
        return self.number
