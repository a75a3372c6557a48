"""Pages for supervision orders (督办), accountability records (责任追究), the audit chain's status and the log of
supervisors' views of personal data. Thin: reads through ``selectors.orders``, writes through one service each; a
DomainError is shown with nothing changed."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.accounts.models import User
from bianmin.cases.data_views import WHAT_LABELS
from bianmin.cases.selectors import case_get_for_user
from bianmin.core.audit import audit_events_for, checkpoint_latest, verify_audit_chain_task
from bianmin.core.errors import DomainError
from bianmin.core.masking import mask_name
from bianmin.core.models import AuditHead, AuditVerification
from bianmin.org.models import Department, Role
from bianmin.org.permissions import is_supervisor, staff_required
from bianmin.org.selectors import sites_visible_to, staff_visible_to, user_scope, windows_visible_to

from ..models import AccountabilityRecord, SupervisionOrder
from ..selectors.orders import (
    accountability_get_for_user,
    accountability_visible_to,
    alerts_in_scope,
    data_views_visible_to,
    order_counts,
    order_get_for_user,
    orders_visible_to,
    orders_with_days_left,
    overdue_condition,
)
from ..services.accountability import accountability_record_annul, accountability_record_create
from ..services.orders import (
    MAX_DUE_DAYS,
    MIN_DUE_DAYS,
    order_accept,
    order_actions_for,
    order_issue,
    order_respond,
    order_return,
    order_withdraw,
)
from .history import event_rows

LIST_PAGE_SIZE = 50
AUDIT_RUNS_SHOWN = 20
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _require_supervisor(user: User) -> None:
    if not is_supervisor(user):
        raise PermissionDenied


def _departments():
    return Department.objects.filter(is_active=True).order_by("code")


def _valid(form: forms.Form) -> dict:
    """A filter form's valid values (an invalid value is ignored: the list still shows)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "", False)}


# --- Orders: the list --------------------------------------------------------------------------------------------


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)
    overdue = forms.BooleanField(label=pgettext_lazy("order", "Overdue only"), required=False)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("All departments"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *SupervisionOrder.State.choices]
        self.fields["department"].queryset = _departments()


@staff_required
@require_GET
def order_list(request):
    """督办: the orders the user may see, with counts by state; due dates with working days left, overdue first."""
    today = timezone.localdate()
    orders = orders_visible_to(request.user)
    form = OrderFilterForm(request.GET or None)
    filters = _valid(form)
    if "department" in filters:
        orders = orders.filter(department=filters["department"])
    counts = order_counts(orders, today)
    if "state" in filters:
        orders = orders.filter(state=filters["state"])
    if filters.get("overdue"):
        orders = orders.filter(overdue_condition(today))
    orders = orders_with_days_left(orders, today).order_by("-issued_at", "-pk")
    page = Paginator(orders, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    overdue_states = {SupervisionOrder.State.ISSUED, SupervisionOrder.State.RETURNED}
    rows = [
        {
            "order": order,
            "is_overdue": order.state in overdue_states and order.due < today,
            "days_overdue": -order.days_left,
        }
        for order in page
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "counts": counts,
        "states": [(value, label, counts[value]) for value, label in SupervisionOrder.State.choices],
        "may_issue": is_supervisor(request.user),
    }
    return TemplateResponse(request, "supervision/order_list.html", context)


# --- Orders: issuing ----------------------------------------------------------------------------------------------


class OrderIssueForm(forms.Form):
    instruction = forms.CharField(label=gettext_lazy("What must be fixed"), widget=_textarea(4))
    due_days = forms.IntegerField(
        label=gettext_lazy("Working days to respond"), min_value=MIN_DUE_DAYS, max_value=MAX_DUE_DAYS, initial=5
    )
    window = forms.ModelChoiceField(
        label=gettext_lazy("Window"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("No window: the department as a whole"),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, user: User, has_target: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()
        if has_target:
            del self.fields["window"]
            del self.fields["department"]
        else:
            self.fields["window"].queryset = windows_visible_to(user).order_by("site__path", "number")


def _order_target_from_query(request) -> dict:
    """The case or alert an order is issued on, from ``?case=`` / ``?alert=``; 404 outside the jurisdiction."""
    target: dict = {}
    case_id, alert_id = request.GET.get("case", ""), request.GET.get("alert", "")
    if case_id:
        case = case_get_for_user(request.user, int(case_id)) if case_id.isdigit() else None
        if case is None:
            raise Http404
        target["case"] = case
    if alert_id:
        alert = alerts_in_scope(request.user).filter(pk=int(alert_id)).first() if alert_id.isdigit() else None
        if alert is None:
            raise Http404
        target["alert"] = alert
    return target


@staff_required
@require_http_methods(["GET", "POST"])
def order_new(request):
    """Issue an order: on the case or alert named in the address, or on a department or one of its windows."""
    _require_supervisor(request.user)
    target = _order_target_from_query(request)
    form = OrderIssueForm(request.POST or None, user=request.user, has_target=bool(target))
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = order_issue(
                    actor=request.user,
                    instruction=data["instruction"],
                    due_days=data["due_days"],
                    department=data.get("department"),
                    window=data.get("window"),
                    **target,
                )
            except DomainError as exc:
                error, status = str(exc.message), exc.status
            else:
                messages.success(request, _("Order %(number)s was issued.") % {"number": order.number})
                return redirect("supervision:order_detail", pk=order.pk)
        else:
            status = 400
    context = {"form": form, "target": target, "error": error}
    return TemplateResponse(request, "supervision/order_form.html", context, status=status)


# --- Orders: one order and its moves ---------------------------------------------------------------------------


class RespondForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Your response: what was found and what was fixed"), widget=_textarea(5))


class AcceptForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), widget=_textarea(2), required=False)


class ReturnForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What is still wrong"), widget=_textarea(3))
    due_days = forms.IntegerField(
        label=gettext_lazy("New time to respond, in working days from today (optional)"),
        min_value=MIN_DUE_DAYS,
        max_value=MAX_DUE_DAYS,
        required=False,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why the order is withdrawn"), widget=_textarea(2))


ORDER_ACTIONS = {
    "respond": (
        RespondForm,
        gettext_lazy("Respond"),
        lambda user, order, d: order_respond(actor=user, order=order, text=d["text"]),
    ),
    "accept": (
        AcceptForm,
        gettext_lazy("Accept the response"),
        lambda user, order, d: order_accept(actor=user, order=order, note=d["note"]),
    ),
    "return": (
        ReturnForm,
        gettext_lazy("Return the response"),
        lambda user, order, d: order_return(actor=user, order=order, note=d["note"], due_days=d["due_days"]),
    ),
    "withdraw": (
        WithdrawForm,
        gettext_lazy("Withdraw the order"),
        lambda user, order, d: order_withdraw(actor=user, order=order, reason=d["reason"]),
    ),
}


def _order_or_404(user: User, pk: int) -> SupervisionOrder:
    order = order_get_for_user(user, pk)
    if order is None:
        raise Http404
    return order


# How the order's audit events read in its history (the chain stores stable codes).
ORDER_EVENT_LABELS = {
    "order.issue": gettext_lazy("Order issued"),
    "order.respond": gettext_lazy("Department responded"),
    "order.accept": gettext_lazy("Response accepted"),
    "order.return": gettext_lazy("Response returned"),
    "order.withdraw": gettext_lazy("Order withdrawn"),
}


def _render_order(request, order: SupervisionOrder, *, bound: dict | None = None, error: str = "", status: int = 200):
    today = timezone.localdate()
    bound = bound or {}
    offered = [
        {"name": name, "label": ORDER_ACTIONS[name][1], "form": bound.get(name) or ORDER_ACTIONS[name][0](prefix=name)}
        for name in order_actions_for(request.user, order)
    ]
    context = {
        "order": order,
        "responses": order.responses.select_related("responded_by", "verdict_by"),
        "offered": offered,
        "is_overdue": order.state in {SupervisionOrder.State.ISSUED, SupervisionOrder.State.RETURNED}
        and order.due < today,
        "events": event_rows(audit_events_for(order).select_related("actor"), ORDER_EVENT_LABELS),
        "error": error,
        "is_supervisor": is_supervisor(request.user),
    }
    return TemplateResponse(request, "supervision/order_detail.html", context, status=status)


@staff_required
@require_GET
def order_detail(request, pk: int):
    return _render_order(request, _order_or_404(request.user, pk))


@staff_required
@require_POST
def order_action(request, pk: int, action: str):
    order = _order_or_404(request.user, pk)
    if action not in ORDER_ACTIONS:
        raise Http404
    form_class, _label, run = ORDER_ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        return _render_order(request, order, bound={action: form}, status=400)
    try:
        run(request.user, order, form.cleaned_data)
    except DomainError as exc:
        order = _order_or_404(request.user, pk)
        return _render_order(request, order, bound={action: form}, error=str(exc.message), status=exc.status)
    messages.success(request, _("Done: order %(number)s.") % {"number": order.number})
    return redirect("supervision:order_detail", pk=order.pk)


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
    records = accountability_visible_to(request.user)
    if "department" in filters:
        records = records.filter(department=filters["department"])
    if "measure" in filters:
        records = records.filter(measure=filters["measure"])
    if "start" in filters:
        records = records.filter(decided_on__gte=filters["start"])
    if "end" in filters:
        records = records.filter(decided_on__lte=filters["end"])
    page = Paginator(records.order_by("-decided_on", "-pk"), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
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


# --- The audit chain's status ------------------------------------------------------------------------------------


def _require_audit_reader(user: User) -> None:
    if not (is_supervisor(user) or Role.CENTRE_ADMIN in user_scope(user).roles):
        raise PermissionDenied


@staff_required
@require_GET
def audit_status(request):
    """The chain's last verifications (hourly in the worker, or on demand), its current head and its latest
    checkpoint (signed outside the database; its signature is checked by each verification)."""
    _require_audit_reader(request.user)
    runs = list(AuditVerification.objects.order_by("-ran_at", "-pk")[:AUDIT_RUNS_SHOWN])
    head = AuditHead.objects.values_list("last_sequence", flat=True).first()
    context = {
        "latest": runs[0] if runs else None,
        "runs": runs,
        "head_sequence": head or 0,
        "checkpoint": checkpoint_latest(),
    }
    return TemplateResponse(request, "supervision/audit_status.html", context)


@staff_required
@require_POST
def audit_verify(request):
    """Queue a verification now. Always through the worker: a long chain takes seconds to walk, which a web
    request should not hold; the page shows the run once the worker has recorded it (at once in tests)."""
    _require_audit_reader(request.user)
    verify_audit_chain_task.enqueue()
    messages.success(request, _("The verification was queued; its result appears here when it has run."))
    return redirect("supervision:audit")


# --- Personal-data views -----------------------------------------------------------------------------------------


class DataViewFilterForm(forms.Form):
    viewer = forms.CharField(label=gettext_lazy("Viewer (user name or name)"), required=False)
    case = forms.CharField(label=gettext_lazy("Tracking number"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_INPUT)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@staff_required
@require_GET
def data_view_list(request):
    """Who saw whose personal data, and when (supervisors' views are recorded; names are masked here)."""
    _require_supervisor(request.user)
    form = DataViewFilterForm(request.GET or None)
    filters = _valid(form)
    views = data_views_visible_to(request.user)
    if "viewer" in filters:
        word = filters["viewer"].strip()
        views = views.filter(Q(viewer__username=word) | Q(viewer__full_name__contains=word))
    if "case" in filters:
        views = views.filter(case__tracking_number=filters["case"].strip().upper())
    if "start" in filters:
        views = views.filter(viewed_at__gte=_day_start(filters["start"]))
    if "end" in filters:
        views = views.filter(viewed_at__lt=_day_start(filters["end"] + datetime.timedelta(days=1)))
    page = Paginator(views.order_by("-viewed_at", "-pk"), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "view": view,
            "applicant": mask_name(view.case.applicant_name),
            "what": WHAT_LABELS.get(view.what, view.what),
        }
        for view in page
    ]
    return TemplateResponse(request, "supervision/data_views.html", {"form": form, "page": page, "rows": rows})
