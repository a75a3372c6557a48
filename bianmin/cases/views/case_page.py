"""The case page and its timeline: the moves offered, their forms and their posting; notices and materials."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bianmin.accounts.models import User
from bianmin.core.errors import DomainError
from bianmin.core.uploads import file_response
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import user_scope

from .. import forms as case_forms
from .. import services
from ..clock import clock
from ..data_views import personal_data_view_record
from ..models import (
    Case,
    CaseMaterial,
    CaseMaterialEvent,
    Extension,
    Notice,
    ReviewTask,
    Status,
)
from ..page_boxes import case_page_boxes
from ..timeline import case_timeline
from ..workflow import actions_available, steps_for
from ._common import (
    _case_or_404,
)

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
            "waive_material",
            gettext_lazy("Record that a material is not needed"),
            case_forms.WaiveMaterialForm,
            lambda user, case, form: services.case_waive_material(
                actor=user, case=case, material_id=_data(form)["material"], reason=_data(form)["reason"]
            ),
            gettext_lazy("The material is recorded as not needed; the reason is in its history."),
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
            case_forms.IssueCertificateForm,
            lambda user, case, form: services.case_issue_certificate(actor=user, case=case, **_data(form)),
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
            gettext_lazy("The result is ready: sent to the site that hands it over, or the applicant was told."),
        ),
        CaseAction(
            "receive_result",
            gettext_lazy("Record that the result arrived here"),
            case_forms.EmptyActionForm,
            lambda user, case, form: services.case_receive_result(actor=user, case=case),
            gettext_lazy("The result's arrival was recorded; the applicant was told to collect it here."),
        ),
        CaseAction(
            "deliver",
            gettext_lazy("Hand over and close"),
            case_forms.DeliverForm,
            lambda user, case, form: services.case_deliver(actor=user, case=case, **_data(form)),
            gettext_lazy("The result was handed over and the case closed: print the delivery receipt to be signed."),
        ),
        CaseAction(
            "record_signature",
            gettext_lazy("Record the signed delivery receipt"),
            case_forms.EmptyActionForm,
            lambda user, case, form: services.case_record_signature(actor=user, case=case),
            gettext_lazy("The signed delivery receipt was recorded."),
            "cases/staff/actions/_record_signature.html",
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
    "receive_result",
    "deliver",
    "record_signature",
}


def _task_form(case: Case, task: ReviewTask, bound: dict) -> forms.Form:
    key = f"complete_task:{task.pk}"
    if key in bound:
        return bound[key]
    return case_forms.CompleteTaskForm(
        case=case, prefix="complete_task", auto_id=f"id_task{task.pk}_%s", initial={"task": task.pk}
    )


def _action_order(case: Case, available: set[str]) -> list[str]:
    """The actions in the page's order. While materials are missing or defective and acceptance waits for them,
    the supplement notice comes first (ALL art. 32: one notice listing everything) and is the one shown open."""
    names = list(CASE_ACTIONS)
    if case.materials_outstanding and "accept" not in available:
        names.remove("request_supplement")
        names.insert(0, "request_supplement")
    return names


def _offered_actions(user: User, case: Case, bound: dict) -> list[dict]:
    """Exactly the moves ``workflow.actions_available`` lists for this user now, each with its form (a review step
    the user may complete: one form each)."""
    offered = []
    available = set(actions_available(user, case))
    primary_actions = PRIMARY_ACTIONS | ({"request_supplement"} if case.materials_outstanding else set())
    for name in _action_order(case, available):
        action = CASE_ACTIONS[name]
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
        first = next((entry for entry in offered if entry["action"].name in primary_actions), None)
        if first is not None:
            first["is_open"] = True
    return offered


def _acceptance_waits(case: Case, materials: list[CaseMaterial], offered: list[dict]) -> list[str]:
    """The materials acceptance waits for, said beside the actions when the user could otherwise accept: why
    there is no "Accept" (case_accept refuses with materials_incomplete)."""
    names = {entry["action"].name for entry in offered}
    if case.status != Status.RECEIVED or "accept" in names or not names & {"request_supplement", "waive_material"}:
        return []
    return [material.name for material in materials if material.is_outstanding]


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
    materials = list(
        case.materials.prefetch_related(Prefetch("history", CaseMaterialEvent.objects.select_related("by")))
    )
    offered = _offered_actions(request.user, case, bound or {})
    context = {
        "case": case,
        "clock": clock(case, today),
        "materials": materials,
        "acceptance_waits": _acceptance_waits(case, materials, offered),
        "task_rows": _task_rows(tasks, today),
        "notices": notices,
        "receipt": next((n for n in notices if n.kind == Notice.Kind.RECEIPT), None),
        "extensions": case.extensions.all(),
        "suspensions": case.suspensions.all(),
        "timeline": case_timeline(case),
        "offered": offered,
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
    from ..notices import render_notice  # ReportLab and the font load only when a PDF is asked for

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
