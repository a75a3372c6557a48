from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Period


class ShiftForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, initial=Period.DAY)
    cadre_name = forms.CharField(label=_("Cadre on duty"), max_length=60)
    title = forms.CharField(label=_("Position"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone on duty"), max_length=40)


class SwapForm(forms.Form):
    cadre_name = forms.CharField(label=_("Cadre taking over"), max_length=60)
    phone = forms.CharField(label=_("Their phone"), max_length=40)
    approved_by = forms.TypedChoiceField(label=_("Approved by"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, approvers: list, **kwargs):
        # The approvers are read once per page, however many shifts show this form.
        super().__init__(*args, **kwargs)
        self.approvers = {user.pk: user for user in approvers}
        self.fields["approved_by"].choices = [(user.pk, user.get_full_name()) for user in approvers]

    def clean_approved_by(self):
        return self.approvers[self.cleaned_data["approved_by"]]
