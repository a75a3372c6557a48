"""The working-day calendar in the admin (ALL art. 82). Every change goes through bianmin.core.workdays."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.functional import classproperty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.core import workdays
from bianmin.core.admin_site import ConfigurationAdmin
from bianmin.core.errors import DomainError
from bianmin.core.models import CalendarDay, CalendarYear

# Two small templates kept beside the admin that uses them. Their text comes from Python (translated there).
_CHANGE_LIST_TEMPLATE = """{% extends "admin/change_list.html" %}
{% block object-tools-items %}
<li><a href="{{ calendar_import_url }}" class="addlink">{{ calendar_import_label }}</a></li>
{{ block.super }}
{% endblock %}"""

_IMPORT_TEMPLATE = """{% extends "admin/base_site.html" %}
{% load admin_urls %}
{% block breadcrumbs %}
<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">{{ home_label }}</a>
&rsaquo; <a href="{% url opts|admin_urlname:'changelist' %}">{{ opts.verbose_name_plural|capfirst }}</a>
&rsaquo; {{ title }}
</div>
{% endblock %}
{% block content %}
<form method="post" enctype="multipart/form-data" novalidate>
{% csrf_token %}
<p>{{ explanation }}</p>
{{ form.as_div }}
<div class="submit-row"><input type="submit" class="default" value="{{ submit_label }}"></div>
</form>
{% endblock %}"""


def _template(source: str):
    return engines["django"].from_string(source)


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1900, max_value=2100)
    file = forms.FileField(
        label=gettext_lazy("State Council notice"),
        help_text=gettext_lazy(
            "A CSV (UTF-8) or .xlsx file with the columns 日期 (date), 是否工作日 (是 or 否) "
            "and 名称 (name), one row for each holiday and each make-up working day of the year."
        ),
    )


def _may_manage(request: HttpRequest) -> bool:
    return workdays.can_manage_calendar(request.user)


@admin.register(CalendarYear)
class CalendarYearAdmin(ConfigurationAdmin):
    list_display = ["year", "status", "source", "confirmed_by", "confirmed_at", "note"]
    list_filter = ["status", "source"]
    readonly_fields = ["year", "status", "source", "confirmed_by", "confirmed_at", "note"]
    actions = ["confirm_years"]

    @classproperty
    def change_list_template(cls):
        return _template(_CHANGE_LIST_TEMPLATE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # years come from the seed and from imports

    def has_change_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        # The list's actions need "change"; a year's own page is read-only (it changes through services).
        return obj is None and super().has_change_permission(request, obj) and _may_manage(request)

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="core_calendaryear_import",
            )
        ]
        return urls + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = dict(extra_context or {})
        if _may_manage(request):
            extra_context["calendar_import_url"] = reverse("admin:core_calendaryear_import")
            extra_context["calendar_import_label"] = _("Import the State Council notice")
        return super().changelist_view(request, extra_context)

    @admin.action(description=gettext_lazy("Confirm the selected years as they are"), permissions=["change"])
    def confirm_years(self, request: HttpRequest, queryset) -> None:
        confirmed = []
        for calendar_year in queryset.order_by("year"):
            try:
                workdays.calendar_year_confirm(year=calendar_year.year, actor=request.user)
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
            else:
                confirmed.append(str(calendar_year.year))
        if confirmed:
            self.message_user(request, _("Confirmed the calendar for %(years)s.") % {"years": ", ".join(confirmed)})

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_module_permission(request) and _may_manage(request)):
            raise PermissionDenied
        form = CalendarImportForm(
            request.POST or None,
            request.FILES or None,
            initial={"year": timezone.localdate(timezone=workdays.CALENDAR_TIME_ZONE).year + 1},
        )
        if request.method == "POST" and form.is_valid() and self._import(request, form):
            return HttpResponseRedirect(reverse("admin:core_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import the State Council notice"),
            "home_label": _("Home"),
            "explanation": _(
                "The notice's holidays and make-up working days replace the year's provisional days, and the "
                "year becomes confirmed. Deadlines of open cases in that year are recomputed."
            ),
            "submit_label": _("Import and confirm the year"),
            "form": form,
        }
        return TemplateResponse(request, _template(_IMPORT_TEMPLATE), context)

    def _import(self, request: HttpRequest, form: CalendarImportForm) -> bool:
        upload = form.cleaned_data["file"]
        try:
            rows = workdays.parse_calendar_file(upload, upload.name, year=form.cleaned_data["year"])
            calendar_year = workdays.calendar_import(year=form.cleaned_data["year"], rows=rows, actor=request.user)
        except workdays.CalendarImportError as exc:
            self.message_user(request, exc.summary, messages.ERROR)
            for error in exc.errors:
                self.message_user(request, error, messages.ERROR)
            return False
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return False
        self.message_user(
            request,
            _("Imported %(count)d holidays and make-up working days; the calendar for %(year)d is confirmed.")
            % {"count": len(rows), "year": calendar_year.year},
            messages.SUCCESS,
        )
        return True


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["is_workday", "name"]


@admin.register(CalendarDay)
class CalendarDayAdmin(ConfigurationAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "is_workday", "name", "is_provisional"]
    list_filter = ["is_workday", "is_provisional"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "weekday", "is_workday", "name", "is_provisional", "ordinal"]
    readonly_fields = ["date", "weekday", "is_provisional", "ordinal"]

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # days come from the seed and from imports

    def has_change_permission(self, request: HttpRequest, obj: CalendarDay | None = None) -> bool:
        return super().has_change_permission(request, obj) and _may_manage(request)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form, change: bool) -> None:
        workdays.calendar_day_update(
            day=obj,
            is_workday=form.cleaned_data["is_workday"],
            name=form.cleaned_data["name"],
            actor=request.user,
        )
