"""The county administrator's forms: a new round, and sites assigned to an inspector group."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core.dates import SHANGHAI
from bianmin.org.models import Site, SiteLevel

from .models import InspectorGroup, Round, SheetLevel


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name of the round"), max_length=120)
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        help_text=_("The phases are the plan's: preparation 3/1–4/30, implementation 5/1–5/31, inspection 6/1–6/20."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate(timezone.now(), SHANGHAI).year


class AssignForm(forms.Form):
    sites = forms.ModelMultipleChoiceField(label=_("Sites"), queryset=Site.objects.none())
    group = forms.ModelChoiceField(label=_("Inspector group"), queryset=InspectorGroup.objects.order_by("name"))
    level = forms.ChoiceField(label=_("Sheet level"), choices=SheetLevel.choices, initial=SheetLevel.STANDARD)

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        # The town halls and village rooms not yet in the round, in the tree's order.
        self.fields["sites"].queryset = (
            Site.objects.filter(is_active=True, level__in=[SiteLevel.TOWN, SiteLevel.VILLAGE])
            .exclude(inspections__round=round_)
            .order_by("path")
        )
        self.fields["sites"].widget.attrs["size"] = 10
