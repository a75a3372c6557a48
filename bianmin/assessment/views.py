"""The assessment's pages in the workbench: schemes, a run with its progress (htmx), the ranking, a subject's score
item by item down to the records behind it, objections; the Excel ranking and the PDF reports. Thin: every change
is a service, every read a selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from bianmin.core.errors import DomainError, NotFound
from bianmin.org.permissions import is_supervisor, staff_required

from . import selectors, services
from .compute import subjects_of
from .explain import evidence_links
from .exports import XLSX_CONTENT_TYPE, ranking_workbook
from .forms import AnswerForm, ManualScoreForm, ObjectionForm, RunForm, SchemeForm, SchemeItemForm
from .metrics import METRICS
from .models import AssessmentRun, Grade, Objection
from .periods import period_label
from .permissions import can_manage_assessment, can_read_all_results, subject_ids_of
from .recommendations import recommendation_issue
from .report import recommendation_pdf_bytes, run_report_pdf, subject_report_pdf


def _found(getter, *args):
    try:
        return getter(*args)
    except NotFound as error:
        raise Http404 from error


def _manager(request) -> None:
    if not can_manage_assessment(request.user):
        raise PermissionDenied


def _refused(request, error: DomainError) -> None:
    messages.error(request, str(error.message))


@staff_required
@require_GET
def scheme_list(request):
    schemes = selectors.schemes_visible_to(request.user).order_by("name", "pk")
    return TemplateResponse(
        request,
        "assessment/schemes.html",
        {"schemes": schemes, "may_manage": can_manage_assessment(request.user), "form": SchemeForm()},
    )


@staff_required
@require_POST
def scheme_new(request):
    _manager(request)
    form = SchemeForm(request.POST)
    if form.is_valid():
        try:
            scheme = services.scheme_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _refused(request, error)
        else:
            return redirect("assessment:scheme", scheme.pk)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("assessment:schemes")


@staff_required
@require_GET
def scheme_detail(request, pk: int):
    scheme = _found(selectors.scheme_get, request.user, pk)
    runs = selectors.runs_visible_to(request.user).filter(scheme=scheme).order_by("-period_start", "-version")[:50]
    may_manage = can_manage_assessment(request.user)
    context = {
        "scheme": scheme,
        "items": [(item, METRICS[item.metric].name if item.metric in METRICS else "") for item in scheme.items.all()],
        "runs": [(run, period_label(scheme.period_kind, run.period_start)) for run in runs],
        "may_manage": may_manage,
    }
    if may_manage:
        context |= {
            "item_form": SchemeItemForm(initial={"position": scheme.items.count()}),
            "run_form": RunForm(),
            "manual_form": ManualScoreForm(scheme=scheme, subjects=subjects_of(scheme)),
        }
    return TemplateResponse(request, "assessment/scheme.html", context)


@staff_required
@require_POST
def scheme_item_new(request, pk: int):
    _manager(request)
    scheme = _found(selectors.scheme_get, request.user, pk)
    form = SchemeItemForm(request.POST)
    if form.is_valid():
        try:
            services.scheme_item_add(actor=request.user, scheme=scheme, **form.cleaned_data)
        except DomainError as error:
            _refused(request, error)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("assessment:scheme", scheme.pk)


@staff_required
@require_POST
def scheme_move(request, pk: int, move: str):
    _manager(request)
    scheme = _found(selectors.scheme_get, request.user, pk)
    service = {"activate": services.scheme_activate, "retire": services.scheme_retire}.get(move)
    if service is None:
        raise Http404
    try:
        service(actor=request.user, scheme=scheme)
    except DomainError as error:
        _refused(request, error)
    return redirect("assessment:scheme", scheme.pk)


@staff_required
@require_POST
def manual_score(request, pk: int):
    _manager(request)
    scheme = _found(selectors.scheme_get, request.user, pk)
    form = ManualScoreForm(request.POST, scheme=scheme, subjects=subjects_of(scheme))
    if form.is_valid():
        try:
            services.manual_score_enter(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _refused(request, error)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("assessment:scheme", scheme.pk)


@staff_required
@require_POST
def run_new(request, pk: int):
    _manager(request)
    scheme = _found(selectors.scheme_get, request.user, pk)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = services.run_start(actor=request.user, scheme=scheme, period_start=form.cleaned_data["period_start"])
        except DomainError as error:
            _refused(request, error)
        else:
            return redirect("assessment:run", run.pk)
    return redirect("assessment:scheme", scheme.pk)


def _ranking(request, run: AssessmentRun):
    results = list(selectors.results_visible_to(request.user, run)[:500])
    previous = selectors.previous_scores(run)
    rows = []
    for result in results:
        before = previous.get(result.subject_id)
        rows.append({"result": result, "before": before, "delta": result.score - before[0] if before else None})
    return rows


@staff_required
@require_GET
def run_detail(request, pk: int):
    run = _found(selectors.run_get, request.user, pk)
    context = {
        "run": run,
        "label": period_label(run.scheme.period_kind, run.period_start),
        "is_working": run.state in (AssessmentRun.State.QUEUED, AssessmentRun.State.RUNNING),
        "may_manage": can_manage_assessment(request.user),
        "reads_all": can_read_all_results(request.user),
    }
    if not context["is_working"]:
        previous = selectors.previous_period_run(run)
        context |= {
            "rows": _ranking(request, run),
            "changes": selectors.run_changes(run) if context["reads_all"] else None,
            "previous": previous,
            "previous_label": period_label(run.scheme.period_kind, previous.period_start) if previous else "",
            "fail": Grade.FAIL,
        }
    return TemplateResponse(request, "assessment/run.html", context)


@staff_required
@require_GET
def run_progress(request, pk: int):
    """The progress bar, polled by htmx; once computed it tells the page to reload (HX-Refresh)."""
    run = _found(selectors.run_get, request.user, pk)
    if run.state not in (AssessmentRun.State.QUEUED, AssessmentRun.State.RUNNING):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return TemplateResponse(request, "assessment/run_progress.html", {"run": run})


@staff_required
@require_POST
def run_publish_view(request, pk: int):
    _manager(request)
    run = _found(selectors.run_get, request.user, pk)
    try:
        services.run_publish(actor=request.user, run=run)
    except DomainError as error:
        _refused(request, error)
    return redirect("assessment:run", run.pk)


def _download(content: bytes, content_type: str, filename: str, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    return response


@staff_required
@require_GET
def run_excel(request, pk: int):
    run = _found(selectors.run_get, request.user, pk)
    results = selectors.results_visible_to(request.user, run)
    content = ranking_workbook(run, results, selectors.previous_scores(run))
    return _download(content, XLSX_CONTENT_TYPE, f"assessment-{run.pk}-v{run.version}.xlsx")


@staff_required
@require_GET
def run_pdf(request, pk: int):
    run = _found(selectors.run_get, request.user, pk)
    if not can_read_all_results(request.user):
        raise PermissionDenied
    return _download(run_report_pdf(run), "application/pdf", f"assessment-{run.pk}.pdf", attachment=False)


@staff_required
@require_GET
def result_detail(request, pk: int):
    result = _found(selectors.result_get, request.user, pk)
    run = result.run
    items = list(result.items.all())
    links = evidence_links(items)
    previous = selectors.previous_scores(run).get(result.subject_id)
    objections = list(result.objections.select_related("filed_by", "answered_by"))
    is_subject = result.subject_id in subject_ids_of(request.user, run.scheme.subject_kind)
    context = {
        "result": result,
        "run": run,
        "label": period_label(run.scheme.period_kind, run.period_start),
        "items": [(item, *links.get(item.pk, ([], 0))) for item in items],
        "previous": previous,
        "objections": objections,
        "may_object": is_subject and run.state == AssessmentRun.State.PUBLISHED,
        "objection_form": ObjectionForm(),
        "may_answer": can_manage_assessment(request.user),
        "answer_form": AnswerForm(),
        "filed": Objection.State.FILED,
        "is_fail": result.grade == Grade.FAIL,
        "may_recommend": (
            result.grade == Grade.FAIL
            and run.state == AssessmentRun.State.PUBLISHED
            and not result.recommendation_id
            and is_supervisor(request.user)
        ),
    }
    return TemplateResponse(request, "assessment/result.html", context)


@staff_required
@require_GET
def result_pdf(request, pk: int):
    result = _found(selectors.result_get, request.user, pk)
    return _download(
        subject_report_pdf(result), "application/pdf", f"assessment-result-{result.pk}.pdf", attachment=False
    )


@staff_required
@require_GET
def recommendation_pdf(request, pk: int):
    """监察建议书 for a 不合格 subject (the plan: results feed the accountability records)."""
    result = _found(selectors.result_get, request.user, pk)
    if result.grade != Grade.FAIL or not can_read_all_results(request.user):
        raise Http404
    return _download(
        recommendation_pdf_bytes(result), "application/pdf", f"recommendation-{result.pk}.pdf", attachment=False
    )


@staff_required
@require_POST
def recommendation_new(request, pk: int):
    """A county supervisor records the failed subject's 监察建议书 among the accountability records."""
    result = _found(selectors.result_get, request.user, pk)
    if not is_supervisor(request.user):
        raise PermissionDenied
    try:
        recommendation_issue(actor=request.user, result=result)
    except DomainError as error:
        _refused(request, error)
    return HttpResponseRedirect(reverse("assessment:result", args=[result.pk]))


@staff_required
@require_POST
def objection_new(request, pk: int):
    result = _found(selectors.result_get, request.user, pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_file(actor=request.user, result=result, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _refused(request, error)
    return HttpResponseRedirect(reverse("assessment:result", args=[result.pk]))


@staff_required
@require_POST
def objection_answer_view(request, pk: int):
    _manager(request)
    objection = _found(lambda user, key: _objection(user, key), request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.objection_answer(actor=request.user, objection=objection, **form.cleaned_data)
        except DomainError as error:
            _refused(request, error)
    return HttpResponseRedirect(reverse("assessment:result", args=[objection.result_id]))


def _objection(user, pk: int) -> Objection:
    objection = selectors.objections_visible_to(user).filter(pk=pk).first()
    if objection is None:
        raise NotFound("")
    return objection
