from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.org.models import RoleAssignment

from . import services
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


@admin.register(User)
class UserAdmin(ConfigurationAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "phone", "is_staff", "is_active", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal information"), {"fields": ["full_name", "phone", "email"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "full_name", "password1", "password2"]})
    ]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [RoleAssignmentInline]

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser can make another superuser.
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "is_superuser"]

    def save_model(self, request, obj, form, change):
        services.user_save(user=obj, actor=request.user, changed_fields=list(form.changed_data))
