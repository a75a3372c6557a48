"""The staff side of a case's life: my work queue, the case page and its actions, window intake, the site
ledger and the first-inquiry log.

Views stay thin: every read of cases goes through ``selectors.cases_visible_to`` (a clerk of one town never
reaches another town's case by guessing an id), every change is one service call, and a DomainError from the
service is shown to the person with nothing changed (the services run in one transaction).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.accounts.models import User
from bianmin.catalog.models import CaseType, ServiceItem
from bianmin.catalog.selectors import catalog_search
from bianmin.core.errors import DomainError
from bianmin.core.pagination import CountedPaginator
from bianmin.core.uploads import file_response
from bianmin.org.models import Role, Site
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import sites_visible_to, user_scope

from . import forms as case_forms
from . import services
from .clock import RUNNING_STATUSES, annotate_clock, clock
from .data_views import personal_data_view_record
from .idnumbers import validate_id_number
from .inquiries import (
    handover_candidates,
    inquiries_owned_by,
    inquiry_answer,
    inquiry_get_for_handler,
    inquiry_handover,
    inquiry_log,
    inquiry_site_for,
)
from .ledger import COLUMNS, ledger_cases, ledger_table, ledger_workbook
from .models import (
    Case,
    CaseAccess,
    CaseMaterial,
    Channel,
    Extension,
    Inquiry,
    Notice,
    ReviewTask,
    Status,
)
from .page_boxes import case_page_boxes
from .permissions import can_receive_at
from .selectors import case_get_for_user, cases_in_work_queue, page_of_cases, queue_counts, work_groups
from .timeline import case_timeline
from .workflow import actions_available, steps_for

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
QUEUE_PAGE_SIZE = 25
LEDGER_PAGE_SIZE = 100
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _case_or_404(user: User, pk: int) -> Case:
    case = case_get_for_user(user, pk)
    if case is None:
        raise Http404
    return case


# --- My work: the queue ------------------------------------------------------------------------------------------

QUEUE_GROUPS = [
    ("all", gettext_lazy("All my work")),
    ("acceptance", gettext_lazy("Waiting for acceptance")),
    ("supplement", gettext_lazy("Waiting for supplementary materials")),
    ("steps", gettext_lazy("Review steps for me")),
    ("extensions", gettext_lazy("Extensions to decide")),
    ("suspended", gettext_lazy("Suspended")),
    ("results", gettext_lazy("Results to finish and deliver")),
    ("relayed", gettext_lazy("Relayed results to hand over")),
]


def with_overdue(clock_: dict) -> dict:
    """The clock for the badge: also the working days overdue as a positive number."""
    days_left = clock_["days_left"]
    return {**clock_, "overdue": -days_left if days_left is not None and days_left < 0 else 0}


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


def _item_choices() -> list[tuple[str, str]]:
    # Only the two columns shown: an item's current version is a large row (its whole guide).
    items = ServiceItem.objects.filter(current_version__isnull=False).order_by("code")
    return [(code, f"{code} {name}") for code, name in items.values_list("code", "current_version__name")]


# The columns a queue row shows (cases/staff/queue.html): only these are read and turned into objects (an item's
# version is a large row, its whole guide).
QUEUE_ROW_FIELDS = (
    "tracking_number",
    "channel",
    "status",
    "applicant_name",
    "acceptance_due",
    "ready_at",
    "clock_due",
    "item__code",
    "version__name",
    "current_site__name",
    "relay_site__name",
)


def _queue_cases(today: datetime.date) -> QuerySet[Case]:
    """What a queue row shows of its case: the clock, the relay site, open steps and pending extensions."""
    return (
        annotate_clock(Case.objects.all(), today)
        .select_related("item", "version", "current_site", "relay_site")
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
        Paginator(listed, QUEUE_PAGE_SIZE)
        if is_filtered
        else CountedPaginator(listed, QUEUE_PAGE_SIZE, count=counts[group])
    )
    page = paginator.get_page(request.GET.get("page"))
    cases = page_of_cases(page.object_list, _queue_cases(today))
    # Each label translated once per page, not once per row.
    statuses, channels = {v: str(label) for v, label in Status.choices}, {v: str(label) for v, label in Channel.choices}
    for case in cases:
        case.status_label, case.channel_label = statuses.get(case.status, case.status), channels.get(case.channel, "")
    context = {
        "page": page,
        "rows": [(case, with_overdue(annotated_clock(case))) for case in cases],
        "groups": [(name, label, counts[name]) for name, label in QUEUE_GROUPS],
        "group": group,
        "counts": counts,
        "filter_form": filter_form,
        "inquiries": inquiries_owned_by(user)[:5] if counts["inquiries"] else [],
        "can_receive": _intake_desk(user) is not None,
    }
    return TemplateResponse(request, "cases/staff/queue.html", context)


@staff_required
@require_GET
def case_queue_counts(request):
    """The home page's card of queue counts (loaded by htmx, so the home page stays fast)."""
    counts = queue_counts(request.user)
    groups = [(name, label, counts[name]) for name, label in QUEUE_GROUPS if name != "all"]
    return TemplateResponse(request, "cases/staff/_queue_counts.html", {"groups": groups, "counts": counts})


# --- The case page and its timeline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    """One action of the case page: its form, the one service it calls, and what the page says."""

    name: str
    label: str
    form_class: type[forms.Form]
    run: Callable[[User, Case, forms.Form], object]
    done: str
    template: str = "cases/staff/actions/_generic.html"


def _data(form: forms.Form) -> dict:
    return form.cleaned_data


CASE_ACTIONS = {
    action.name: action
    for action in [
        CaseAction(
            "accept",
            gettext_lazy("Accept"),
            case_forms.EmptyActionForm,
            lambda user, case, form: services.case_accept(actor=user, case=case),
            gettext_lazy("The case was accepted; the clock has started."),
        ),
        CaseAction(
            "request_supplement",
            gettext_lazy("Ask for supplementary materials"),
            case_forms.SupplementForm,
            lambda user, case, form: services.case_request_supplement(
                actor=user, case=case, problems=form.problems, repeat_reason=_data(form).get("repeat_reason", "")
            ),
            gettext_lazy("The one-time supplement notice was issued."),
            "cases/staff/actions/_supplement.html",
        ),
        CaseAction(
            "receive_supplement",
            gettext_lazy("Receive the supplementary materials"),
            case_forms.ReceiveSupplementForm,
            lambda user, case, form: services.case_receive_supplement(
                actor=user, case=case, materials=form.material_checks()
            ),
            gettext_lazy("The supplementary materials were received; the case waits for acceptance again."),
            "cases/staff/actions/_receive_supplement.html",
        ),
        CaseAction(
            "refuse",
            gettext_lazy("Refuse to accept"),
            case_forms.RefuseForm,
            lambda user, case, form: services.case_refuse(actor=user, case=case, **_data(form)),
            gettext_lazy("The notice of refusal was issued."),
        ),
        CaseAction(
            "complete_task",
            gettext_lazy("Complete a review step"),
            case_forms.CompleteTaskForm,
            lambda user, case, form: services.case_complete_task(
                actor=user, task=_data(form)["task"], outcome=_data(form)["outcome"], comment=_data(form)["comment"]
            ),
            gettext_lazy("The step was completed."),
        ),
        CaseAction(
            "decide",
            gettext_lazy("Decide"),
            case_forms.DecideForm,
            lambda user, case, form: services.case_decide(
                actor=user, case=case, approve=_data(form)["decision"] == "approve", reasons=_data(form)["reasons"]
            ),
            gettext_lazy("The decision was recorded and its notice issued."),
        ),
        CaseAction(
            "suspend",
            gettext_lazy("Suspend for a special procedure"),
            case_forms.SuspendForm,
            lambda user, case, form: services.case_suspend(actor=user, case=case, **_data(form)),
            gettext_lazy("The case is suspended; the applicant was notified."),
        ),
        CaseAction(
            "resume",
            gettext_lazy("End the special procedure"),
            case_forms.EmptyActionForm,
            lambda user, case, form: services.case_resume(actor=user, case=case),
            gettext_lazy("The clock runs again; the deadlines moved by the suspended working days."),
        ),
        CaseAction(
            "request_extension",
            gettext_lazy("Ask for an extension"),
            case_forms.RequestExtensionForm,
            lambda user, case, form: services.case_request_extension(actor=user, case=case, **_data(form)),
            gettext_lazy("The extension request was sent to the department head."),
        ),
        CaseAction(
            "decide_extension",
            gettext_lazy("Decide the extension request"),
            case_forms.DecideExtensionForm,
            lambda user, case, form: services.case_decide_extension(
                actor=user, extension=_data(form)["extension"], approve=_data(form)["decision"] == "approve"
            ),
            gettext_lazy("The extension request was decided."),
            "cases/staff/actions/_decide_extension.html",
        ),
        CaseAction(
            "issue_certificate",
            gettext_lazy("Issue the certificate"),
            case_forms.EmptyActionForm,
            lambda user, case, form: services.case_issue_certificate(actor=user, case=case),
            gettext_lazy("The certificate was issued."),
        ),
        CaseAction(
            "collect_fee",
            gettext_lazy("Collect the fee"),
            case_forms.CollectFeeForm,
            lambda user, case, form: services.case_collect_fee(
                actor=user, case=case, fee_rule_ids=_data(form)["fee_rules"], amount=_data(form)["amount"]
            ),
            gettext_lazy("The fee was collected and its receipt issued."),
        ),
        CaseAction(
            "mark_ready",
            gettext_lazy("Mark the result ready"),
            case_forms.MarkReadyForm,
            lambda user, case, form: services.case_mark_ready(actor=user, case=case, **_data(form)),
            gettext_lazy("The result is ready; the applicant was told where to collect it."),
        ),
        CaseAction(
            "deliver",
            gettext_lazy("Deliver and close"),
            case_forms.DeliverForm,
            lambda user, case, form: services.case_deliver(
                actor=user, case=case, method=_data(form)["method"] or None, note=_data(form)["note"]
            ),
            gettext_lazy("The result was delivered and the case closed."),
        ),
        CaseAction(
            "withdraw",
            gettext_lazy("Record a withdrawal"),
            case_forms.WithdrawForm,
            lambda user, case, form: services.case_withdraw(actor=user, case=case, **_data(form)),
            gettext_lazy("The withdrawal was recorded and the case closed."),
        ),
    ]
}


# The next step of the ordinary path is shown open; suspending, refusing or withdrawing is a deliberate click.
PRIMARY_ACTIONS = {
    "accept",
    "receive_supplement",
    "complete_task",
    "decide",
    "decide_extension",
    "issue_certificate",
    "collect_fee",
    "mark_ready",
    "deliver",
}


def _task_form(case: Case, task: ReviewTask, bound: dict) -> forms.Form:
    key = f"complete_task:{task.pk}"
    if key in bound:
        return bound[key]
    return case_forms.CompleteTaskForm(
        case=case, prefix="complete_task", auto_id=f"id_task{task.pk}_%s", initial={"task": task.pk}
    )


def _offered_actions(user: User, case: Case, bound: dict) -> list[dict]:
    """Exactly the moves ``workflow.actions_available`` lists for this user now, each with its form (a review step
    the user may complete: one form each)."""
    offered = []
    available = set(actions_available(user, case))
    for name, action in CASE_ACTIONS.items():
        if name not in available:
            continue
        if name == "complete_task":
            for task in steps_for(user, case):
                offered.append(
                    {
                        "action": action,
                        "form": _task_form(case, task, bound),
                        "task": task,
                        "is_open": f"complete_task:{task.pk}" in bound,
                    }
                )
            continue
        form = bound.get(name) or action.form_class(case=case, prefix=name)
        offered.append({"action": action, "form": form, "is_open": name in bound})
    if not any(entry["is_open"] for entry in offered):
        # Once the result is ready, handing it over is the next step (marking it ready again changes how).
        primary = PRIMARY_ACTIONS - {"mark_ready"} if case.ready_at else PRIMARY_ACTIONS
        first = next((entry for entry in offered if entry["action"].name in primary), None)
        if first is not None:
            first["is_open"] = True
    return offered


def _task_rows(tasks: list[ReviewTask], today: datetime.date) -> list[dict]:
    rows = []
    for task in tasks:
        finished_on = timezone.localdate(task.completed_at) if task.completed_at else None
        is_late = bool(task.due) and (
            (finished_on is not None and finished_on > task.due)
            or (task.state == ReviewTask.State.OPEN and today > task.due)
        )
        rows.append({"task": task, "is_late": is_late})
    return rows


def _render_detail(request, case: Case, *, bound: dict | None = None, error: str = "", status: int = 200):
    today = timezone.localdate()
    prefetch_related_objects(
        [case],
        Prefetch(
            "tasks",
            ReviewTask.objects.select_related("department", "site", "completed_by").order_by("is_parallel", "position"),
        ),
        Prefetch("extensions", Extension.objects.select_related("requested_by", "decided_by")),
    )
    tasks = list(case.tasks.all())
    notices = list(case.notices.all())
    context = {
        "case": case,
        "clock": with_overdue(clock(case, today)),
        "materials": case.materials.all(),
        "task_rows": _task_rows(tasks, today),
        "notices": notices,
        "receipt": next((n for n in notices if n.kind == Notice.Kind.RECEIPT), None),
        "extensions": case.extensions.all(),
        "suspensions": case.suspensions.all(),
        "timeline": case_timeline(case),
        "offered": _offered_actions(request.user, case, bound or {}),
        "is_read_only": not user_scope(request.user).can_write and not request.user.is_superuser,
        "action_error": error,
        "boxes": case_page_boxes(request.user, case),
    }
    return TemplateResponse(request, "cases/staff/detail.html", context, status=status)


@staff_required
@require_GET
def case_detail(request, pk: int):
    case = _case_or_404(request.user, pk)
    personal_data_view_record(viewer=request.user, cases=[case], what="case_page")
    return _render_detail(request, case)


def _bound_key(action: str, form: forms.Form) -> str:
    if action == "complete_task":
        return f"complete_task:{form.data.get('complete_task-task', '')}"
    return action


@staff_required
@require_POST
def case_action(request, pk: int, action: str):
    """Take one action: the form checks the input, the one service decides; errors change nothing."""
    case = _case_or_404(request.user, pk)
    spec = CASE_ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = spec.form_class(request.POST, request.FILES, case=case, prefix=action)
    if action == "complete_task":
        form.auto_id = f"id_task{request.POST.get('complete_task-task', '')}_%s"
    if not form.is_valid():
        return _render_detail(request, case, bound={_bound_key(action, form): form}, status=400)
    try:
        spec.run(request.user, case, form)
    except DomainError as error:
        case = _case_or_404(request.user, pk)
        return _render_detail(
            request, case, bound={_bound_key(action, form): form}, error=str(error.message), status=error.status
        )
    messages.success(request, spec.done)
    return redirect("cases:detail", pk=case.pk)


@staff_required
@require_GET
def notice_pdf(request, pk: int, notice_pk: int):
    """A notice of the case as a PDF, rendered from what the notice stores."""
    from .notices import render_notice  # ReportLab and the font load only when a PDF is asked for

    case = _case_or_404(request.user, pk)
    notice = get_object_or_404(Notice.objects.filter(case=case), pk=notice_pk)
    personal_data_view_record(viewer=request.user, cases=[case], what="notice")
    response = HttpResponse(
        render_notice(notice, base_url=request.build_absolute_uri("/")), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(False, f"{notice.number}.pdf")
    return response


@staff_required
def material_file(request, pk: int, material_pk: int):
    """A material's scan, only for staff who may see the case (no URL serves the stored files); a supervisor's view
    is logged like the case page's. Typed from its bytes, under the name it was uploaded with (core.uploads)."""
    case = _case_or_404(request.user, pk)
    material = get_object_or_404(CaseMaterial.objects.filter(case=case).exclude(file=""), pk=material_pk)
    personal_data_view_record(viewer=request.user, cases=[case], what="material")
    return file_response(material.file, download_name=material.file_name or material.name)


# --- Window intake ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeDesk:
    """Where the user receives applications, and whether as an agent (代办: the case is relayed from here)."""

    site: Site
    is_agency: bool


INTAKE_ROLES = [Role.CLERK, Role.CHIEF_REPRESENTATIVE, Role.AGENT]


def _intake_desk(user: User) -> IntakeDesk | None:
    assignments = [
        assignment
        for assignment in user_scope(user).assignments
        if assignment.role in INTAKE_ROLES and assignment.site is not None and assignment.site.is_active
    ]
    ranked = sorted(assignments, key=lambda assignment: (INTAKE_ROLES.index(assignment.role), assignment.pk))
    if ranked:
        desk = IntakeDesk(site=ranked[0].site, is_agency=ranked[0].role == Role.AGENT)
    elif user.is_superuser:
        desk = IntakeDesk(site=Site.objects.filter(parent__isnull=True).order_by("pk").first(), is_agency=False)
    else:
        return None
    return desk if desk.site is not None and can_receive_at(user, desk.site) else None


def _item_chooser(request, desk: IntakeDesk, *, status: int = 200):
    query = request.GET.get("q", "")
    versions = catalog_search(query=query, level=desk.site.level)[:60]
    context = {"desk": desk, "query": query, "versions": versions}
    template = "cases/staff/_item_choices.html" if request.htmx else "cases/staff/intake_choose.html"
    return TemplateResponse(request, template, context, status=status)


def _intake_from(form: case_forms.IntakeForm, rows: list, item: ServiceItem, desk: IntakeDesk) -> services.Intake:
    data = form.cleaned_data
    return services.Intake(
        item=item,
        applicant=services.Applicant(
            name=data["applicant_name"],
            id_type=data["id_type"],
            id_number=data["id_number"],
            phone=data["phone"],
            address=data["address"],
        ),
        channel=Channel.AGENCY if desk.is_agency else Channel.WINDOW,
        receiving_site=desk.site,
        materials=[row.material_check() for row in rows if row.is_recorded],
        details=data["details"],
        relay_site=desk.site if desk.is_agency else None,
        agency_authorisation=data.get("agency_authorisation", ""),
    )


def _render_intake(request, desk: IntakeDesk, item: ServiceItem, form, rows, *, status: int = 200):
    if status != 200:
        form.focus_first_error(rows)
    context = {
        "desk": desk,
        "item": item,
        "version": item.current_version,
        "form": form,
        "rows": rows,
        "rows_have_errors": any(row.errors for row in rows),
        "is_immediate": item.current_version.case_type == CaseType.IMMEDIATE,
    }
    return TemplateResponse(request, "cases/staff/intake.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def case_intake(request):
    """Window intake: choose the item, then one keyboard-friendly form; nothing is saved unless all of it is right."""
    desk = _intake_desk(request.user)
    if desk is None:
        return TemplateResponse(request, "cases/staff/intake_unavailable.html", status=403)
    code = request.GET.get("item", "").strip().upper()
    if not code:
        return _item_chooser(request, desk)
    item = ServiceItem.objects.select_related("current_version", "department").filter(code=code).first()
    if item is None or not item.is_public:
        messages.error(request, _("There is no published item with the code %(code)s.") % {"code": code})
        return _item_chooser(request, desk, status=404)
    requirements = list(item.current_version.materials.all())
    if request.method != "POST":
        return _render_intake(
            request, desk, item, case_forms.IntakeForm(is_agency=desk.is_agency), case_forms.material_rows(requirements)
        )
    form = case_forms.IntakeForm(request.POST, is_agency=desk.is_agency)
    rows = case_forms.material_rows(requirements, request.POST, request.FILES)
    if not all([form.is_valid(), *(row.is_valid() for row in rows)]):
        return _render_intake(request, desk, item, form, rows, status=400)
    intake = _intake_from(form, rows, item, desk)
    try:
        if request.POST.get("handle_now"):
            case = services.case_handle_immediately(actor=request.user, intake=intake)
        else:
            case = services.case_submit(actor=request.user, intake=intake)
    except DomainError as error:
        form.add_error(None, str(error.message))
        return _render_intake(request, desk, item, form, rows, status=error.status)
    messages.success(request, _("Case %(number)s was registered.") % {"number": case.tracking_number})
    if case_get_for_user(request.user, case.pk) is None:
        return redirect("cases:queue")  # received for a higher level that this site does not follow
    return redirect("cases:detail", pk=case.pk)


@staff_required
@require_GET
def intake_check_id(request):
    """The inline check of the document number while the clerk types the rest (htmx, on leaving the field)."""
    id_type = request.GET.get("id_type", "resident_id")
    number = request.GET.get("id_number", "")
    problems = validate_id_number(id_type, number) if number.strip() else []
    return TemplateResponse(request, "cases/staff/_id_check.html", {"problems": problems, "number": number})


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
    page = Paginator(cases, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
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


# --- First-inquiry log -------------------------------------------------------------------------------------------


def _render_inquiries(request, *, log_form=None, bound: dict | None = None, error: str = "", status: int = 200):
    user = request.user
    candidates = handover_candidates(user)
    bound = bound or {}
    entries = [
        {
            "inquiry": inquiry,
            "answer_form": bound.get(f"answer:{inquiry.pk}")
            or case_forms.InquiryAnswerForm(prefix=f"answer{inquiry.pk}"),
            "handover_form": bound.get(f"handover:{inquiry.pk}")
            or case_forms.InquiryHandoverForm(prefix=f"handover{inquiry.pk}", candidates=candidates),
        }
        for inquiry in inquiries_owned_by(user)
    ]
    can_write = user.is_superuser or user_scope(user).can_write
    recent = Inquiry.objects.filter(Q(logged_by=user) | Q(owner=user), state=Inquiry.State.ANSWERED)
    context = {
        "log_form": log_form or case_forms.InquiryLogForm(),
        "entries": entries,
        "can_write": can_write,
        "recent": recent.select_related("owner").order_by("-answered_at")[:10],
        "error": error,
    }
    return TemplateResponse(request, "cases/staff/inquiries.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def inquiry_list(request):
    """首问负责制: log an inquiry and see the open ones I own."""
    if request.method != "POST":
        return _render_inquiries(request)
    form = case_forms.InquiryLogForm(request.POST)
    if not form.is_valid():
        return _render_inquiries(request, log_form=form, status=400)
    site = inquiry_site_for(request.user)
    try:
        inquiry_log(actor=request.user, site=site, **form.cleaned_data)
    except DomainError as error:
        return _render_inquiries(request, log_form=form, error=str(error.message), status=error.status)
    messages.success(request, _("The inquiry was logged; you own it until it is answered or handed over."))
    return redirect("cases:inquiries")


def _inquiry_write(request, pk: int, kind: str, form: forms.Form, run: Callable[[Inquiry, dict], object], done):
    inquiry = inquiry_get_for_handler(request.user, pk)
    if inquiry is None:
        raise Http404  # somebody else's inquiry, by guessing its id
    if not form.is_valid():
        return _render_inquiries(request, bound={f"{kind}:{pk}": form}, status=400)
    try:
        run(inquiry, form.cleaned_data)
    except DomainError as error:
        return _render_inquiries(request, bound={f"{kind}:{pk}": form}, error=str(error.message), status=error.status)
    messages.success(request, done)
    return redirect("cases:inquiries")


@staff_required
@require_POST
def inquiry_answer_view(request, pk: int):
    form = case_forms.InquiryAnswerForm(request.POST, prefix=f"answer{pk}")
    return _inquiry_write(
        request,
        pk,
        "answer",
        form,
        lambda inquiry, data: inquiry_answer(actor=request.user, inquiry=inquiry, answer=data["answer"]),
        _("The answer was recorded and the inquiry closed."),
    )


@staff_required
@require_POST
def inquiry_handover_view(request, pk: int):
    form = case_forms.InquiryHandoverForm(
        request.POST, prefix=f"handover{pk}", candidates=handover_candidates(request.user)
    )
    return _inquiry_write(
        request,
        pk,
        "handover",
        form,
        lambda inquiry, data: inquiry_handover(actor=request.user, inquiry=inquiry, **data),
        _("The inquiry was handed over on record."),
    )
