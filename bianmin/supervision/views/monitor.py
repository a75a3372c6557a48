"""The live monitor (实时监控) and the yellow thresholds page.

The monitor's counts and table sit in one region that htmx reloads every ``settings.MONITOR_POLL_SECONDS``
from ``monitor_live`` with the same query string, so a case turning red shows without reloading the page.
A page is a constant number of queries: the counts (one GROUP BY), the paginator's count, the page's ids
(ordered on plain columns) and the page's rows with their clocks; the filters' choices add one each.
"""

from __future__ import annotations

import zoneinfo
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.accounts.models import User
from bianmin.cases.clock import DEFAULT_SHARE_USED_PERCENT, YELLOW_DAYS_LEFT, annotate_clock, today_ordinal
from bianmin.cases.models import Case as CaseModel
from bianmin.cases.models import Status, YellowThreshold
from bianmin.cases.selectors import page_of_cases
from bianmin.catalog.models import ServiceItem
from bianmin.core.errors import DomainError
from bianmin.core.masking import mask_name
from bianmin.core.pagination import CountedPaginator
from bianmin.core.widgets import FastSelect
from bianmin.org.models import Department, Role, SiteLevel, Window, window_number_order
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import (
    site_directory,
    sites_visible_to,
    staff_visible_to,
    user_scope,
    windows_visible_to,
)

from ..selectors.monitor import (
    COLOURS,
    DEPARTMENT_ROLES,
    MONITOR_ROLES,
    MonitorFilters,
    annotate_late_steps,
    can_monitor,
    colour_counts,
    monitor_colour_filtered,
    monitor_order,
    monitor_rows,
)
from ..services.thresholds import (
    can_manage_thresholds,
    yellow_threshold_delete,
    yellow_threshold_set,
)
from .monitor_rows import monitor_rows_html

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONITOR_PAGE_SIZE = 50

COLOUR_LABELS = {
    "red": pgettext_lazy("monitor", "Overdue"),
    "yellow": pgettext_lazy("monitor", "Near the deadline"),
    "green": pgettext_lazy("monitor", "On time"),
    "paused": pgettext_lazy("monitor", "Clock paused"),
    "unknown": pgettext_lazy("monitor", "Not in the calendar"),
}
RECEIVING_ROLES = [Role.CLERK, Role.AGENT, Role.CHIEF_REPRESENTATIVE]
# The columns a monitor row shows (supervision/monitor_live.html); an item's version is a large row.
MONITOR_ROW_FIELDS = (
    "tracking_number",
    "applicant_name",
    "status",
    "received_on",
    "acceptance_due",
    "promised_due",
    "item__code",
    "version__name",
    "department__name",
    "current_site__name",
)


def monitor_required(view):
    """Supervisors, centre administrators, department heads and chief representatives (selectors.can_monitor)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_monitor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return staff_required(wrapped)


def _watches_everything_in_scope(user: User) -> bool:
    return user.is_superuser or bool(user_scope(user).roles & MONITOR_ROLES)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.username


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.current_version.name}"


class WindowChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.site.name} {obj.number} {obj.name}"


class MonitorFilterForm(forms.Form):
    """The monitor's filters; every choice lies within what the user may watch."""

    site = forms.ModelChoiceField(
        label=gettext_lazy("Site"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All sites"),
        widget=FastSelect,
    )
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False, widget=FastSelect)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All departments"),
        widget=FastSelect,
    )
    item = ItemChoiceField(
        label=gettext_lazy("Item"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All items"),
        widget=FastSelect,
    )
    window = WindowChoiceField(
        label=gettext_lazy("Window"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All windows"),
        widget=FastSelect,
    )
    staff = StaffChoiceField(
        label=gettext_lazy("Received by"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All staff"),
        widget=FastSelect,
    )
    colour = forms.ChoiceField(label=gettext_lazy("Clock"), required=False, widget=FastSelect)
    late_steps = forms.BooleanField(label=gettext_lazy("With late review steps"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        everything = _watches_everything_in_scope(user)
        own = sorted(user_scope(user).departments_of(*DEPARTMENT_ROLES))
        # Each list reads only what its options show.
        sites = sites_visible_to(user) if everything else site_directory()
        self.fields["site"].queryset = sites.select_related(None).only("name", "parent")
        self.fields["site"].label_from_instance = lambda site: site.name
        self.fields["level"].choices = [("", _("All levels")), *SiteLevel.choices]
        department_choices = Department.objects.order_by("code")
        # Only what the choice shows: an item's current version is a large row (its whole guide).
        items = (
            ServiceItem.objects.filter(current_version__isnull=False)
            .select_related("current_version")
            .only("code", "department_id", "current_version__name")
        )
        windows = windows_visible_to(user) if everything else Window.objects.filter(departments__in=own).distinct()
        if not everything:
            department_choices = department_choices.filter(pk__in=own)
            items = items.filter(department_id__in=own)
        self.fields["department"].queryset = department_choices.only("name")
        self.fields["department"].label_from_instance = lambda department: department.name
        self.fields["item"].queryset = items.order_by("code")
        self.fields["window"].queryset = (
            windows.select_related("site").prefetch_related(None).only("number", "name", "site__name")
        ).order_by("site__path", *window_number_order())
        staff = staff_visible_to(user).filter(role__in=RECEIVING_ROLES).values("user_id")
        self.fields["staff"].queryset = (
            User.objects.filter(pk__in=staff).only("username", "full_name").order_by("username")
        )
        self.fields["colour"].choices = [("", _("All colours")), *((c, COLOUR_LABELS[c]) for c in COLOURS)]

    def monitor_filters(self) -> MonitorFilters:
        """The valid filters (an invalid value is ignored, not an error: the monitor still shows)."""
        if not self.is_bound:
            return MonitorFilters()
        self.is_valid()
        data = self.cleaned_data
        item, staff = data.get("item"), data.get("staff")
        return MonitorFilters(
            site=data.get("site"),
            level=data.get("level") or "",
            department=data.get("department"),
            item_id=item.pk if item else None,
            window=data.get("window"),
            received_by_id=staff.pk if staff else None,
            colour=data.get("colour") or "",
            has_late_steps=bool(data.get("late_steps")),
        )


def _page_rows(
    rows: QuerySet, filters: MonitorFilters, counts: dict[str, int], page_number: str | None, today, ordinal
):
    """The page's ids are read from the access rows' index; only those cases are fetched with their clocks."""
    listed = monitor_order(monitor_colour_filtered(rows, filters.colour, today, ordinal)).values_list(
        "case_id", flat=True
    )
    count = counts.get(filters.colour, 0) if filters.colour else sum(counts.values())
    page = CountedPaginator(listed, MONITOR_PAGE_SIZE, count=count).get_page(page_number)
    cases = annotate_late_steps(annotate_clock(CaseModel.objects.all(), today, ordinal), today)
    ordered = page_of_cases(
        page.object_list,
        cases.select_related("item", "version", "current_site", "department").only(*MONITOR_ROW_FIELDS),
    )
    # Each label translated once per page, not once per row.
    colour_labels = {colour: str(label) for colour, label in COLOUR_LABELS.items()}
    status_labels = {status: str(label) for status, label in Status.choices}
    for case in ordered:
        case.masked_applicant = mask_name(case.applicant_name)
        case.colour_label = colour_labels.get(case.colour, "")
        case.status_label = status_labels.get(case.status, case.status)
    return page, ordered


def _monitor_context(request) -> dict:
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now, SHANGHAI)
    form = MonitorFilterForm(request.GET or None, user=user)
    filters = form.monitor_filters()
    watched = monitor_rows(user, filters, today)
    # The counts show every colour under the other filters, so a click on one switches colour.
    ordinal = today_ordinal(today)
    counts = colour_counts(watched, today, ordinal)
    page, rows = _page_rows(watched.rows, filters, counts, request.GET.get("page"), today, ordinal)
    return {
        "filter_form": form,
        "counts": [(colour, COLOUR_LABELS[colour], counts[colour]) for colour in COLOURS],
        "active_colour": filters.colour,
        "page": page,
        "rows": rows,
        "rows_html": monitor_rows_html(rows),
        "query": request.GET.urlencode(),
        "poll_seconds": settings.MONITOR_POLL_SECONDS,
        "updated_at": timezone.localtime(now, SHANGHAI),
        "today": today,
        "can_manage_thresholds": can_manage_thresholds(user),
    }


@require_GET
@monitor_required
def monitor(request):
    """Every open case in the user's watch with its clock, counts per colour at the top."""
    return TemplateResponse(request, "supervision/monitor.html", _monitor_context(request))


@require_GET
@monitor_required
def monitor_live(request):
    """The counts and the table alone, for htmx polling."""
    return TemplateResponse(request, "supervision/monitor_live.html", _monitor_context(request))


# --- Yellow thresholds ---------------------------------------------------------------------------------------------


class ThresholdForm(forms.Form):
    """Which threshold (neither department nor item: the global one) and its limits; the service validates."""

    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.order_by("code"),
        required=False,
        empty_label=gettext_lazy("— none —"),
    )
    item = ItemChoiceField(
        label=gettext_lazy("Item"),
        queryset=ServiceItem.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .order_by("code"),
        required=False,
        empty_label=gettext_lazy("— none —"),
    )
    days_left = forms.IntegerField(label=gettext_lazy("Working days left"), required=False)
    share_used_percent = forms.IntegerField(label=gettext_lazy("Share of the promised limit used (%)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].label_from_instance = lambda department: department.name


def _threshold_rows() -> dict:
    thresholds = list(
        YellowThreshold.objects.select_related("department", "item__current_version", "updated_by").order_by(
            "department__code", "item__code"
        )
    )
    return {
        "global_threshold": next((t for t in thresholds if not t.department_id and not t.item_id), None),
        "department_thresholds": [t for t in thresholds if t.department_id],
        "item_thresholds": [t for t in thresholds if t.item_id],
    }


def _render_thresholds(request, form: ThresholdForm, *, error: str = "", status: int = 200):
    context = {
        **_threshold_rows(),
        "form": form,
        "error": error,
        "can_manage": can_manage_thresholds(request.user),
        "default_days_left": YELLOW_DAYS_LEFT,
        "default_percent": DEFAULT_SHARE_USED_PERCENT,
    }
    return TemplateResponse(request, "supervision/thresholds.html", context, status=status)


@require_http_methods(["GET", "POST"])
@monitor_required
def thresholds(request):
    """The yellow thresholds: global, per department, per item; supervisors and centre administrators set them."""
    if request.method == "GET":
        return _render_thresholds(request, ThresholdForm())
    form = ThresholdForm(request.POST)
    if not form.is_valid():
        return _render_thresholds(request, form, status=400)
    data = form.cleaned_data
    try:
        yellow_threshold_set(
            actor=request.user,
            department=data["department"],
            item=data["item"],
            days_left=data["days_left"],
            share_used_percent=data["share_used_percent"],
        )
    except DomainError as error:
        return _render_thresholds(request, form, error=str(error.message), status=error.status)
    messages.success(request, _("The yellow threshold is saved."))
    return redirect("supervision:thresholds")


@require_POST
@monitor_required
def threshold_delete(request, pk: int):
    threshold = YellowThreshold.objects.filter(pk=pk).first()
    if threshold is None:
        raise Http404
    try:
        yellow_threshold_delete(actor=request.user, threshold=threshold)
    except DomainError as error:
        return _render_thresholds(request, ThresholdForm(), error=str(error.message), status=error.status)
    messages.success(request, _("The yellow threshold is removed."))
    return redirect("supervision:thresholds")
