"""My work: the queue of cases, its filters and its group counts."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bianmin.core.pagination import CappedPaginator, CountedPaginator
from bianmin.org.permissions import staff_required

from .. import forms as case_forms
from ..clock import RUNNING_STATUSES, annotate_clock
from ..desk import intake_desk
from ..inquiries import (
    inquiries_owned_by,
)
from ..models import (
    Case,
    CaseAccess,
    Channel,
    Extension,
    ReviewTask,
    Status,
)
from ..selectors import cases_in_work_queue, page_of_cases, queue_counts, work_groups
from ._common import QUEUE_PAGE_SIZE, _item_choices
from .queue_rows import queue_rows

# --- My work: the queue ------------------------------------------------------------------------------------------

QUEUE_GROUPS = [
    ("all", gettext_lazy("All my work")),
    ("acceptance", gettext_lazy("Waiting for acceptance")),
    ("supplement", gettext_lazy("Waiting for supplementary materials")),
    ("steps", gettext_lazy("Review steps for me")),
    ("extensions", gettext_lazy("Extensions to decide")),
    ("suspended", gettext_lazy("Suspended")),
    ("results", gettext_lazy("Results to finish and deliver")),
    ("incoming", gettext_lazy("Results on their way here")),
    ("handover", gettext_lazy("Results arrived, to hand over")),
]


def annotated_clock(case: Case) -> dict:
    """clock.clock() from the annotations of ``annotate_clock``, without a query."""
    if case.colour in ("paused", "done"):
        return {"colour": case.colour, "days_left": None}
    return {"colour": case.colour, "days_left": case.days_left}


def _filtered(rows: QuerySet[CaseAccess], filters: dict, today: datetime.date) -> QuerySet[CaseAccess]:
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("item"):
        rows = rows.filter(case__item__code=filters["item"])
    if filters.get("channel"):
        rows = rows.filter(case__channel=filters["channel"])
    if filters.get("overdue"):
        rows = rows.filter(status__in=RUNNING_STATUSES, sort_due__lt=today)
    return rows


# The columns a queue row shows (cases/staff/queue.html): only these are read and turned into objects (an item's
# version is a large row, its whole guide).
QUEUE_ROW_FIELDS = (
    "tracking_number",
    "channel",
    "status",
    "applicant_name",
    "acceptance_due",
    "ready_at",
    "result_arrived_at",
    "delivery_method",
    "clock_due",
    "item__code",
    "version__name",
    "current_site__name",
    "relay_site__name",
    "sent_from_site__name",
)


def _queue_cases(today: datetime.date) -> QuerySet[Case]:
    """What a queue row shows of its case: the clock, the relay site, open steps and pending extensions."""
    return (
        annotate_clock(Case.objects.all(), today)
        .select_related("item", "version", "current_site", "relay_site", "sent_from_site")
        .only(*QUEUE_ROW_FIELDS)
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=ReviewTask.objects.filter(state=ReviewTask.State.OPEN)
                .only("case_id", "name", "due")
                .order_by("is_parallel", "position"),
                to_attr="open_tasks",
            ),
            Prefetch(
                "extensions",
                queryset=Extension.objects.filter(state=Extension.State.REQUESTED).only("case_id"),
                to_attr="pending_extensions",
            ),
        )
    )


@staff_required
@require_GET
def case_queue(request):
    """My work, most urgent first (the nearest running deadline; cases without one last, newest first): the page
    is read from the access rows' queue index, then only its 25 cases."""
    user = request.user
    work = work_groups(user)
    group = request.GET.get("group", "all")
    if group not in work.groups:
        group = "all"
    filter_form = case_forms.QueueFilterForm(request.GET or None, items=_item_choices())
    today = timezone.localdate()
    filters = filter_form.filters()
    rows = _filtered(cases_in_work_queue(user, group, work=work), filters, today)
    listed = rows.order_by("sort_due", "-received_at", "-case_id").values_list("case_id", flat=True)
    counts = queue_counts(user, work)
    is_filtered = any(filters.get(name) for name in ("status", "item", "channel", "overdue"))
    paginator = (
        CappedPaginator(listed, QUEUE_PAGE_SIZE)
        if is_filtered
        else CountedPaginator(listed, QUEUE_PAGE_SIZE, count=counts[group])
    )
    page = paginator.get_page(request.GET.get("page"))
    cases = page_of_cases(page.object_list, _queue_cases(today))
    # Each label translated once per page, not once per row.
    statuses, channels = {v: str(label) for v, label in Status.choices}, {v: str(label) for v, label in Channel.choices}
    for case in cases:
        case.status_label, case.channel_label = statuses.get(case.status, case.status), channels.get(case.channel, "")
    rows = [(case, annotated_clock(case)) for case in cases]
    context = {
        "page": page,
        "rows": rows,
        "rows_html": queue_rows(rows),
        "groups": [(name, label, counts[name]) for name, label in QUEUE_GROUPS],
        "group": group,
        "counts": counts,
        "filter_form": filter_form,
        "inquiries": inquiries_owned_by(user)[:5] if counts["inquiries"] else [],
        "can_receive": intake_desk(user) is not None,
    }
    return TemplateResponse(request, "cases/staff/queue.html", context)


@staff_required
@require_GET
def case_queue_counts(request):
    """The home page's card of queue counts (loaded by htmx, so the home page stays fast)."""
    counts = queue_counts(request.user)
    groups = [(name, label, counts[name]) for name, label in QUEUE_GROUPS if name != "all"]
    return TemplateResponse(request, "cases/staff/_queue_counts.html", {"groups": groups, "counts": counts})
