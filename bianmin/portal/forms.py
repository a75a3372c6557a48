from django import forms
from django.utils.translation import gettext_lazy as _


class DeadlineForm(forms.Form):
    start = forms.DateField(
        label=_("Accepted on"), widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"]
    )
    days = forms.IntegerField(
        label=_("Time limit (working days)"),
        min_value=0,
        max_value=365,
        error_messages={"min_value": _("Enter 0 or more days."), "max_value": _("Enter at most 365 days.")},
    )
