"""The actions after acceptance: review steps, suspension, extension, decision, fee, delivery, withdrawal."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.catalog.models import SpecialProcedure

from ..models import DeliveryMethod, Extension, ReviewTask
from ._common import SHORT_TEXT, CaseActionForm, _textarea


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
