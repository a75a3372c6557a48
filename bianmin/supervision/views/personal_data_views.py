"""The page of the log of supervisors' views of personal data."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bianmin.cases.data_views import WHAT_LABELS
from bianmin.core.masking import mask_name
from bianmin.core.pagination import CappedPaginator
from bianmin.org.permissions import staff_required

from ..selectors.orders import (
    data_views_visible_to,
)
from ._common import DATE_INPUT, LIST_PAGE_SIZE, _require_supervisor, _valid

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
    page = CappedPaginator(views.order_by("-viewed_at", "-pk"), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "view": view,
            "applicant": mask_name(view.case.applicant_name),
            "what": WHAT_LABELS.get(view.what, view.what),
        }
        for view in page
    ]
    return TemplateResponse(request, "supervision/data_views.html", {"form": form, "page": page, "rows": rows})
