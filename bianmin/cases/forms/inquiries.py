"""First inquiries (首问负责制): logging, answering and handing over a question."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from bianmin.org.models import Department

from ._common import SHORT_TEXT, _textarea


class InquiryLogForm(forms.Form):
    asked_by = forms.CharField(
        label=gettext_lazy("Who asked"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    contact = forms.CharField(label=gettext_lazy("Contact"), max_length=100, required=False, widget=SHORT_TEXT)
    question = forms.CharField(label=gettext_lazy("Question"), widget=_textarea(3))


class InquiryAnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Answer given"), widget=_textarea(3))


class InquiryHandoverForm(forms.Form):
    to_user = forms.ModelChoiceField(
        label=gettext_lazy("Colleague"), queryset=None, required=False, empty_label=gettext_lazy("(nobody named)")
    )
    to_department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        required=False,
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        empty_label=gettext_lazy("(no department)"),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False, widget=SHORT_TEXT)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = candidates
        self.fields["to_user"].label_from_instance = lambda user: user.get_full_name()
