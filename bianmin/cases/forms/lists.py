"""The filters of the lists: the work queue and the site ledger."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.core.widgets import FastSelect
from bianmin.org.models import Site

from ..models import Channel, Status


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, widget=FastSelect)
    item = forms.ChoiceField(label=gettext_lazy("Item"), required=False, widget=FastSelect)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False, widget=FastSelect)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, items: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        statuses = [choice for choice in Status.choices if choice[0] != Status.DRAFT]
        self.fields["status"].choices = [("", _("All statuses")), *statuses]
        self.fields["item"].choices = [("", _("All items")), *items]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]

    def filters(self) -> dict:
        """The valid filters (an invalid value is ignored, not an error: the queue still shows)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class LedgerFilterForm(forms.Form):
    site = forms.ChoiceField(label=gettext_lazy("Site"), required=False)

    def __init__(self, *args, sites: list[Site], today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        self.sites = sites
        self.fields["site"].choices = [("", _("All my sites")), *((site.code, site.name) for site in sites)]
        # "from" and "to" are the URL's words; they are Python keywords, so the fields are added here.
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            initial=today.replace(day=1),
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            required=False,
            initial=today,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end of the period is before its start."))
        return cleaned

    def period(self) -> tuple[list[Site], datetime.date, datetime.date]:
        """The chosen sites and dates; the defaults (every site, this month) where nothing valid was given."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        code = data.get("site")
        sites = [site for site in self.sites if site.code == code] if code else self.sites
        return sites, data.get("from") or self.fields["from"].initial, data.get("to") or self.fields["to"].initial
