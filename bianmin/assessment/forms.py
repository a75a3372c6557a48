from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .metrics import POINTS, RATE, metric_choices
from .models import ItemKind, Scheme, SchemeItem


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = [
            "name",
            "subject_kind",
            "site_level",
            "period_kind",
            "base",
            "cap",
            "excellent_from",
            "good_from",
            "pass_from",
            "excellent_quota_percent",
            "awards",
            "chief_representative_share",
            "objection_days",
        ]


class SchemeItemForm(forms.ModelForm):
    class Meta:
        model = SchemeItem
        fields = ["position", "name", "kind", "metric", "per_event", "cap", "weight", "lowers_grade"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(none: a manual or vote item)"))]
        choices += [(_("Points per event"), metric_choices(POINTS)), (_("Rates"), metric_choices(RATE))]
        self.fields["metric"] = forms.ChoiceField(label=_("metric"), choices=choices, required=False)
        self.fields["kind"].choices = ItemKind.choices


class RunForm(forms.Form):
    period_start = forms.DateField(
        label=_("First day of the period"), widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date.today
    )


class ManualScoreForm(forms.Form):
    item = forms.ModelChoiceField(label=_("item"), queryset=SchemeItem.objects.none())
    subject_id = forms.TypedChoiceField(label=_("subject"), coerce=int)
    period_start = forms.DateField(label=_("First day of the period"), widget=forms.DateInput(attrs={"type": "date"}))
    points = forms.DecimalField(label=_("points (for a vote: the share of votes in %)"), max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("evidence"), required=False, max_length=200)

    def __init__(self, *args, scheme: Scheme, subjects: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = scheme.items.filter(kind__in=[ItemKind.MANUAL, ItemKind.VOTE])
        self.fields["subject_id"].choices = sorted(subjects.items(), key=lambda pair: pair[1])


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("Why the result is wrong"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("Uphold the objection")), ("0", _("Reject the objection"))],
        coerce=lambda value: value == "1",
    )
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 3}))
