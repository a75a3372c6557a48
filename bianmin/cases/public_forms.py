"""The applicant's forms: phone code, online application (and its draft), tracking, withdrawal.

A draft lives in the session, keyed by item code. Uploaded files cannot go into the session, so they are kept
with the default storage under ``cases/drafts/<draft token>/`` and the session keeps their names. The folder
is named by a random token, not by the session key: a file path ends up in logs and backups, and a session
key there would be a way into the session.
"""

from __future__ import annotations

import contextlib
import datetime
import secrets
import uuid

from django import forms
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.accounts.phone import PhoneCodeError, phone_normalise
from bianmin.catalog.models import MaterialRequirement, ServiceItemVersion
from bianmin.core.uploads import SCAN_ACCEPT, SCAN_KINDS, form_upload_clean
from bianmin.org.models import Site, SiteLevel

from .idnumbers import validate_id_number
from .models import DeliveryChoice, IdType
from .services import MaterialCheck

DRAFTS_SESSION_KEY = "application_drafts"
DRAFT_FIELDS = ("name", "id_type", "id_number", "address", "details", "receiving_site", "delivery")


# --- Phone codes ----------------------------------------------------------------------------------------------


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        help_text=_("We send a 6-digit code to this number by SMS."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except PhoneCodeError as error:
            raise forms.ValidationError(error.message) from None


class PhoneCodeForm(PhoneForm):
    code = forms.CharField(
        label=_("Code from the SMS"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )


# --- The application --------------------------------------------------------------------------------------------


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, site: Site) -> str:
        if site.level == SiteLevel.VILLAGE and site.parent_id:
            return f"{site.parent.name} · {site.name}"
        return site.name


def receiving_sites(version: ServiceItemVersion):
    """The sites where this item may be received: every active site of an accepting level."""
    return (
        Site.objects.filter(is_active=True, level__in=version.accepting_level_list)
        .select_related("parent")
        .order_by("path")
    )


def default_receiving_site(version: ServiceItemVersion) -> Site | None:
    """The county centre when the county level accepts the item; otherwise the applicant chooses."""
    if SiteLevel.COUNTY not in version.accepting_level_list:
        return None
    return Site.objects.filter(is_active=True, parent__isnull=True, level=SiteLevel.COUNTY).order_by("pk").first()


class ApplicationForm(forms.Form):
    """Applicant, what is applied for, where, and one file per material. ``strict`` is the submission: every
    field and every required material must be there. A draft keeps whatever was entered.

    The browser is not asked to enforce "required": a draft may be saved half-filled, and a required file
    already kept in the draft needs no new upload. The server checks the submission."""

    use_required_attribute = False

    name = forms.CharField(
        label=_("Name of the applicant"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_type = forms.ChoiceField(label=_("Identity document"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(
        label=_("Document number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    address = forms.CharField(
        label=_("Address"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )
    details = forms.CharField(
        label=_("What you apply for"),
        max_length=2000,
        help_text=_("In a few sentences: what you ask for, and anything the office should know."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    receiving_site = SiteChoiceField(
        label=_("Where your application is handled"),
        queryset=Site.objects.none(),
        empty_label=_("Choose a site"),
        help_text=_("You collect the result there, unless you choose otherwise below."),
    )
    # 结果反馈: where the result goes back; printed on the receipt.
    delivery = forms.TypedChoiceField(
        label=_("How you receive the result"),
        choices=[
            (DeliveryChoice.WHERE_APPLIED, _("Collect it at the site chosen above")),
            (DeliveryChoice.DECIDING_SITE, _("Collect it at the site that decides")),
            (DeliveryChoice.POST, _("By post to my address")),
        ],
        initial=DeliveryChoice.WHERE_APPLIED,
        required=False,
        empty_value=DeliveryChoice.WHERE_APPLIED,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, version: ServiceItemVersion, draft: ApplicationDraft, strict: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.version, self.draft, self.strict = version, draft, strict
        self.fields["receiving_site"].queryset = receiving_sites(version)
        self.requirements = list(version.materials.all())
        for field in self.fields.values():
            field.required = strict and field.required
        for requirement in self.requirements:
            self.fields[f"material_{requirement.pk}"] = forms.FileField(
                label=requirement.name,
                required=False,
                widget=forms.FileInput(attrs={"accept": SCAN_ACCEPT}),
            )
            self.fields[f"remove_{requirement.pk}"] = forms.BooleanField(label=_("Remove this file"), required=False)

    def material_rows(self) -> list[dict]:
        """For the template: each material with its upload field, its file kept in the draft, its remove box."""
        return [
            {
                "requirement": requirement,
                "field": self[f"material_{requirement.pk}"],
                "remove": self[f"remove_{requirement.pk}"],
                "kept": self.draft.file_name(requirement.pk),
            }
            for requirement in self.requirements
        ]

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].strip().upper()

    def clean(self) -> dict:
        cleaned = super().clean()
        for requirement in self.requirements:
            name = f"material_{requirement.pk}"
            if cleaned.get(name):
                # What the file is comes from its bytes; a picture is re-encoded (core.uploads).
                try:
                    cleaned[name] = form_upload_clean(cleaned[name], kinds=SCAN_KINDS)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        if self.strict:
            self._check_for_submission(cleaned)
        return cleaned

    def _check_for_submission(self, cleaned: dict) -> None:
        if cleaned.get("id_type") and cleaned.get("id_number"):
            for problem in validate_id_number(cleaned["id_type"], cleaned["id_number"]):
                self.add_error("id_number", problem)
        for requirement in self.requirements:
            if requirement.is_required and not self.will_have_file(requirement, cleaned):
                self.add_error(f"material_{requirement.pk}", _("Upload this material: it is required."))

    def will_have_file(self, requirement: MaterialRequirement, cleaned: dict) -> bool:
        # The submission is checked after the draft took this request's uploads and removals, so the draft
        # is the truth here and the remove boxes were already applied.
        return bool(cleaned.get(f"material_{requirement.pk}")) or bool(self.draft.file_name(requirement.pk))


# --- The draft ------------------------------------------------------------------------------------------------------


class ApplicationDraft:
    """One applicant's unfinished application of one item, in their session; it belongs to the verified phone."""

    def __init__(self, session, item_code: str, phone: str):
        self.session, self.item_code, self.phone = session, item_code, phone
        stored = session.get(DRAFTS_SESSION_KEY, {}).get(item_code)
        if stored and stored.get("phone") != phone:
            stored = None  # someone else's draft on this device: not shown to this phone
        self.data = stored or {"phone": phone, "token": secrets.token_hex(16), "fields": {}, "files": {}}

    @property
    def exists(self) -> bool:
        return bool(self.data.get("saved_at"))

    @property
    def saved_at(self):
        value = self.data.get("saved_at")
        return datetime.datetime.fromisoformat(value) if value else None

    def initial(self) -> dict:
        return dict(self.data["fields"])

    def file_name(self, requirement_id: int) -> str:
        kept = self.data["files"].get(str(requirement_id))
        return kept["name"] if kept else ""

    def update(self, form: ApplicationForm) -> None:
        """Keep the entered fields, store new uploads (replacing earlier ones) and drop removed files."""
        cleaned = form.cleaned_data
        fields = {name: cleaned.get(name) for name in DRAFT_FIELDS}
        fields["receiving_site"] = fields["receiving_site"].pk if fields["receiving_site"] else None
        self.data["fields"] = {name: value for name, value in fields.items() if value not in (None, "")}
        for requirement in form.requirements:
            key = str(requirement.pk)
            upload = cleaned.get(f"material_{requirement.pk}")
            if upload or cleaned.get(f"remove_{requirement.pk}"):
                self._delete_file(key)
            if upload:
                # Cleaned by the form (core.uploads): its name is the uploaded stem with the recognised type's
                # extension, shown on the page; stored under a random name in the draft's folder.
                path = default_storage.save(f"cases/drafts/{self.data['token']}/{uuid.uuid4().hex}", upload)
                self.data["files"][key] = {"path": path, "name": upload.name}
        self.data["saved_at"] = timezone.now().isoformat()
        self.session.setdefault(DRAFTS_SESSION_KEY, {})[self.item_code] = self.data
        self.session.modified = True

    def material_checks(self, requirements: list[MaterialRequirement], stack: contextlib.ExitStack):
        """One MaterialCheck per material with a file, the file opened (and closed by ``stack``)."""
        checks = []
        for requirement in requirements:
            kept = self.data["files"].get(str(requirement.pk))
            if kept is None:
                continue
            handle = stack.enter_context(default_storage.open(kept["path"], "rb"))
            checks.append(
                MaterialCheck(
                    name=requirement.name, requirement_id=requirement.pk, file=File(handle, name=kept["name"])
                )
            )
        return checks

    def discard(self) -> None:
        for key in list(self.data["files"]):
            self._delete_file(key)
        self.session.get(DRAFTS_SESSION_KEY, {}).pop(self.item_code, None)
        self.session.modified = True

    def _delete_file(self, key: str) -> None:
        kept = self.data["files"].pop(key, None)
        if kept:
            default_storage.delete(kept["path"])


# --- Tracking and withdrawal ---------------------------------------------------------------------------------------


class TrackByCodeForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    query_code = forms.CharField(
        label=_("Query code"),
        help_text=_("8 digits, on your receipt and in the SMS we sent when the application arrived."),
        min_length=8,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "pattern": "[0-9]*"}),
    )

    def clean_tracking_number(self) -> str:
        return self.cleaned_data["tracking_number"].strip().upper()


class TrackByPhoneForm(forms.Form):
    """Without the query code: the ID tail and a code sent to the case's phone, both needed."""

    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    id_tail = forms.CharField(
        label=_("Last 6 characters of the identity document number"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=_("Code from the SMS"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )

    def clean_tracking_number(self) -> str:
        return self.cleaned_data["tracking_number"].strip().upper()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw the application?"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
