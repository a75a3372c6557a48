from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.core.errors import DomainError
from bianmin.core.uploads import FORM_ACCEPT, FORM_KINDS, form_upload_clean
from bianmin.org.models import SiteLevel

from . import services
from .content import LEVEL_ORDER, SCALAR_FIELDS
from .models import (
    CatalogImport,
    FaqEntry,
    FeeRule,
    LegalBasis,
    MaterialRequirement,
    ProcessStep,
    ServiceItem,
    ServiceItemVersion,
    SpecialProcedure,
    Topic,
)
from .services import ContentInvalid


@admin.register(Topic)
class TopicAdmin(ConfigurationAdmin):
    list_display = ["name", "code", "position"]
    list_editable = ["position"]

    def save_model(self, request, obj, form, change):
        services.topic_save(actor=request.user, topic=obj)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("reason for withdrawal"), max_length=200)


@admin.register(ServiceItem)
class ServiceItemAdmin(ConfigurationAdmin):
    list_display = ["code", "current_name", "department", "status", "current_number", "results_published", "edit_draft"]
    list_filter = ["status", "department"]
    search_fields = ["code", "versions__name"]
    readonly_fields = [
        "code",
        "department",
        "status",
        "current_version",
        "withdrawn_at",
        "withdrawal_reason",
        "results_published",
    ]
    actions = ["publish", "withdraw", "publish_results", "keep_results_off_the_board"]
    list_select_related = ["department", "current_version"]

    def has_add_permission(self, request) -> bool:
        # New items arrive through the Excel import or the API, which validate the whole content at once.
        return False

    @admin.display(description=_("name"))
    def current_name(self, item):
        return item.current_version.name if item.current_version else "—"

    @admin.display(description=_("version"))
    def current_number(self, item):
        return item.current_version.number if item.current_version else "—"

    @admin.display(description=_("draft"))
    def edit_draft(self, item):
        url = reverse("admin:catalog_serviceitem_draft", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Edit the draft"))

    def get_urls(self):
        from django.urls import path

        return [
            path("<int:pk>/draft/", self.admin_site.admin_view(self.draft_view), name="catalog_serviceitem_draft"),
            *super().get_urls(),
        ]

    def draft_view(self, request, pk: int):
        """Open (or start) the item's draft in the version editor."""
        item = ServiceItem.objects.get(pk=pk)
        try:
            draft = services.draft_start(actor=request.user, item=item)
        except DomainError as error:
            self.message_user(request, str(error.message), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:catalog_serviceitem_changelist"))
        return HttpResponseRedirect(reverse("admin:catalog_serviceitemversion_change", args=[draft.pk]))

    @admin.action(description=_("Publish the drafts of the selected items"))
    def publish(self, request, queryset):
        for item in queryset:
            try:
                version = services.item_publish(actor=request.user, item=item)
            except DomainError as error:
                self.message_user(request, f"{item.code}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(code)s: version %(number)d published.") % {"code": item.code, "number": version.number},
                    messages.SUCCESS,
                )

    def _set_results_publication(self, request, queryset, published: bool) -> None:
        for item in queryset:
            try:
                services.item_set_results_publication(actor=request.user, item=item, published=published)
            except DomainError as error:
                self.message_user(request, f"{item.code}: {error.message}", messages.ERROR)

    @admin.action(description=_("Publish the decisions of the selected items on the results board"))
    def publish_results(self, request, queryset):
        self._set_results_publication(request, queryset, True)

    @admin.action(description=_("Keep the decisions of the selected items off the results board"))
    def keep_results_off_the_board(self, request, queryset):
        self._set_results_publication(request, queryset, False)

    @admin.action(description=_("Withdraw the selected items from the public catalogue"))
    def withdraw(self, request, queryset):
        form = WithdrawForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            for item in queryset:
                try:
                    services.item_withdraw(actor=request.user, item=item, reason=form.cleaned_data["reason"])
                except DomainError as error:
                    self.message_user(request, f"{item.code}: {error.message}", messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/catalog/withdraw.html",
            {
                **self.admin_site.each_context(request),
                "items": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class PartInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.published_at is None

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)


class LegalBasisInline(PartInline):
    model = LegalBasis
    fields = ["position", "law", "article", "excerpt"]


MATERIAL_FIELDS = ["position", "name", "form", "copies", "is_required", "condition", "blank_form", "sample", "notes"]


class MaterialForm(forms.ModelForm):
    """A blank form or sample is recognised from its bytes and stored under a random name (core.uploads)."""

    class Meta:
        model = MaterialRequirement
        fields = MATERIAL_FIELDS
        widgets = {
            "blank_form": forms.ClearableFileInput(attrs={"accept": FORM_ACCEPT}),
            "sample": forms.ClearableFileInput(attrs={"accept": FORM_ACCEPT}),
        }

    def clean_blank_form(self):
        return form_upload_clean(self.cleaned_data.get("blank_form"), kinds=FORM_KINDS)

    def clean_sample(self):
        return form_upload_clean(self.cleaned_data.get("sample"), kinds=FORM_KINDS)


class MaterialInline(PartInline):
    model = MaterialRequirement
    form = MaterialForm
    fields = MATERIAL_FIELDS


class StepInline(PartInline):
    model = ProcessStep
    fields = ["position", "name", "role", "tier", "days", "description"]


class FeeInline(PartInline):
    model = FeeRule
    fields = ["position", "name", "amount", "formula", "basis"]


class ProcedureInline(PartInline):
    model = SpecialProcedure
    fields = ["position", "kind", "typical_days", "description"]


class FaqInline(PartInline):
    model = FaqEntry
    fields = ["position", "question", "answer"]


class VersionForm(forms.ModelForm):
    accepting_levels = forms.MultipleChoiceField(
        label=_("levels that accept applications"), choices=SiteLevel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ServiceItemVersion
        fields = [*SCALAR_FIELDS, "change_note", "co_departments", "topics", "windows"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["accepting_levels"] = self.instance.accepting_level_list

    def clean_accepting_levels(self) -> str:
        chosen = self.cleaned_data["accepting_levels"]
        return ",".join(level for level in LEVEL_ORDER if level in chosen)


@admin.register(ServiceItemVersion)
class ServiceItemVersionAdmin(ConfigurationAdmin):
    form = VersionForm
    list_display = ["__str__", "kind", "case_type", "statutory_days", "promised_days", "published_at"]
    list_filter = ["kind", "case_type", "item__department"]
    search_fields = ["name", "item__code"]
    filter_horizontal = ["co_departments", "windows", "topics"]
    inlines = [LegalBasisInline, MaterialInline, StepInline, FeeInline, ProcedureInline, FaqInline]
    list_select_related = ["item"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Published versions are immutable: cases reference them.
        return (obj is None or obj.published_at is None) and super().has_change_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except ContentInvalid as invalid:
            for error in invalid.errors:
                where = f" ({gettext('row %(row)d') % {'row': error.row}})" if error.row else ""
                self.message_user(request, f"{error.message}{where}", messages.ERROR)
            self.message_user(request, gettext("Nothing was saved."), messages.WARNING)
            return HttpResponseRedirect(request.path)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.draft_validated(actor=request.user, item=form.instance.item)


@admin.register(CatalogImport)
class CatalogImportAdmin(ConfigurationAdmin):
    list_display = ["filename", "created_by", "created_at", "status", "created_items", "updated_items"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in CatalogImport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
