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


class ResultsFilterForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Receiving site"), queryset=None, required=False, empty_label=_("All sites"))
    item = forms.ModelChoiceField(label=_("Item"), queryset=None, required=False, empty_label=_("All items"))

    def __init__(self, *args, sites, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: f"{item.code} {item.current_version.name}"
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""
