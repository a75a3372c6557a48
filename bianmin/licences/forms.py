"""The registry's filters and the licence page's moves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LicenceStatus, LicenceType


class RegistryFilterForm(forms.Form):
    type = forms.ModelChoiceField(
        label=_("Licence type"), queryset=LicenceType.objects.order_by("code"), required=False, empty_label=_("All")
    )
    holder = forms.CharField(label=_("Holder (name or document number)"), max_length=40, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *LicenceStatus.choices], required=False)
    expiring_within = forms.IntegerField(label=_("Expiring within (days)"), min_value=0, max_value=3650, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ChangeForm(ReasonForm):
    holder_name = forms.CharField(label=_("Holder"), max_length=100, required=False)
    scope = forms.CharField(
        label=_("What is permitted"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
