"""The site ledger: the cases received at a site, on the page and as a workbook."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bianmin.core.pagination import CappedPaginator
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import sites_visible_to

from .. import forms as case_forms
from ..data_views import personal_data_view_record
from ..ledger import COLUMNS, ledger_cases, ledger_table, ledger_workbook
from ._common import (
    LEDGER_PAGE_SIZE,
    XLSX_CONTENT_TYPE,
)

# --- Site ledger -------------------------------------------------------------------------------------------------


@staff_required
@require_GET
def site_ledger(request):
    """服务台帐: every case received at or relayed through the user's sites in a period; also as .xlsx."""
    sites = list(sites_visible_to(request.user).order_by("path"))
    form = case_forms.LedgerFilterForm(request.GET or None, sites=sites)
    chosen, start, end = form.period()
    cases = ledger_cases(request.user, sites=chosen, start=start, end=end)
    if request.GET.get("format") == "xlsx":
        names = "、".join(site.name for site in chosen) if len(chosen) <= 3 else _("All my sites")
        title = _("Site ledger: %(sites)s, %(start)s to %(end)s") % {"sites": names, "start": start, "end": end}
        personal_data_view_record(viewer=request.user, cases=cases, what="ledger")
        response = HttpResponse(ledger_workbook(cases, title=title), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"ledger-{start}-{end}.xlsx")
        return response
    page = CappedPaginator(cases, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    personal_data_view_record(viewer=request.user, cases=page.object_list, what="ledger")
    context = {
        "form": form,
        "sites": sites,
        "start": start,
        "end": end,
        "page": page,
        "columns": COLUMNS,
        "rows": ledger_table(page.object_list, first_number=page.start_index()),
    }
    return TemplateResponse(request, "cases/staff/ledger.html", context)
