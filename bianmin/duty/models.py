"""The duty roster (干部值班): which cadre is on duty at a site on a date, by half-day, and how to reach them.

The plan asks every town hall and village room to keep 干部值班; the centre administrator of the site keeps the
roster (``services.py``), and a swap between cadres is recorded with whoever approved it (``DutySwap``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.org.models import Site


class Period(models.TextChoices):
    """The part of the day a shift covers: a half-day or the whole day."""

    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    DAY = "day", _("Whole day")


class DutyShift(models.Model):
    """One cadre on duty at one site for one half-day (or the whole day) of one date."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="duty_shifts")
    date = models.DateField(_("date"))
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.DAY)
    cadre_name = models.CharField(_("cadre on duty"), max_length=60)
    title = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(
        _("phone on duty"), max_length=40, help_text=_("A number that reaches the cadre during the shift.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["site_id", "date", "period"]
        constraints = [
            models.UniqueConstraint(fields=["site", "date", "period"], name="duty_shift_unique_slot"),
        ]
        # The week view, today's duty and the missing-duty rule all read one site's dates from this index.
        indexes = [models.Index(fields=["site", "date"], name="duty_shift_site_date_idx")]

    def __str__(self) -> str:
        return f"{self.site} {self.date} {self.get_period_display()} {self.cadre_name}"

    def clean(self) -> None:
        errors = {}
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        if len(digits) < 7 or any(not (ch.isdigit() or ch in "-+ ") for ch in self.phone):
            errors["phone"] = _("Enter a phone number of at least 7 digits (digits, spaces, + and - only).")
        if errors:
            raise ValidationError(errors)


class DutySwap(models.Model):
    """A change of the cadre on a shift after the roster was set (换班), with who approved it."""

    shift = models.ForeignKey(DutyShift, verbose_name=_("duty shift"), on_delete=models.CASCADE, related_name="swaps")
    previous_name = models.CharField(_("cadre before"), max_length=60)
    previous_phone = models.CharField(_("phone before"), max_length=40)
    new_name = models.CharField(_("cadre after"), max_length=60)
    new_phone = models.CharField(_("phone after"), max_length=40)
    reason = models.CharField(_("reason"), max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("duty swap")
        verbose_name_plural = _("duty swaps")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.shift}: {self.previous_name} → {self.new_name}"
