"""Pages for supervision orders (督办): the list, issuing one, one order and its moves. Thin: reads through
``selectors.orders``, writes through one service each; a DomainError is shown with nothing changed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.accounts.models import User
from bianmin.cases.selectors import case_get_for_user
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError
from bianmin.core.pagination import CappedPaginator
from bianmin.core.widgets import FastSelect
from bianmin.org.models import Department, window_number_order
from bianmin.org.permissions import is_supervisor, staff_required
from bianmin.org.selectors import windows_visible_to

from ..models import SupervisionOrder
from ..selectors.orders import (
    alerts_in_scope,
    order_counts,
    order_get_for_user,
    orders_visible_to,
    orders_with_days_left,
    overdue_condition,
)
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
from ._common import LIST_PAGE_SIZE, _departments, _require_supervisor, _textarea, _valid
from .history import event_rows
from .order_rows import order_rows, order_target

# --- Orders: the list --------------------------------------------------------------------------------------------


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False, widget=FastSelect)
    overdue = forms.BooleanField(label=pgettext_lazy("order", "Overdue only"), required=False)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("All departments"),
        widget=FastSelect,
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
    page = CappedPaginator(orders, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    may_issue = is_supervisor(request.user)
    context = {
        "form": form,
        "page": page,
        "rows": order_rows(page.object_list, today, may_issue=may_issue),
        "counts": counts,
        "states": [(value, label, counts[value]) for value, label in SupervisionOrder.State.choices],
        "may_issue": may_issue,
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
            self.fields["window"].queryset = windows_visible_to(user).order_by("site__path", *window_number_order())


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
        "target": order_target(order),
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
