"""Pages for alerts (预警纠错): the supervisors' feed, one alert with its history and actions, the rule settings,
and every staff member's inbox. Thin: reads through ``selectors.alerts``, writes through one service each; a
DomainError is shown with nothing changed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError
from bianmin.core.pagination import CappedPaginator
from bianmin.core.transitions import moves_from
from bianmin.core.widgets import FastSelect
from bianmin.org.models import Department, Site
from bianmin.org.permissions import is_supervisor, staff_required
from bianmin.org.selectors import sites_visible_to

from ..models import Alert, Level, RuleMode
from ..rules import RULES, rule_settings
from ..selectors.alerts import (
    AlertFilters,
    alert_get_for_user,
    alert_scope,
    alerts_filtered,
    alerts_visible_to,
    inbox_of,
    last_sweep,
    sees_alerts,
)
from ..selectors.orders import orders_visible_to
from ..services.alerts import (
    ALERT_MOVES,
    alert_confirm,
    alert_dismiss,
    alert_resolve,
    inbox_mark_all_read,
    inbox_mark_read,
    rule_setting_update,
)
from ..sweep import sweep
from ..tally import live_counts_by_level
from .alert_rows import alert_rows
from .history import event_rows

FEED_PAGE_SIZE = 50
INBOX_PAGE_SIZE = 50
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class AlertFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False, widget=FastSelect)
    rule = forms.ChoiceField(label=gettext_lazy("Rule"), required=False, widget=FastSelect)
    level = forms.ChoiceField(label=gettext_lazy("Severity"), required=False, widget=FastSelect)
    site = forms.ModelChoiceField(
        label=gettext_lazy("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=gettext_lazy("All sites"),
        widget=FastSelect,
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("All departments"),
        widget=FastSelect,
    )
    start = forms.DateField(label=gettext_lazy("Raised from"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("Raised until"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("All states")),
            ("live", _("Awaiting action (pending or open)")),
            *Alert.State.choices,
        ]
        self.fields["rule"].choices = [("", _("All rules")), *((code, rule.name) for code, rule in RULES.items())]
        self.fields["level"].choices = [("", _("All severities")), *Level.choices]
        self.fields["site"].queryset = sites_visible_to(user).order_by("path")
        self.fields["department"].queryset = Department.objects.order_by("code")

    def filters(self) -> AlertFilters:
        if not self.is_bound or not self.is_valid():
            return AlertFilters(state="live")
        data = self.cleaned_data
        return AlertFilters(
            state=data["state"],
            rule=data["rule"],
            level=data["level"],
            site_id=data["site"].pk if data["site"] else None,
            department_id=data["department"].pk if data["department"] else None,
            raised_from=data["start"],
            raised_to=data["end"],
        )


@staff_required
@require_GET
def alert_feed(request):
    """The feed, newest first; htmx asks for the table alone every 30 seconds."""
    user = request.user
    if not sees_alerts(user):
        raise PermissionDenied
    form = AlertFilterForm(request.GET or None, user=user)
    visible = alerts_visible_to(user)
    alerts = alerts_filtered(visible, form.filters())
    page = CappedPaginator(alerts, FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = live_counts_by_level(alert_scope(user))
    supervises = is_supervisor(user)
    rule_names = {code: rule.name for code, rule in RULES.items()}
    context = {
        "page": page,
        "form": form,
        "level_counts": [(value, label, counts.get(value, 0)) for value, label in Level.choices],
        "rows": alert_rows(page.object_list, rule_names, is_supervisor=supervises),
        "is_supervisor": supervises,
        "last_sweep": last_sweep(),
        "query": request.GET.urlencode(),
    }
    template = "supervision/alerts_table.html" if request.headers.get("HX-Request") else "supervision/alerts.html"
    return TemplateResponse(request, template, context)


@staff_required
@require_POST
def alert_sweep_now(request):
    """A supervisor runs the sweep now (it takes well under a second), instead of waiting for the worker."""
    if not is_supervisor(request.user):
        raise PermissionDenied
    result = sweep()
    messages.success(
        request,
        _("The sweep raised %(raised)d alerts and closed %(closed)d.")
        % {"raised": result.total_raised, "closed": result.total_closed},
    )
    return redirect("supervision:alerts")


class DismissForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is it dismissed?"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("How was it handled?"), widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(forms.Form):
    pass


ALERT_ACTIONS = {
    "confirm": (ConfirmForm, lambda actor, alert, data: alert_confirm(actor=actor, alert=alert)),
    "dismiss": (DismissForm, lambda actor, alert, data: alert_dismiss(actor=actor, alert=alert, reason=data["reason"])),
    "resolve": (ResolveForm, lambda actor, alert, data: alert_resolve(actor=actor, alert=alert, note=data["note"])),
}


def _offered(alert: Alert) -> list[str]:
    return moves_from(ALERT_MOVES, alert.state)


def _alert_or_404(user, pk: int) -> Alert:
    alert = alert_get_for_user(user, pk)
    if alert is None:
        raise Http404
    return alert


# How the alert's audit events read in its history (the chain stores stable codes).
ALERT_EVENT_LABELS = {
    "alert.confirm": gettext_lazy("Confirmed by a supervisor; the responsible staff were notified"),
    "alert.dismiss": gettext_lazy("Dismissed by a supervisor"),
    "alert.resolve": gettext_lazy("Recorded as resolved by a supervisor"),
}


def _render_alert(request, alert: Alert, *, bound: dict | None = None, error: str = "", status: int = 200):
    bound = bound or {}
    supervisor = is_supervisor(request.user)
    actions = [(name, bound.get(name) or ALERT_ACTIONS[name][0](prefix=name)) for name in _offered(alert) if supervisor]
    earlier = (
        alerts_visible_to(request.user)
        .filter(rule=alert.rule, key=alert.key)
        .exclude(pk=alert.pk)
        .order_by("-raised_at", "-pk")
    )
    context = {
        "alert": alert,
        "rule": RULES.get(alert.rule),
        "events": event_rows(audit_events_for(alert).select_related("actor"), ALERT_EVENT_LABELS),
        "earlier": list(earlier[:20]),
        "orders": list(orders_visible_to(request.user).filter(alert=alert).order_by("-issued_at", "-pk")),
        "is_supervisor": supervisor,
        "actions": actions,
        "error": error,
    }
    return TemplateResponse(request, "supervision/alerts_detail.html", context, status=status)


@staff_required
@require_GET
def alert_detail(request, pk: int):
    return _render_alert(request, _alert_or_404(request.user, pk))


@staff_required
@require_POST
def alert_action(request, pk: int, action: str):
    alert = _alert_or_404(request.user, pk)
    if action not in ALERT_ACTIONS:
        raise Http404
    form_class, run = ALERT_ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        return _render_alert(request, alert, bound={action: form}, status=400)
    try:
        run(request.user, alert, form.cleaned_data)
    except DomainError as exc:
        alert = _alert_or_404(request.user, pk)
        return _render_alert(request, alert, bound={action: form}, error=str(exc.message), status=exc.status)
    messages.success(request, _("Done."))
    return redirect("supervision:alert_detail", pk=alert.pk)


# --- Rule settings ---------------------------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def rule_list(request):
    """Every rule with its mode and severity; supervisors change them, department leads read them."""
    user = request.user
    supervisor = is_supervisor(user)
    if not sees_alerts(user):
        raise PermissionDenied
    error = ""
    status = 200
    if request.method == "POST":
        if not supervisor:
            raise PermissionDenied
        try:
            rule_setting_update(
                actor=user,
                rule=request.POST.get("rule", ""),
                mode=request.POST.get("mode", ""),
                level=request.POST.get("level", ""),
            )
        except DomainError as exc:
            error, status = str(exc.message), exc.status
        else:
            messages.success(request, _("The rule was saved; it applies from the next sweep."))
            return redirect("supervision:rules")
    settings = rule_settings()
    rows = [{"rule": rule, "mode": settings[code][0], "level": settings[code][1]} for code, rule in RULES.items()]
    context = {
        "rows": rows,
        "modes": RuleMode.choices,
        "levels": Level.choices,
        "can_edit": supervisor,
        "error": error,
        "last_sweep": last_sweep(),
    }
    return TemplateResponse(request, "supervision/rules.html", context, status=status)


# --- The staff inbox -------------------------------------------------------------------------------------------------


@staff_required
@require_GET
def inbox(request):
    messages_ = inbox_of(request.user)
    page = CappedPaginator(messages_, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "supervision/inbox.html", {"page": page})


@staff_required
@require_POST
def inbox_read(request, pk: int):
    message = inbox_of(request.user).filter(pk=pk).first()
    if message is None:
        raise Http404
    inbox_mark_read(actor=request.user, message=message, now=timezone.now())
    if message.url and request.POST.get("open"):
        return redirect(message.url)
    return redirect("supervision:inbox")


@staff_required
@require_POST
def inbox_read_all(request):
    inbox_mark_all_read(actor=request.user, now=timezone.now())
    return redirect("supervision:inbox")
