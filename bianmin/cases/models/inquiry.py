"""An inquiry (咨询) logged at a window or by phone, with its owner until it is answered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.org.models import Department, Site


class Inquiry(models.Model):
    """首问负责制: the first staff member asked logs the inquiry and owns it until answered or handed over."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    asked_by = models.CharField(_("who asked"), max_length=100)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    question = models.TextField(_("question"))
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="inquiries")
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(_("logged at"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_inquiries",
    )
    owner_department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    handovers = models.JSONField(_("handovers"), default=list, blank=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-logged_at"]
        indexes = [models.Index(fields=["state", "owner"], name="inquiry_owner_idx")]

    def __str__(self) -> str:
        return f"{self.asked_by}: {self.question[:20]}"
