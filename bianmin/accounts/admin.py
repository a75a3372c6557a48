from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.core.errors import DomainError
from bianmin.org.models import RoleAssignment

from . import selectors, services
from .forms import TemporaryPasswordForm
from .models import User


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
        visible = selectors.accounts_administered_by(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)

    def has_change_permission(self, request, obj=None) -> bool:
        # An account with more power than the administrator's own is shown read-only (accounts.services).
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
        """Django's password page, as a reset through accounts.services: the password set here is temporary."""
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
            except services.PasswordRejected as rejected:
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
