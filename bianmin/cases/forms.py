"""Forms of the staff pages. They check the shape of what a person typed and hand it to one service; whether
the move is allowed, and every rule of the law, is the service's to decide (its DomainError is shown)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.catalog.models import MaterialRequirement, SpecialProcedure
from bianmin.core.uploads import SCAN_ACCEPT, SCAN_KINDS, form_upload_clean
from bianmin.core.widgets import FastSelect
from bianmin.org.models import Department, Site

from .idnumbers import validate_id_number
from .models import (
    Case,
    CaseMaterial,
    Channel,
    DeliveryChoice,
    DeliveryMethod,
    Extension,
    IdType,
    Notice,
    ReviewTask,
    Status,
)
from .services import PHONE, MaterialCheck

SHORT_TEXT = forms.TextInput(attrs={"autocomplete": "off"})


def _textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- The queue's filters --------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, widget=FastSelect)
    item = forms.ChoiceField(label=gettext_lazy("Item"), required=False, widget=FastSelect)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False, widget=FastSelect)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, items: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        statuses = [choice for choice in Status.choices if choice[0] != Status.DRAFT]
        self.fields["status"].choices = [("", _("All statuses")), *statuses]
        self.fields["item"].choices = [("", _("All items")), *items]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]

    def filters(self) -> dict:
        """The valid filters (an invalid value is ignored, not an error: the queue still shows)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


# --- Window intake ---------------------------------------------------------------------------------------------


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
            "hx-include": "[name=id_type],[name=id_number]",
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
    state = forms.ChoiceField(
        label=gettext_lazy("State"), choices=CaseMaterial.State.choices, initial=CaseMaterial.State.PROVIDED
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


# --- Actions on a case -----------------------------------------------------------------------------------------


class CaseActionForm(forms.Form):
    """Every action form knows its case; the view posts it to /workbench/cases/<pk>/<action>/."""

    def __init__(self, *args, case: Case, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)


class EmptyActionForm(CaseActionForm):
    """Accept, resume: the button is the whole form."""


class IssueCertificateForm(CaseActionForm):
    """制证: the licence's validity and what it permits, each left empty for the item's rule and the application."""

    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty: today."),
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty: the longest validity the item allows. A later date is refused."),
    )
    scope = forms.CharField(
        label=gettext_lazy("What is permitted"),
        max_length=500,
        required=False,
        widget=_textarea(),
        help_text=gettext_lazy("Empty: what the application asked for."),
    )


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


class RefuseForm(CaseActionForm):
    reasons = forms.CharField(label=gettext_lazy("Reasons"), widget=_textarea(3))
    competent_organ = forms.CharField(
        label=gettext_lazy("Competent organ"),
        max_length=100,
        required=False,
        widget=SHORT_TEXT,
        help_text=gettext_lazy("When the matter belongs to another organ: which one the applicant should go to."),
    )


class CompleteTaskForm(CaseActionForm):
    task = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Opinion"),
        widget=forms.RadioSelect,
        initial=ReviewTask.Outcome.AGREE,
        choices=[
            (ReviewTask.Outcome.AGREE, gettext_lazy("Agree")),
            (ReviewTask.Outcome.DISAGREE, gettext_lazy("Disagree")),
        ],
    )
    comment = forms.CharField(label=gettext_lazy("Comments"), max_length=500, required=False, widget=_textarea())

    def clean_task(self) -> ReviewTask:
        task = self.case.tasks.filter(pk=self.cleaned_data["task"]).first()
        if task is None:
            raise forms.ValidationError(_("This step is not part of the case."))
        return task


class SuspendForm(CaseActionForm):
    kind = forms.ChoiceField(label=gettext_lazy("Procedure"), choices=SpecialProcedure.Kind.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, widget=_textarea())
    expected_days = forms.IntegerField(label=gettext_lazy("Expected working days"), min_value=1, max_value=250)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        planned = self.case.version.special_procedures.first()
        if planned is not None:
            self.fields["kind"].initial = planned.kind
            self.fields["expected_days"].initial = planned.typical_days


class RequestExtensionForm(CaseActionForm):
    days = forms.IntegerField(label=gettext_lazy("Extra working days"), min_value=1, max_value=15)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, widget=_textarea())


class DecideExtensionForm(CaseActionForm):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")], widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = (
            self.case.extensions.filter(state=Extension.State.REQUESTED).select_related("requested_by").first()
        )
        if self.pending is not None:
            self.fields["extension"].initial = self.pending.pk

    def clean_extension(self) -> Extension:
        extension = self.case.extensions.filter(pk=self.cleaned_data["extension"]).first()
        if extension is None:
            raise forms.ValidationError(_("This extension request is not part of the case."))
        return extension


class DecideForm(CaseActionForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        widget=forms.RadioSelect,
        initial="approve",
        choices=[("approve", gettext_lazy("Approve")), ("deny", gettext_lazy("Deny"))],
    )
    reasons = forms.CharField(
        label=gettext_lazy("Reasons"),
        required=False,
        widget=_textarea(3),
        help_text=gettext_lazy("Required for a denial; the appeal rights are added."),
    )


class CollectFeeForm(CaseActionForm):
    fee_rules = forms.MultipleChoiceField(label=gettext_lazy("Fees that apply"), widget=forms.CheckboxSelectMultiple)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = list(self.case.version.fees.all())
        self.fields["fee_rules"].choices = [(str(rule.pk), _fee_label(rule)) for rule in rules]
        fixed = [rule for rule in rules if rule.amount is not None]
        if len(rules) == 1:
            self.fields["fee_rules"].initial = [str(rules[0].pk)]
        if len(fixed) == 1 and len(rules) == 1:
            self.fields["amount"].initial = fixed[0].amount

    def clean_fee_rules(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["fee_rules"]]


def _fee_label(rule) -> str:
    amount = _("%(amount)s yuan") % {"amount": rule.amount} if rule.amount is not None else rule.formula
    return f"{rule.name}: {amount}"


class MarkReadyForm(CaseActionForm):
    """The applicant's choice at intake is the default; a result for another site's counter is sent there."""

    method = forms.ChoiceField(label=gettext_lazy("Delivery"), choices=DeliveryMethod.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].initial = self.case.delivery_method or DeliveryMethod.WINDOW
        site = self.case.delivery_site or self.case.relay_site or self.case.receiving_site
        if site.pk != self.case.current_site_id:
            self.fields["method"].help_text = _(
                "Collected at a counter: the result is sent to %(site)s, where it is handed over."
            ) % {"site": site.name}


class DeliverForm(CaseActionForm):
    """Who received what: at a counter the recipient (the applicant unless someone else collects it) and the
    delivery receipt they sign; by post the tracking number."""

    recipient_name = forms.CharField(
        label=gettext_lazy("Recipient"),
        max_length=100,
        required=False,
        widget=SHORT_TEXT,
        help_text=gettext_lazy("Leave empty when the applicant collects it."),
    )
    recipient_id_number = forms.CharField(
        label=gettext_lazy("Recipient's document number"),
        max_length=40,
        required=False,
        widget=SHORT_TEXT,
        help_text=gettext_lazy("Check the document; leave empty for the applicant's own."),
    )
    post_tracking_number = forms.CharField(
        label=gettext_lazy("Postal tracking number"), max_length=40, required=False, widget=SHORT_TEXT
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        widget=SHORT_TEXT,
        help_text=gettext_lazy("For example: collected by the applicant's son with a written authorisation."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case.delivery_method == DeliveryMethod.POST:
            del self.fields["recipient_name"], self.fields["recipient_id_number"]
            self.fields["post_tracking_number"].required = True
        else:
            del self.fields["post_tracking_number"]

    def clean_recipient_name(self) -> str:
        name = self.cleaned_data["recipient_name"].strip()
        if name and name != self.case.applicant_name and not self.data.get(self.add_prefix("recipient_id_number")):
            raise forms.ValidationError(_("Enter the document number of the person who collects it."))
        return name


class WithdrawForm(CaseActionForm):
    reason = forms.CharField(label=gettext_lazy("The applicant's reason"), widget=_textarea())


# --- First inquiries -------------------------------------------------------------------------------------------


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


# --- The site ledger ---------------------------------------------------------------------------------------------


class LedgerFilterForm(forms.Form):
    site = forms.ChoiceField(label=gettext_lazy("Site"), required=False)

    def __init__(self, *args, sites: list[Site], today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        self.sites = sites
        self.fields["site"].choices = [("", _("All my sites")), *((site.code, site.name) for site in sites)]
        # "from" and "to" are the URL's words; they are Python keywords, so the fields are added here.
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            initial=today.replace(day=1),
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            required=False,
            initial=today,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end of the period is before its start."))
        return cleaned

    def period(self) -> tuple[list[Site], datetime.date, datetime.date]:
        """The chosen sites and dates; the defaults (every site, this month) where nothing valid was given."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        code = data.get("site")
        sites = [site for site in self.sites if site.code == code] if code else self.sites
        return sites, data.get("from") or self.fields["from"].initial, data.get("to") or self.fields["to"].initial
