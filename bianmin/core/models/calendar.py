from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """Whether a year's working days are confirmed from an official source or only provisional."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        PROVISIONAL = "provisional", _("Provisional")

    class Source(models.TextChoices):
        PACKAGE = "package", _("Maintained holiday package")
        IMPORT = "import", _("Imported State Council notice")
        MANUAL = "manual", _("Edited by an administrator")
        RULES = "rules", _("Weekends and fixed-date holidays only")

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_status_display()})"

    @property
    def is_provisional(self) -> bool:
        return self.status == self.Status.PROVISIONAL


class CalendarDay(models.Model):
    """One date of the working-day calendar (ALL art. 82: time limits count working days).

    ``ordinal`` is the number of working days from the first date in the table up to and including this
    date. Adding N working days to D is "the first date whose ordinal is ordinal(D) + N"; counting working
    days between two dates is a subtraction. Both are one indexed lookup, in Python or inside SQL.
    """

    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("For example 国庆节 or 调休上班."))
    ordinal = models.PositiveIntegerField(_("working-day ordinal"), db_index=True)
    is_provisional = models.BooleanField(_("provisional"), default=False)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"
