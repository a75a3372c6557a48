"""The rating forms: the applicant's (overall level, the channel's national indicators, tags, comment) and the staff's
forms for each move of a rectification. Validation of meaning is the services'; these only read the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import INDICATORS, TAGS, Level
from .services import INDICATORS_OF

LEVELS = [(level.value, level.label) for level in Level]  # very satisfied first


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you?"), choices=LEVELS, coerce=int, widget=forms.RadioSelect
    )
    tags = forms.MultipleChoiceField(
        label=_("Anything in particular? (optional)"),
        choices=list(TAGS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_named = forms.BooleanField(
        label=_("The office may call me back about this rating."), required=False, initial=True
    )

    def __init__(self, *args, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator_names = list(INDICATORS_OF[channel])
        for code in self.indicator_names:
            self.fields[code] = forms.TypedChoiceField(
                label=INDICATORS[code],
                choices=LEVELS,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                empty_value=None,
            )

    @property
    def indicator_fields(self):
        return [self[code] for code in self.indicator_names]

    def indicators(self) -> dict:
        return {code: self.cleaned_data.get(code) for code in self.indicator_names}


class FixRatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("How satisfied are you with how your bad review was put right?"),
        choices=LEVELS,
        coerce=int,
        widget=forms.RadioSelect,
    )


def _text(label, rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}))


class VerifyForm(forms.Form):
    is_founded = forms.TypedChoiceField(
        label=_("Is the review founded?"),
        choices=[("1", _("Yes, the review is founded")), ("0", _("No, it is not founded"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    findings = _text(_("What the verification found"))


class RectifyForm(forms.Form):
    measures = _text(_("What was rectified"))


class CallBackForm(forms.Form):
    note = _text(_("What the applicant said on the call back"))


class OutcomeForm(forms.Form):
    outcome = _text(_("The outcome"))


class AppealForm(forms.Form):
    reason = _text(_("Why the review is mistaken or malicious"), rows=4)
    evidence = forms.FileField(label=_("Evidence (a scan or photo, optional)"), required=False)


class DecisionForm(forms.Form):
    note = _text(_("Reasons for the decision"))
