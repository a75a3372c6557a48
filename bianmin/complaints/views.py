"""The staff pages of complaints and 12345 work orders: the supervisors' list, the handler's list, the public
notices (通报), one complaint with its moves, a complaint taken by telephone, the hotline's workbook. Thin: reads
through ``selectors``, writes through one service each; a DomainError is shown with nothing changed. Another
town's complaint is not found (404)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.accounts.models import User
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError
from bianmin.core.pagination import CappedPaginator
from bianmin.org.permissions import is_supervisor, staff_required
from bianmin.org.selectors import user_scope

from . import excel, services
from .forms import (
    AssignForm,
    ComplaintForm,
    FinishForm,
    ImportForm,
    ListFilterForm,
    NoteForm,
    ReasonForm,
    RemindForm,
    ReplyForm,
)
from .models import Channel, Complaint
from .selectors import (
    DEPARTMENT_LEADS,
    Identity,
    complaint_get_for_user,
    complaint_handlers,
    complaints_handled_by,
    complaints_visible_to,
    identity_masked,
    identity_views_visible_to,
    late_condition,
    public_notices_visible_to,
)

PAGE_SIZE = 25

# The chain's action codes of a complaint, in words (its page's list of moves).
EVENT_LABELS = {
    "complaint.receive": gettext_lazy("Received"),
    "complaint.accept": gettext_lazy("Accepted"),
    "complaint.refuse": gettext_lazy("Not accepted"),
    "complaint.assign": gettext_lazy("Assigned"),
    "complaint.handle": gettext_lazy("Taken up by the handler"),
    "complaint.reply": gettext_lazy("Replied"),
    "complaint.finish": gettext_lazy("Finished"),
    "complaint.call_back": gettext_lazy("Called back"),
    "complaint.rate": gettext_lazy("Rated by the complainant"),
    "complaint.remind": gettext_lazy("Reminder (催办)"),
    "complaint.report": gettext_lazy("Public notice (通报)"),
}
MOVE_LABELS = {
    "accept": gettext_lazy("Accept"),
    "refuse": gettext_lazy("Do not accept"),
    "assign": gettext_lazy("Assign"),
    "handle": gettext_lazy("Take it up"),
    "reply": gettext_lazy("Reply"),
    "finish": gettext_lazy("Finish"),
    "call_back": gettext_lazy("Record the callback"),
    "remind": gettext_lazy("Send a reminder"),
}


def _valid(form: forms.Form) -> dict:
    if not form.is_bound:
        return {}
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "", False)}


def _page(request, complaints, *, template: str, title: str, **extra) -> TemplateResponse:
    today = timezone.localdate()
    form = ListFilterForm(request.GET or None)
    filters = _valid(form)
    if "state" in filters:
        complaints = complaints.filter(state=filters["state"])
    if "kind" in filters:
        complaints = complaints.filter(kind=filters["kind"])
    if filters.get("late"):
        complaints = complaints.filter(late_condition(today))
    page = CappedPaginator(complaints.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"complaint": complaint, "is_late": services.complaint_is_late(complaint, today)} for complaint in page]
    context = {"form": form, "page": page, "rows": rows, "title": title, **extra}
    return TemplateResponse(request, template, context)


@staff_required
@require_GET
def complaint_list(request):
    """The complaints the user may see (supervisors: their jurisdiction's), by state, kind and lateness."""
    return _page(
        request,
        complaints_visible_to(request.user),
        template="complaints/list.html",
        title=_("Complaints and hotline work orders"),
        may_receive=True,
    )


@staff_required
@require_GET
def complaint_list_mine(request):
    """The handler's list: complaints assigned to them, their departments or their sites."""
    return _page(
        request,
        complaints_handled_by(request.user),
        template="complaints/list.html",
        title=_("Complaints to handle"),
        may_receive=False,
    )


@staff_required
@require_GET
def public_notice_list(request):
    """通报: complaints still late 5 working days after a reminder."""
    if not (is_supervisor(request.user) or user_scope(request.user).departments_of(*DEPARTMENT_LEADS)):
        raise PermissionDenied
    notices = public_notices_visible_to(request.user).order_by("-reported_at", "-pk")
    page = CappedPaginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "complaints/notices.html", {"page": page})


@staff_required
@require_GET
def identity_view_list(request):
    """Every view of a complainant's identity in the supervisor's jurisdiction: who, which complaint, when."""
    if not is_supervisor(request.user):
        raise PermissionDenied
    views = identity_views_visible_to(request.user).order_by("-viewed_at", "-pk")
    page = CappedPaginator(views, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "complaints/identity_views.html", {"page": page})


@staff_required
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """A complaint taken by telephone: the staff member enters what the caller says."""
    form = ComplaintForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_receive(actor=request.user, channel=Channel.PHONE, data=form.complaint_in())
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Complaint %(number)s was received.") % {"number": complaint.number})
            visible = complaint_get_for_user(request.user, complaint.pk)
            return redirect("complaints:detail", pk=complaint.pk) if visible else redirect("complaints:list")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "complaints/new.html", {"form": form, "error": error}, status=status)


def _may_import(user: User) -> bool:
    return user.is_superuser or bool(user_scope(user).roles & set(services.RECEIVERS_OF_HOTLINE))


@staff_required
@require_http_methods(["GET", "POST"])
def work_order_import(request):
    """The 12345 hotline's workbook: every row received, or none (each bad row said)."""
    if not _may_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = excel.work_orders_import(actor=request.user, data=form.cleaned_data["file"].read())
        except excel.WorkOrderImportError as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = [str(exc.message)]
        else:
            messages.success(request, _("%(count)d work orders were received.") % {"count": len(created)})
            return redirect("complaints:list")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "complaints/import.html", {"form": form, "errors": errors}, status=status)


@staff_required
@require_GET
def work_order_template(request):
    if not _may_import(request.user):
        raise PermissionDenied
    response = HttpResponse(
        excel.template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="12345-work-orders.xlsx"'
    return response


# --- One complaint -------------------------------------------------------------------------------------------------


def _complaint_or_404(user: User, pk: int) -> Complaint:
    complaint = complaint_get_for_user(user, pk)
    if complaint is None:
        raise Http404
    return complaint


def _handlers(complaint: Complaint):
    return complaint_handlers(complaint)


def _forms(complaint: Complaint, moves: list[str], bound: dict) -> dict:
    makers = {
        "refuse": lambda data: ReasonForm(data, prefix="refuse"),
        "assign": lambda data: AssignForm(data, prefix="assign", handlers=_handlers(complaint)),
        "reply": lambda data: ReplyForm(data, prefix="reply"),
        "finish": lambda data: FinishForm(data, prefix="finish"),
        "call_back": lambda data: NoteForm(data, prefix="call_back"),
        "remind": lambda data: RemindForm(data, prefix="remind"),
    }
    return {move: bound.get(move) or makers[move](None) for move in moves if move in makers}


def _render(request, complaint: Complaint, *, bound: dict | None = None, error: str = "", status: int = 200):
    moves = services.complaint_moves_for(request.user, complaint)
    if services.identity_view_record(viewer=request.user, complaint=complaint, what="complaint_page"):
        identity = Identity(complaint.name, complaint.phone, complaint.id_number, is_masked=False)
    else:
        identity = identity_masked(complaint)
    events = audit_events_for(complaint).select_related("actor").order_by("sequence")
    moves_done = [
        {"at": event.occurred_at, "actor": event.actor_label, "label": EVENT_LABELS.get(event.action, event.action)}
        for event in events
    ]
    forms_ = _forms(complaint, moves, bound or {})
    context = {
        "complaint": complaint,
        "identity": identity,
        "moves": [(move, MOVE_LABELS[move], forms_.get(move)) for move in moves],
        "moves_done": moves_done,
        "reminders": complaint.reminders.select_related("reminded_by"),
        "notices": complaint.public_notices.all(),
        "is_late": services.complaint_is_late(complaint, timezone.localdate()),
        "error": error,
    }
    return TemplateResponse(request, "complaints/detail.html", context, status=status)


@staff_required
@require_GET
def complaint_detail(request, pk: int):
    return _render(request, _complaint_or_404(request.user, pk))


def _run(move: str, actor: User, complaint: Complaint, data: dict) -> None:
    if move == "accept":
        services.complaint_accept(actor=actor, complaint=complaint)
    elif move == "refuse":
        services.complaint_refuse(actor=actor, complaint=complaint, reason=data["reason"])
    elif move == "assign":
        services.complaint_assign(
            actor=actor, complaint=complaint, handler=data["handler"], department=data["department"]
        )
    elif move == "handle":
        services.complaint_handle(actor=actor, complaint=complaint)
    elif move == "reply":
        services.complaint_reply(actor=actor, complaint=complaint, reply=data["reply"])
    elif move == "finish":
        services.complaint_finish(
            actor=actor,
            complaint=complaint,
            finding=data["finding"],
            accountable_department=data["accountable_department"],
        )
    elif move == "call_back":
        services.complaint_call_back(actor=actor, complaint=complaint, note=data["note"])
    elif move == "remind":
        services.complaint_remind(actor=actor, complaint=complaint, note=data["note"])


@staff_required
@require_POST
def complaint_move(request, pk: int, move: str):
    complaint = _complaint_or_404(request.user, pk)
    if move not in MOVE_LABELS:
        raise Http404
    form = _forms(complaint, [move], {}).get(move)
    data: dict = {}
    if form is not None:
        form = type(form)(request.POST, prefix=move, **({"handlers": _handlers(complaint)} if move == "assign" else {}))
        if not form.is_valid():
            return _render(request, complaint, bound={move: form}, status=400)
        data = form.cleaned_data
    try:
        _run(move, request.user, complaint, data)
    except DomainError as exc:
        complaint = _complaint_or_404(request.user, pk)
        return _render(
            request, complaint, bound={move: form} if form else {}, error=str(exc.message), status=exc.status
        )
    messages.success(request, _("Done: complaint %(number)s.") % {"number": complaint.number})
    if complaint_get_for_user(request.user, pk) is None:
        return redirect("complaints:list")
    return redirect("complaints:detail", pk=pk)
