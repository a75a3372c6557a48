"""The complaint forms: the public's (portal and kiosk), the staff's telephone entry, the moves, the lists' filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.accounts.models import User
from bianmin.org.models import Department, Site, Window

from .models import QUERY_CODE_DIGITS, Complaint, ComplaintKind, ComplaintSubject
from .services import Complainant, ComplaintIn


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ComplaintForm(forms.Form):
    """What anyone fills in to complain or ask (the portal, the kiosk, and staff taking a call)."""

    kind = forms.ChoiceField(label=_("What is it?"), choices=ComplaintKind.choices, initial=ComplaintKind.COMPLAINT)
    subject = forms.ChoiceField(label=_("What is it about?"), choices=ComplaintSubject.choices)
    tracking_number = forms.CharField(
        label=_("Tracking number of the case"),
        required=False,
        max_length=32,
        help_text=_("If it is about a case, its tracking number is on the receipt."),
    )
    site = forms.ModelChoiceField(
        label=_("Where did it happen?"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("The county centre, or I do not know"),
    )
    window = forms.ModelChoiceField(
        label=_("Which window? (optional)"), queryset=Window.objects.none(), required=False, empty_label="—"
    )
    text = forms.CharField(label=_("What happened?"), max_length=5000, widget=_textarea(6))
    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("We send the complaint's number and query code to this phone, and call back on it."),
    )
    id_number = forms.CharField(label=_("Your identity document number (optional)"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(is_active=True).order_by("path")
        self.fields["window"].queryset = Window.objects.filter(site__is_active=True).select_related("site")

    def complaint_in(self) -> ComplaintIn:
        data = self.cleaned_data
        return ComplaintIn(
            kind=data["kind"],
            subject=data["subject"],
            text=data["text"],
            complainant=Complainant(name=data["name"], phone=data["phone"], id_number=data["id_number"]),
            tracking_number=data["tracking_number"],
            site=data["site"],
            window=data["window"],
        )


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Complaint number"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    query_code = forms.CharField(
        label=_("Query code"),
        min_length=QUERY_CODE_DIGITS,
        max_length=QUERY_CODE_DIGITS,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "pattern": "[0-9]*"}),
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling?"),
        coerce=int,
        choices=[
            (5, _("Very satisfied")),
            (4, _("Satisfied")),
            (3, _("Basically satisfied")),
            (2, _("Dissatisfied")),
            (1, _("Very dissatisfied")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False, widget=_textarea(3))


class ListFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    late = forms.BooleanField(label=_("Late only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *Complaint.State.choices]
        self.fields["kind"].choices = [("", _("All kinds")), *ComplaintKind.choices]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=_textarea(3))


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("None: the site handles it"),
    )
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=User.objects.none())

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("code")
        self.fields["handler"].queryset = handlers


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply to the complainant"), max_length=5000, widget=_textarea(5))


class FinishForm(forms.Form):
    finding = forms.ChoiceField(label=_("Finding"), choices=Complaint.Finding.choices, widget=forms.RadioSelect)
    accountable_department = forms.ModelChoiceField(
        label=_("Accountable department, if upheld"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("The case's or the assigned department"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accountable_department"].queryset = Department.objects.filter(is_active=True).order_by("code")


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=5000, widget=_textarea(3))


class RemindForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=_textarea(2))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook of the hotline's work orders (.xlsx)"))
