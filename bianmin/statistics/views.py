"""The statistics pages (统计分析): the dashboard, the cases behind any of its numbers, and their Excel exports.

Thin: the scope and the sums come from ``selectors``, the tables from ``tables``. Pages show no personal data
(tracking numbers, items, dates), so viewing them records nothing in the personal-data log.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bianmin.cases.models import Case, Channel, Status
from bianmin.core.pagination import CappedPaginator
from bianmin.org.permissions import staff_required
from bianmin.supervision.models import Level
from bianmin.supervision.rules import RULES

from .figures import last_refreshed_at, local_date
from .forms import FigureFilterForm
from .selectors import CASE_METRICS, FiguresScope, case_ordering, cases_behind, dashboard_figures, figures_scope
from .tables import dashboard_params, dashboard_tables, table_workbook, workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CASES_PAGE_SIZE = 50
# An export of the cases behind a number stops here; a larger export is a job for the site ledger by month.
CASES_EXPORT_LIMIT = 20_000

METRIC_TITLES = {
    "received": gettext_lazy("Cases received"),
    "accepted": gettext_lazy("Cases accepted"),
    "deemed_accepted": gettext_lazy("Cases accepted by law after 5 working days"),
    "finished": gettext_lazy("Cases finished (decided)"),
    "approved": gettext_lazy("Cases approved"),
    "denied": gettext_lazy("Cases denied"),
    "finished_on_time_promised": gettext_lazy("Cases finished within the promised limit"),
    "finished_late_promised": gettext_lazy("Cases finished after the promised deadline"),
    "finished_on_time_statutory": gettext_lazy("Cases finished within the statutory limit"),
    "finished_late_statutory": gettext_lazy("Cases finished after the statutory deadline"),
    "refused": gettext_lazy("Cases not accepted"),
    "withdrawn": gettext_lazy("Cases withdrawn"),
    "suspensions_started": gettext_lazy("Cases with a suspension started"),
    "extensions_approved": gettext_lazy("Cases with an extension approved"),
    "alerts": gettext_lazy("Cases with alerts raised"),
    "open_overdue": gettext_lazy("Open cases past their promised deadline"),
}


def _scope_or_403(request) -> FiguresScope:
    scope = figures_scope(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _today():
    return local_date(timezone.now())


@staff_required
@require_GET
def dashboard(request):
    """统计分析: the period's figures for the user's scope; ``?format=xlsx&table=<key>`` exports one table."""
    scope = _scope_or_403(request)
    today = _today()
    form = FigureFilterForm(request.GET or None, scope=scope, today=today)
    filters, group = form.filters(), form.trend_group()
    figures = dashboard_figures(request.user, scope, filters, group=group, today=today)
    tiles, tables = dashboard_tables(figures, filters, group=group, today=today)
    period = f"{filters.start:%Y-%m-%d} – {filters.end:%Y-%m-%d}"
    if request.GET.get("format") == "xlsx":
        table = next((table for table in tables if table.key == request.GET.get("table")), None)
        if table is None:
            raise Http404
        return _xlsx(
            table_workbook(table, subtitle=period), f"statistics-{table.key}-{filters.start}-{filters.end}.xlsx"
        )
    refreshed = last_refreshed_at()
    form.show_what_is_drawn()
    context = {
        "form": form,
        "quick_pick": form.quick_pick_shown(),
        "filters": filters,
        "group": group,
        "period": period,
        "tiles": tiles,
        "tables": tables,
        "charts": [table for table in tables if table.chart],
        "refreshed_at": timezone.localtime(refreshed) if refreshed else None,
    }
    return TemplateResponse(request, "statistics/dashboard.html", context)


# The columns of a drill-down export, read as plain values (no model objects for thousands of rows).
EXPORT_COLUMNS = (
    "tracking_number",
    "item__code",
    "version__name",
    "department__name",
    "channel",
    "receiving_site__name",
    "status",
    "received_on",
    "accepted_on",
    "promised_due",
    "decided_at",
)


def _case_row(case: Case) -> list[object]:
    decided = timezone.localtime(case.decided_at).date() if case.decided_at else None
    return [
        case.tracking_number or "",
        f"{case.item.code} {case.version.name}",
        case.department.name,
        case.get_channel_display(),
        case.receiving_site.name,
        case.get_status_display(),
        case.received_on,
        case.accepted_on,
        case.promised_due,
        decided,
    ]


def _case_rows(cases) -> list[list[object]]:
    """The export's rows, the same columns as ``_case_row``, read as plain values."""
    channels, statuses = dict(Channel.choices), dict(Status.choices)
    rows = []
    for (
        number,
        code,
        name,
        department,
        channel,
        site,
        status,
        received,
        accepted,
        promised,
        decided,
    ) in cases.values_list(*EXPORT_COLUMNS)[:CASES_EXPORT_LIMIT]:
        rows.append(
            [
                number or "",
                f"{code} {name}",
                department,
                str(channels.get(channel, channel)),
                site,
                str(statuses.get(status, status)),
                received,
                accepted,
                promised,
                timezone.localtime(decided).date() if decided else None,
            ]
        )
    return rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _case_headers() -> list[str]:
    return [
        _("Tracking number"),
        _("Item"),
        _("Department"),
        _("Channel"),
        _("Receiving site"),
        _("Status"),
        _("Received on"),
        _("Accepted on"),
        _("Promised deadline"),
        _("Decided on"),
    ]


@staff_required
@require_GET
def case_list(request):
    """The cases behind one dashboard number: the same filters, translated to the cases' own dates."""
    scope = _scope_or_403(request)
    metric = request.GET.get("metric", "")
    if not metric:  # the bare address (a bookmark, a trimmed link): the dashboard is where numbers are chosen
        return redirect("statistics:dashboard")
    if metric not in CASE_METRICS:
        raise Http404
    today = _today()
    form = FigureFilterForm(request.GET or None, scope=scope, today=today)
    filters = form.filters()
    rule, level = request.GET.get("rule", ""), request.GET.get("level", "")
    cases = cases_behind(request.user, scope, filters, metric, rule=rule, level=level, today=today)
    cases = cases.order_by(*case_ordering(metric))
    title = str(METRIC_TITLES[metric])
    if rule in RULES:
        title = f"{title}: {RULES[rule].name}"
    if level in Level.values:
        title = f"{title} ({Level(level).label})"
    period = f"{filters.start:%Y-%m-%d} – {filters.end:%Y-%m-%d}"
    if request.GET.get("format") == "xlsx":
        rows = _case_rows(cases)
        content = workbook(title=f"{title} ({period})", headers=_case_headers(), rows=rows, sheet_title=title)
        return _xlsx(content, f"statistics-{metric}-{filters.start}-{filters.end}.xlsx")
    page = CappedPaginator(cases, CASES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": title,
        "period": period,
        "metric": metric,
        "filters": filters,
        "page": page,
        "headers": _case_headers(),
        "rows": [(case, [_text(value) for value in _case_row(case)]) for case in page.object_list],
        "back_url": f"{reverse('statistics:dashboard')}?{urlencode(dashboard_params(filters))}",
        "is_current": metric == "open_overdue",
        "today": today,
    }
    return TemplateResponse(request, "statistics/cases.html", context)
