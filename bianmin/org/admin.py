from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bianmin.accounts.services import SUPERUSER_ONLY_ROLES
from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.core.errors import DomainError

from . import services
from .models import Delegation, Department, RoleAssignment, Site, Window
from .selectors import sites_visible_to, staff_visible_to, windows_visible_to


@admin.register(Site)
class SiteAdmin(ConfigurationAdmin):
    list_display = ["name", "code", "level", "kind", "parent", "phone", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "code", "address"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]
    fields = [
        "name",
        "code",
        "level",
        "kind",
        "parent",
        "path",
        "address",
        "opening_hours",
        "phone",
        ("latitude", "longitude"),
        "is_active",
    ]

    def get_queryset(self, request):
        return sites_visible_to(request.user)

    def save_model(self, request, obj, form, change):
        services.site_save(site=obj, actor=request.user)


@admin.register(Department)
class DepartmentAdmin(ConfigurationAdmin):
    list_display = ["code", "name", "short_name", "is_licensing", "phone", "is_active"]
    list_filter = ["is_licensing", "is_active"]
    search_fields = ["code", "name", "short_name"]

    def save_model(self, request, obj, form, change):
        services.department_save(department=obj, actor=request.user)


@admin.register(Window)
class WindowAdmin(ConfigurationAdmin):
    list_display = ["__str__", "name", "site", "is_active"]
    list_filter = ["site__level", "is_active"]
    search_fields = ["name", "number", "site__name"]
    filter_horizontal = ["departments"]
    autocomplete_fields = ["site"]

    def get_queryset(self, request):
        return windows_visible_to(request.user)

    def save_model(self, request, obj, form, change):
        # Departments are many-to-many: the service sets them, so save_related must not do it again.
        self._departments = list(form.cleaned_data["departments"])

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            services.window_save(window=form.instance, departments=self._departments, actor=request.user)


class DelegationInline(admin.TabularInline):
    model = Delegation
    extra = 0
    can_delete = False
    fields = ["decisions", "item_codes", "valid_from", "valid_to", "document_number", "granted_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ConfigurationAdmin):
    list_display = ["user", "role", "site", "department", "window", "is_active"]
    list_filter = ["role", "is_active", "site__level"]
    search_fields = ["user__username", "user__full_name", "site__name", "department__name"]
    autocomplete_fields = ["user", "site", "department", "window"]
    inlines = [DelegationInline]
    actions = ["revoke"]

    def get_queryset(self, request):
        return staff_visible_to(request.user, include_inactive=True)

    def has_change_permission(self, request, obj=None) -> bool:
        # The assignments of a more powerful person, or one's own, are shown read-only (org.services).
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        try:
            services.require_role_power(request.user, obj.user, obj.role, obj.site)
        except DomainError:
            return False
        return True

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [choice for choice in db_field.choices if choice[0] not in SUPERUSER_ONLY_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change and not obj.is_active:
            services.role_revoke(actor=request.user, assignment=obj)
            return
        saved = services.role_assign(
            actor=request.user,
            user=obj.user,
            role=obj.role,
            site=obj.site,
            department=obj.department,
            window=obj.window,
        )
        obj.pk = saved.pk

    @admin.action(description=_("Revoke the selected role assignments"))
    def revoke(self, request, queryset):
        for assignment in queryset:
            try:
                with transaction.atomic():
                    services.role_revoke(actor=request.user, assignment=assignment)
            except DomainError as refusal:
                self.message_user(request, f"{assignment}: {refusal.message}", messages.ERROR)


class DelegationForm(forms.ModelForm):
    decisions = forms.MultipleChoiceField(
        label=_("decisions"), choices=Delegation.Decision.choices, widget=forms.CheckboxSelectMultiple
    )
    item_codes = forms.CharField(
        label=_("item codes"),
        required=False,
        help_text=_("Catalogue codes or code prefixes separated by commas; leave empty for every item."),
    )

    class Meta:
        model = Delegation
        fields = ["assignment", "decisions", "item_codes", "valid_from", "valid_to", "document_number"]

    def clean_item_codes(self) -> list[str]:
        raw = self.cleaned_data.get("item_codes") or ""
        return [code.strip() for code in raw.replace("，", ",").split(",") if code.strip()]


@admin.register(Delegation)
class DelegationAdmin(ConfigurationAdmin):
    form = DelegationForm
    list_display = ["assignment", "valid_from", "valid_to", "document_number", "granted_by"]
    list_filter = ["valid_from"]
    autocomplete_fields = ["assignment"]
    fields = ["assignment", "decisions", "item_codes", "valid_from", "valid_to", "document_number"]

    def has_change_permission(self, request, obj=None) -> bool:
        # A delegation is a record of an authorisation document: grant a new one rather than edit it.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = services.delegation_grant(
            actor=request.user,
            assignment=obj.assignment,
            decisions=obj.decisions,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            item_codes=obj.item_codes,
            document_number=obj.document_number,
        )
        obj.pk = saved.pk
