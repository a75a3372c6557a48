"""Scoring sheets and inspector groups in the admin: a centre administrator of the whole county configures them
through the services (``sheet_save``, ``indicator_save``, ``group_save``, ``group_member_add``; audited). Nothing is
deleted: rounds refer to the sheets; an indicator or a membership is corrected or deactivated instead."""

from django import forms
from django.contrib import admin

from bianmin.core.admin_site import ConfigurationAdmin

from . import services
from .models import Indicator, InspectingBody, InspectorGroup, InspectorMembership, Sheet


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fk_name = "sheet"
    fields = ["order", "code", "title", "parent", "points", "method", "evidence"]
    extra = 0
    can_delete = False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The group of an indicator is a top-level line of the same sheet.
        if db_field.name == "parent":
            sheet_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Indicator.objects.filter(sheet_id=sheet_id or 0, parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None) -> bool:
        return ConfigurationAdmin.has_add_permission(self, request)

    def has_change_permission(self, request, obj=None) -> bool:
        return ConfigurationAdmin.has_change_permission(self, request, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return ConfigurationAdmin.has_view_permission(self, request, obj)


@admin.register(Sheet)
class SheetAdmin(ConfigurationAdmin):
    list_display = ["name", "tier", "level", "pass_score", "is_active"]
    list_filter = ["tier", "level", "is_active"]
    fields = ["tier", "level", "name", "pass_score", "is_active"]
    inlines = [IndicatorInline]

    def save_model(self, request, obj, form, change):
        services.sheet_save(actor=request.user, sheet=obj)

    def save_formset(self, request, form, formset, change):
        for indicator in formset.save(commit=False):
            services.indicator_save(actor=request.user, indicator=indicator)


class MembershipInline(admin.TabularInline):
    model = InspectorMembership
    fields = ["user", "body", "is_active"]
    raw_id_fields = ["user"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return ConfigurationAdmin.has_add_permission(self, request)

    def has_change_permission(self, request, obj=None) -> bool:
        return ConfigurationAdmin.has_change_permission(self, request, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return ConfigurationAdmin.has_view_permission(self, request, obj)


class InspectorGroupForm(forms.ModelForm):
    bodies = forms.MultipleChoiceField(
        label=InspectorGroup._meta.get_field("bodies").verbose_name,
        choices=InspectingBody.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = InspectorGroup
        fields = ["name", "bodies"]


@admin.register(InspectorGroup)
class InspectorGroupAdmin(ConfigurationAdmin):
    form = InspectorGroupForm
    list_display = ["name", "bodies"]
    fields = ["name", "bodies"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        saved = services.group_save(
            actor=request.user, name=obj.name, bodies=list(form.cleaned_data["bodies"]), group=obj if change else None
        )
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change):
        for membership in formset.save(commit=False):
            services.group_member_add(
                actor=request.user,
                group=form.instance,
                user=membership.user,
                body=membership.body,
                is_active=membership.is_active,
            )
