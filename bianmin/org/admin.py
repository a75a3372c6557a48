from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from bianmin.accounts.forms import TemporaryPasswordForm
from bianmin.accounts.models import User
from bianmin.accounts.services import PasswordRejected
from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.core.errors import DomainError

from . import services
from .models import Delegation, Department, RoleAssignment, Site, Window
from .selectors import accounts_administered_by, sites_visible_to, staff_visible_to, windows_visible_to
from .services import SUPERUSER_ONLY_ROLES

# --- Accounts: shown and changed through the power rule over accounts (services.require_power_over) -------------
# Registered before the organisation's models: the admin's app-index URL names the apps in registration order.


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ["role", "site", "department", "window", "is_active"]
    readonly_fields = fields
    verbose_name_plural = _("roles (change them under Role assignments)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _has_power(actor: User, target: User) -> bool:
    try:
        services.require_power_over(actor, target)
    except DomainError:
        return False
    return True


@admin.register(User)
class UserAdmin(ConfigurationAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "phone", "is_staff", "is_active", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal information"), {"fields": ["full_name", "phone", "email"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "must_change_password"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["username", "full_name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined", "must_change_password"]
    inlines = [RoleAssignmentInline]
    change_user_password_template = "admin/accounts/user/temporary_password.html"

    def get_queryset(self, request):
        visible = accounts_administered_by(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)

    def has_change_permission(self, request, obj=None) -> bool:
        # An account with more power than the administrator's own is shown read-only (require_power_over).
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or _has_power(request.user, obj))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("is_superuser")  # only a superuser can make another superuser
        if obj is not None and obj.pk == request.user.pk:
            fields.extend(services.ACCESS_FLAGS)  # nobody changes their own access
        return list(dict.fromkeys(fields))

    def save_model(self, request, obj, form, change):
        services.user_save(user=obj, actor=request.user, changed_fields=list(form.changed_data))

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        """Django's password page, as a reset through org.services: the password set here is temporary."""
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_view_permission(request, user):
            raise Http404
        if user.pk == request.user.pk:
            messages.info(request, gettext("Change your own password here, with your current password."))
            return redirect("accounts:password_change")
        try:
            services.require_power_over(request.user, user)
        except DomainError as refusal:
            raise PermissionDenied(str(refusal.message)) from refusal
        form = TemporaryPasswordForm(user, request.POST or None)
        temporary_password = None
        if request.method == "POST" and form.is_valid():
            typed = form.cleaned_data["password1"] or None
            try:
                temporary_password = services.password_reset(actor=request.user, user=user, temporary_password=typed)
            except PasswordRejected as rejected:
                for message in rejected.messages:
                    form.add_error("password1", message)
            except DomainError as refusal:
                raise PermissionDenied(str(refusal.message)) from refusal
            else:
                self.log_change(request, user, gettext("Set a temporary password."))
                if typed:
                    temporary_password = None  # the administrator typed it: not shown again
                form = TemporaryPasswordForm(user)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reset the password of %(username)s") % {"username": user.get_username()},
            "form": form,
            "form_url": form_url,
            "opts": self.opts,
            "original": user,
            "done": request.method == "POST" and not form.is_bound,
            "temporary_password": temporary_password,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, self.change_user_password_template, context, status=400 if form.errors else 200
        )


# --- The organisation -------------------------------------------------------------------------------------------


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
    list_display = ["user", "role", "site", "department", "window", "badge_number", "is_active"]
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
            badge_number=obj.badge_number,
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
