"""Pages for accountability records (责任追究): the list, recording one, one record and its annulment."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.accounts.models import User
from bianmin.core.errors import DomainError
from bianmin.core.pagination import CappedPaginator
from bianmin.org.models import Department
from bianmin.org.permissions import is_supervisor, staff_required
from bianmin.org.selectors import sites_visible_to, staff_visible_to

from ..models import AccountabilityRecord, SupervisionOrder
from ..selectors.orders import (
    accountability_filtered,
    accountability_get_for_user,
    accountability_visible_to,
    alerts_in_scope,
    orders_visible_to,
)
from ..services.accountability import accountability_record_annul, accountability_record_create
from ._common import DATE_INPUT, LIST_PAGE_SIZE, _departments, _require_supervisor, _textarea, _valid

# --- Accountability ------------------------------------------------------------------------------------------------


class AccountabilityFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("All departments"),
    )
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), required=False)
    start = forms.DateField(label=gettext_lazy("Decided from"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("Decided until"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()
        self.fields["measure"].choices = [("", _("All measures")), *AccountabilityRecord.Measure.choices]


@staff_required
@require_GET
def accountability_list(request):
    form = AccountabilityFilterForm(request.GET or None)
    filters = _valid(form)
    department = filters.get("department")
    records = accountability_filtered(
        accountability_visible_to(request.user),
        department_code=department.code if department else None,
        measure=filters.get("measure"),
        start=filters.get("start"),
        end=filters.get("end"),
    )
    page = CappedPaginator(records, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "may_record": is_supervisor(request.user)}
    return TemplateResponse(request, "supervision/accountability_list.html", context)


ORDER_NUMBER = re.compile(r"DB-\d{4}-\d{5}")


class AccountabilityForm(forms.Form):
    finding = forms.CharField(label=gettext_lazy("Finding"), widget=_textarea(4))
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), choices=AccountabilityRecord.Measure.choices)
    points = forms.DecimalField(
        label=gettext_lazy("Points deducted (deduction only)"), required=False, max_digits=5, decimal_places=1
    )
    decided_on = forms.DateField(label=gettext_lazy("Decided on"), widget=DATE_INPUT)
    person = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.none(), required=False
    )
    site = forms.ModelChoiceField(
        label=gettext_lazy("Site"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("From the linked order or alert, or the person"),
    )
    orders = forms.CharField(
        label=gettext_lazy("Supervision orders behind it (numbers, e.g. DB-2026-00001)"), required=False
    )
    alerts = forms.CharField(label=gettext_lazy("Alerts behind it (numbers)"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        staff_ids = staff_visible_to(user).values("user_id")
        self.fields["person"].queryset = User.objects.filter(pk__in=staff_ids).order_by("username")
        self.fields["person"].label_from_instance = lambda person: f"{person.get_full_name()} ({person.username})"
        self.fields["department"].queryset = _departments()
        self.fields["site"].queryset = sites_visible_to(user).order_by("path")

    def clean_orders(self) -> list[SupervisionOrder]:
        numbers = sorted(set(ORDER_NUMBER.findall(self.cleaned_data["orders"].upper())))
        found = list(orders_visible_to(self.user).filter(number__in=numbers))
        if len(found) != len(numbers):
            raise forms.ValidationError(_("An order number is unknown or outside your jurisdiction."))
        return found

    def clean_alerts(self) -> list:
        ids = sorted({int(value) for value in re.findall(r"\d+", self.cleaned_data["alerts"])})
        found = list(alerts_in_scope(self.user).filter(pk__in=ids))
        if len(found) != len(ids):
            raise forms.ValidationError(_("An alert number is unknown or outside your jurisdiction."))
        return found


@staff_required
@require_http_methods(["GET", "POST"])
def accountability_new(request):
    _require_supervisor(request.user)
    initial = {
        "decided_on": timezone.localdate(),
        "orders": request.GET.get("order", ""),
        "alerts": request.GET.get("alert", ""),
    }
    form = AccountabilityForm(request.POST or None, user=request.user, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = accountability_record_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                error, status = str(exc.message), exc.status
            else:
                messages.success(request, _("The accountability record was saved."))
                return redirect("supervision:accountability_detail", pk=record.pk)
        else:
            status = 400
    return TemplateResponse(
        request, "supervision/accountability_form.html", {"form": form, "error": error}, status=status
    )


class AnnulForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why the record is annulled"), widget=_textarea(2))


def _record_or_404(user: User, pk: int) -> AccountabilityRecord:
    record = accountability_get_for_user(user, pk)
    if record is None:
        raise Http404
    return record


def _render_record(request, record: AccountabilityRecord, *, form=None, error: str = "", status: int = 200):
    context = {
        "record": record,
        "alerts": record.alerts.select_related("site", "case"),
        "orders": record.orders.select_related("department"),
        "may_annul": record.annulled_at is None and is_supervisor(request.user),
        "form": form or AnnulForm(),
        "error": error,
    }
    return TemplateResponse(request, "supervision/accountability_detail.html", context, status=status)


@staff_required
@require_GET
def accountability_detail(request, pk: int):
    return _render_record(request, _record_or_404(request.user, pk))


@staff_required
@require_POST
def accountability_annul(request, pk: int):
    record = _record_or_404(request.user, pk)
    form = AnnulForm(request.POST)
    if not form.is_valid():
        return _render_record(request, record, form=form, status=400)
    try:
        accountability_record_annul(actor=request.user, record=record, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _render_record(
            request, _record_or_404(request.user, pk), form=form, error=str(exc.message), status=exc.status
        )
    messages.success(request, _("The record was annulled."))
    return redirect("supervision:accountability_detail", pk=pk)
