"""Window intake: the applicant as the clerk types them, and each material of the checklist."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.catalog.models import MaterialRequirement
from bianmin.core.uploads import SCAN_ACCEPT, SCAN_KINDS, form_upload_clean

from ..idnumbers import validate_id_number
from ..models import CaseMaterial, DeliveryChoice, IdType
from ..services import PHONE, MaterialCheck
from ._common import SHORT_TEXT


class IntakeForm(forms.Form):
    """The applicant as the clerk types them; the whole form is checked before anything is saved."""

    applicant_name = forms.CharField(
        label=gettext_lazy("Applicant's name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    id_type = forms.ChoiceField(
        label=gettext_lazy("Identity document"), choices=IdType.choices, initial=IdType.RESIDENT_ID
    )
    id_number = forms.CharField(
        label=gettext_lazy("Document number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False, widget=SHORT_TEXT)
    details = forms.CharField(
        label=gettext_lazy("What is applied for"),
        required=False,
        widget=SHORT_TEXT,
        help_text=gettext_lazy("For example the business name, the plot, the person concerned."),
    )
    # 结果反馈: where the result goes back, printed on the receipt (the default: where the applicant applies).
    delivery = forms.TypedChoiceField(
        label=gettext_lazy("Where the result is handed over"),
        choices=DeliveryChoice.choices,
        initial=DeliveryChoice.WHERE_APPLIED,
        required=False,
        empty_value=DeliveryChoice.WHERE_APPLIED,
        help_text=gettext_lazy("By post needs the applicant's address."),
    )
    agency_authorisation = forms.CharField(
        label=gettext_lazy("The applicant's authorisation"),
        max_length=200,
        widget=SHORT_TEXT,
        help_text=gettext_lazy("For example: signed power of attorney of 2026-03-02, kept in the village room."),
    )
    duplicate_reason = forms.CharField(
        label=gettext_lazy("Why a separate application"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Only when this is not the same application as the open case shown above. It is reported to supervision."
        ),
    )

    def __init__(self, *args, is_agency: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_agency:
            del self.fields["agency_authorisation"]
        # The check digit is checked again on the server when the form is posted; this shows it inline early.
        check = {
            "hx-get": reverse("cases:intake_check_id"),
            "hx-trigger": "change",
            "hx-target": "#id-number-check",
            "hx-swap": "outerHTML",
            "hx-include": "[name=id_type],[name=id_number],[name=item]",
        }
        self.fields["id_number"].widget.attrs.update(check)
        self.fields["id_type"].widget.attrs.update(check)

    def focus_first_error(self, rows: list[MaterialRowForm]) -> None:
        """Move the cursor to the first field to correct, so the clerk fixes it without reaching for the mouse."""
        for form in [self, *rows]:
            for name in form.fields:
                if name in form.errors:
                    self.fields["applicant_name"].widget.attrs.pop("autofocus", None)
                    form.fields[name].widget.attrs["autofocus"] = True
                    return

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not PHONE.match(phone):
            raise forms.ValidationError(_("Enter a mobile number of 11 digits, or a landline with its area code."))
        return phone

    def clean(self):
        cleaned = super().clean()
        id_type, number = cleaned.get("id_type"), cleaned.get("id_number")
        if id_type and number:
            for problem in validate_id_number(id_type, number):
                self.add_error("id_number", problem)
        return cleaned


class MaterialRowForm(forms.Form):
    """One line of the item's material checklist as checked at the window."""

    original_seen = forms.BooleanField(label=gettext_lazy("Original checked"), required=False)
    copy_kept = forms.BooleanField(label=gettext_lazy("Copy kept"), required=False)
    # "Not needed" is not an intake state: it is recorded on the case afterwards, with its reason.
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[choice for choice in CaseMaterial.State.choices if choice[0] != CaseMaterial.State.WAIVED],
        initial=CaseMaterial.State.PROVIDED,
    )
    problem = forms.CharField(
        label=gettext_lazy("What is missing or wrong"), max_length=200, required=False, widget=SHORT_TEXT
    )
    file = forms.FileField(
        label=gettext_lazy("Scan"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": SCAN_ACCEPT}),
    )

    def __init__(self, *args, requirement: MaterialRequirement, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirement = requirement

    def clean_file(self):
        # What the scan is comes from its bytes; a picture is re-encoded (core.uploads).
        return form_upload_clean(self.cleaned_data.get("file"), kinds=SCAN_KINDS)

    def clean(self):
        cleaned = super().clean()
        state = cleaned.get("state")
        if state and state != CaseMaterial.State.PROVIDED and not cleaned.get("problem", "").strip():
            self.add_error("problem", _("Say what is missing or wrong."))
        nothing_checked = not (cleaned.get("original_seen") or cleaned.get("copy_kept") or cleaned.get("file"))
        if state == CaseMaterial.State.PROVIDED and self.requirement.is_required and nothing_checked:
            self.add_error(None, _("Tick what you checked, or mark the material missing or defective."))
        if state == CaseMaterial.State.MISSING and not nothing_checked:
            # The service refuses it too (case_submit); said here on the row, so the clerk sees which one.
            self.add_error(None, _("A missing material cannot also be checked, kept or scanned: correct one."))
        return cleaned

    @property
    def is_recorded(self) -> bool:
        """An optional material nobody brought is left out rather than recorded as provided."""
        data = self.cleaned_data
        touched = data["original_seen"] or data["copy_kept"] or data.get("file")
        return bool(self.requirement.is_required or touched or data["state"] != CaseMaterial.State.PROVIDED)

    def material_check(self) -> MaterialCheck:
        data = self.cleaned_data
        return MaterialCheck(
            name=self.requirement.name,
            requirement_id=self.requirement.pk,
            state=data["state"],
            original_seen=data["original_seen"],
            copy_kept=data["copy_kept"],
            problem=data["problem"].strip(),
            file=data.get("file") or None,
        )


def material_rows(requirements, data=None, files=None) -> list[MaterialRowForm]:
    return [
        MaterialRowForm(data, files, requirement=requirement, prefix=f"material-{index}")
        for index, requirement in enumerate(requirements)
    ]
