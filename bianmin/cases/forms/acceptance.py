"""The actions before acceptance (ALL art. 32): the one-time supplement notice, the supplementary materials,
acceptance and refusal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import CaseMaterial, Notice
from ..services import MaterialCheck
from ._common import SHORT_TEXT, CaseActionForm, _textarea


class EmptyActionForm(CaseActionForm):
    """Accept, resume: the button is the whole form."""


class SupplementForm(CaseActionForm):
    """ALL art. 32: one notice listing every missing or defective material; extra rows for what is not listed."""

    EXTRA_ROWS = 3

    repeat_reason = forms.CharField(
        label=gettext_lazy("Why a second notice is needed"),
        required=False,
        widget=_textarea(),
        help_text=gettext_lazy("A supplement notice was already issued. A second one is reported to supervision."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = list(self.case.materials.all())
        for material in self.materials:
            needs_fixing = material.state != CaseMaterial.State.PROVIDED
            self.fields[f"pick_{material.pk}"] = forms.BooleanField(
                label=material.name, required=False, initial=needs_fixing
            )
            self.fields[f"problem_{material.pk}"] = forms.CharField(
                label=gettext_lazy("What is missing or wrong"),
                max_length=200,
                required=False,
                initial=material.problem,
                widget=SHORT_TEXT,
            )
        for index in range(self.EXTRA_ROWS):
            self.fields[f"extra_name_{index}"] = forms.CharField(
                label=gettext_lazy("Other material"),
                max_length=120,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("Other material")}),
            )
            self.fields[f"extra_problem_{index}"] = forms.CharField(
                label=gettext_lazy("What is missing or wrong"),
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("What is missing or wrong")}),
            )
        if self.case.supplement_count == 0:
            del self.fields["repeat_reason"]

    def material_rows(self):
        return [(self[f"pick_{m.pk}"], self[f"problem_{m.pk}"]) for m in self.materials]

    def extra_rows(self):
        return [(self[f"extra_name_{i}"], self[f"extra_problem_{i}"]) for i in range(self.EXTRA_ROWS)]

    def clean(self):
        cleaned = super().clean()
        problems = []
        for material in self.materials:
            problem = cleaned.get(f"problem_{material.pk}", "").strip()
            if cleaned.get(f"pick_{material.pk}"):
                if not problem:
                    self.add_error(f"problem_{material.pk}", _("Say what is missing or wrong."))
                problems.append((material.name, problem))
        for index in range(self.EXTRA_ROWS):
            name = cleaned.get(f"extra_name_{index}", "").strip()
            problem = cleaned.get(f"extra_problem_{index}", "").strip()
            if name or problem:
                if not (name and problem):
                    self.add_error(f"extra_problem_{index}", _("Give both the material and what is wrong."))
                problems.append((name, problem))
        self.problems = problems
        return cleaned


class ReceiveSupplementForm(CaseActionForm):
    """What the applicant brought back: one row per material the last supplement notice listed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        notice = self.case.notices.filter(kind=Notice.Kind.SUPPLEMENT).order_by("issued_at", "pk").last()
        self.listed = [row["material"] for row in (notice.content.get("problems", []) if notice else [])]
        for index, name in enumerate(self.listed):
            self.fields[f"received_{index}"] = forms.BooleanField(label=name, required=False, initial=True)
            self.fields[f"original_{index}"] = forms.BooleanField(
                label=gettext_lazy("Original checked"), required=False
            )
            self.fields[f"copy_{index}"] = forms.BooleanField(label=gettext_lazy("Copy kept"), required=False)

    def rows(self):
        return [(self[f"received_{i}"], self[f"original_{i}"], self[f"copy_{i}"]) for i in range(len(self.listed))]

    def material_checks(self) -> list[MaterialCheck]:
        data = self.cleaned_data
        return [
            MaterialCheck(name=name, original_seen=data[f"original_{index}"], copy_kept=data[f"copy_{index}"])
            for index, name in enumerate(self.listed)
            if data[f"received_{index}"]
        ]


class WaiveMaterialForm(CaseActionForm):
    """Record why a material marked missing or defective is not needed for this case (acceptance waits otherwise)."""

    material = forms.TypedChoiceField(label=gettext_lazy("Material"), coerce=int)
    reason = forms.CharField(
        label=gettext_lazy("Why it is not needed"),
        max_length=300,
        widget=_textarea(),
        help_text=gettext_lazy("For example: the applicant is not a company, so no business licence exists."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        outstanding = [material for material in self.case.materials.all() if material.is_outstanding]
        self.fields["material"].choices = [(material.pk, material.name) for material in outstanding]


class RefuseForm(CaseActionForm):
    reasons = forms.CharField(label=gettext_lazy("Reasons"), widget=_textarea(3))
    competent_organ = forms.CharField(
        label=gettext_lazy("Competent organ"),
        max_length=100,
        required=False,
        widget=SHORT_TEXT,
        help_text=gettext_lazy("When the matter belongs to another organ: which one the applicant should go to."),
    )
