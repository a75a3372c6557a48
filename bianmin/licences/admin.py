"""Licence types in the admin: an administrator of the whole county corrects the organ, its code, the validity rule
and the seal image through ``licence_type_save`` (audited). Types are created with their item's first licence and
never deleted; the licences themselves change only through their moves (the licence page)."""

from django import forms
from django.contrib import admin

from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.core.uploads import PNG, form_upload_clean

from . import services
from .models import LicenceType


class LicenceTypeForm(forms.ModelForm):
    class Meta:
        model = LicenceType
        fields = ["name", "validity_years", "organ_name", "organ_code", "seal_image"]
        widgets = {"seal_image": forms.ClearableFileInput(attrs={"accept": ".png,image/png"})}

    def clean_seal_image(self):
        # A PNG recognised from its bytes and written again (core.uploads), stored under a random name.
        return form_upload_clean(self.cleaned_data.get("seal_image"), kinds=(PNG,))


@admin.register(LicenceType)
class LicenceTypeAdmin(ConfigurationAdmin):
    form = LicenceTypeForm
    list_display = ["code", "name", "number_prefix", "validity_years", "organ_name", "organ_code"]
    search_fields = ["code", "name", "organ_name"]
    readonly_fields = ["item", "code", "number_prefix"]
    fields = ["item", "code", "number_prefix", "name", "validity_years", "organ_name", "organ_code", "seal_image"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        services.licence_type_save(actor=request.user, licence_type=obj)
