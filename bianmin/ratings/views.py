"""Staff pages of 好差评: the rectification tasks (list, one task and its moves), the appeals waiting for supervisors,
the figures, the windows' tablet links, and the clerk's "ask for a rating" on the case page. Thin: reads through
``selectors``, writes through one service each; a DomainError is shown with nothing changed."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bianmin.accounts.models import User
from bianmin.cases.models import Case
from bianmin.cases.selectors import case_get_for_user, cases_visible_to
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError
from bianmin.core.pagination import CappedPaginator
from bianmin.org.models import Role, Window, window_number_order
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import user_scope, windows_visible_to

from .forms import AppealForm, CallBackForm, DecisionForm, OutcomeForm, RectifyForm, VerifyForm
from .models import TAGS, Rating, Rectification
from .qr import rating_path
from .selectors import (
    DIMENSIONS,
    appeals_pending_for,
    dimension_names,
    may_see_figures,
    month_bounds,
    rating_figures,
    ratings_visible_to,
    rectification_get_for_user,
    rectifications_visible_to,
    worst_indicators,
    worst_tags,
)
from .services import (
    appeal_decide,
    appeal_file,
    rating_prompt_at_window,
    rectification_actions_for,
    rectification_call_back,
    rectification_record_outcome,
    rectification_rectify,
    rectification_verify,
)
from .tablet import tablet_key

PAGE_SIZE = 50
State = Rectification.State

# --- Rectification tasks: the list --------------------------------------------------------------------------------


class RectificationFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *State.choices]


@staff_required
@require_GET
def rectification_list(request):
    """差评整改: the tasks of the user's sites and departments, newest first (the site's or department's index)."""
    today = timezone.localdate()
    form = RectificationFilterForm(request.GET or None)
    tasks = rectifications_visible_to(request.user)
    if form.is_bound and form.is_valid():
        if form.cleaned_data["state"]:
            tasks = tasks.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["overdue"]:
            tasks = tasks.filter(state__in=Rectification.AWAITING, due__lt=today)
    page = CappedPaginator(tasks.order_by("-opened_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"task": task, "is_overdue": task.state in Rectification.AWAITING and task.due < today} for task in page]
    context = {"form": form, "page": page, "rows": rows, "appeals": appeals_pending_for(request.user).count()}
    return TemplateResponse(request, "ratings/rectification_list.html", context)


# --- One task and its moves -----------------------------------------------------------------------------------------


def _verify(user, task, data):
    return rectification_verify(
        actor=user, rectification=task, is_founded=data["is_founded"], findings=data["findings"]
    )


def _appeal(user, task, data):
    return appeal_file(actor=user, rectification=task, reason=data["reason"], evidence=data.get("evidence"))


ACTIONS = {
    "verify": (VerifyForm, gettext_lazy("Verify the review"), _verify),
    "rectify": (
        RectifyForm,
        gettext_lazy("Record the rectification"),
        lambda user, task, d: rectification_rectify(actor=user, rectification=task, measures=d["measures"]),
    ),
    "call_back": (
        CallBackForm,
        gettext_lazy("Record the call back"),
        lambda user, task, d: rectification_call_back(actor=user, rectification=task, note=d["note"]),
    ),
    "record_outcome": (
        OutcomeForm,
        gettext_lazy("Record the outcome"),
        lambda user, task, d: rectification_record_outcome(actor=user, rectification=task, outcome=d["outcome"]),
    ),
    "appeal": (AppealForm, gettext_lazy("Appeal the review"), _appeal),
    "uphold": (
        DecisionForm,
        gettext_lazy("Uphold the appeal"),
        lambda user, task, d: appeal_decide(actor=user, rectification=task, uphold=True, note=d["note"]),
    ),
    "reject": (
        DecisionForm,
        gettext_lazy("Reject the appeal"),
        lambda user, task, d: appeal_decide(actor=user, rectification=task, uphold=False, note=d["note"]),
    ),
}

EVENT_LABELS = {
    "rectification.verify": gettext_lazy("Review verified"),
    "rectification.rectify": gettext_lazy("Rectified"),
    "rectification.call_back": gettext_lazy("Applicant called back"),
    "rectification.record_outcome": gettext_lazy("Outcome recorded"),
    "rectification.rate_fix": gettext_lazy("Applicant rated the fix"),
    "rectification.appeal": gettext_lazy("Appeal filed"),
    "rectification.uphold": gettext_lazy("Appeal upheld"),
    "rectification.reject": gettext_lazy("Appeal rejected"),
}


def _task_or_404(user: User, pk: int) -> Rectification:
    task = rectification_get_for_user(user, pk)
    if task is None:
        raise Http404
    return task


def _render_task(request, task: Rectification, *, bound: dict | None = None, error: str = "", status: int = 200):
    bound = bound or {}
    offered = [
        {"name": name, "label": ACTIONS[name][1], "form": bound.get(name) or ACTIONS[name][0](prefix=name)}
        for name in rectification_actions_for(request.user, task)
    ]
    events = [
        {
            "at": event.occurred_at,
            "actor": (event.actor.get_full_name() if event.actor else "") or event.actor_label,
            "label": EVENT_LABELS.get(event.action, event.action),
        }
        for event in audit_events_for(task).select_related("actor")
    ]
    context = {
        "task": task,
        "rating": task.rating,
        "tags": [TAGS.get(tag, tag) for tag in task.rating.tags.values_list("tag", flat=True)],
        "appeals": task.appeals.select_related("filed_by", "decided_by").order_by("filed_at"),
        "offered": offered,
        "is_overdue": task.state in Rectification.AWAITING and task.due < timezone.localdate(),
        "events": events,
        "error": error,
    }
    return TemplateResponse(request, "ratings/rectification_detail.html", context, status=status)


@staff_required
@require_GET
def rectification_detail(request, pk: int):
    return _render_task(request, _task_or_404(request.user, pk))


@staff_required
@require_POST
def rectification_action(request, pk: int, action: str):
    task = _task_or_404(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, _label, run = ACTIONS[action]
    form = form_class(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return _render_task(request, task, bound={action: form}, status=400)
    try:
        run(request.user, task, form.cleaned_data)
    except DomainError as exc:
        task = _task_or_404(request.user, pk)
        return _render_task(request, task, bound={action: form}, error=str(exc.message), status=exc.status)
    messages.success(request, _("Done."))
    return redirect("ratings:rectification", pk=task.pk)


@staff_required
@require_GET
def appeal_evidence(request, pk: int, appeal_id: int):
    """An appeal's evidence file, for those who see the task."""
    task = _task_or_404(request.user, pk)
    appeal = task.appeals.filter(pk=appeal_id).exclude(evidence="").first()
    if appeal is None:
        raise Http404
    return FileResponse(appeal.evidence.open("rb"), as_attachment=True, filename=appeal.evidence_name or "evidence")


@staff_required
@require_GET
def appeal_list(request):
    """申诉: the appeals waiting for a supervisor of the user's jurisdiction."""
    if not user_scope(request.user).roles & {Role.SUPERVISOR} and not request.user.is_superuser:
        raise PermissionDenied
    page = CappedPaginator(appeals_pending_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "ratings/appeal_list.html", {"page": page})


# --- Figures ------------------------------------------------------------------------------------------------------


class FiguresForm(forms.Form):
    month = forms.DateField(
        label=gettext_lazy("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}),
    )
    by = forms.ChoiceField(
        label=gettext_lazy("By"),
        required=False,
        choices=[
            ("site", gettext_lazy("Site")),
            ("department", gettext_lazy("Department")),
            ("window", gettext_lazy("Window")),
            ("staff", gettext_lazy("Staff member")),
            ("item", gettext_lazy("Item")),
        ],
    )


@staff_required
@require_GET
def figures(request):
    """The standard's figures (GB/T 39735-2020) for a month, per site, department, window, staff member or item,
    over the ratings of the user's scope: centre administrators, department heads and supervisors."""
    if not may_see_figures(request.user):
        raise PermissionDenied
    form = FiguresForm(request.GET or None)
    today = timezone.localdate()
    month, by = datetime.date(today.year, today.month, 1), "site"
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"] or month
        by = form.cleaned_data["by"] or by
    start, end = month_bounds(month.year, month.month)
    ratings = ratings_visible_to(request.user)
    cases = cases_visible_to(request.user)
    rows = rating_figures(start=start, end=end, by=by, ratings=ratings, cases=cases)
    total = rating_figures(start=start, end=end, ratings=ratings, cases=cases)[0]
    names = dimension_names(by, [row.key for row in rows])
    context = {
        "form": form,
        "start": start,
        "end": end,
        "by": by,
        "rows": [{"name": names.get(row.key, "—"), "figures": row} for row in rows],
        "total": total,
        "has_unrated": DIMENSIONS[by][1] is not None,
        "indicators": worst_indicators(ratings, start=start, end=end),
        "tags": worst_tags(ratings, start=start, end=end),
    }
    return TemplateResponse(request, "ratings/figures.html", context)


# --- The windows' tablets and the clerk's prompt ----------------------------------------------------------------


@staff_required
@require_GET
def tablets(request):
    """Each window's rating tablet link (open it once on the tablet facing the applicant): centre administrators."""
    if not (request.user.is_superuser or Role.CENTRE_ADMIN in user_scope(request.user).roles):
        raise PermissionDenied
    windows = windows_visible_to(request.user).filter(is_active=True).order_by("site__path", *window_number_order())
    rows = [{"window": window, "key": tablet_key(window)} for window in windows]
    return TemplateResponse(request, "ratings/tablets.html", {"rows": rows})


@staff_required
@require_POST
def prompt(request, case_id: int):
    """一次一评: the clerk puts the case just handled on their window's tablet."""
    case = case_get_for_user(request.user, case_id)
    if case is None:
        raise Http404
    window = _clerk_window(request.user)
    if window is None:
        raise PermissionDenied
    try:
        rating_prompt_at_window(actor=request.user, case=case, window=window)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The case is on the tablet of window %(number)s.") % {"number": window.number})
    return redirect("cases:detail", pk=case.pk)


def _clerk_window(user: User) -> Window | None:
    windows = [a.window for a in user_scope(user).assignments if a.role == Role.CLERK and a.window is not None]
    return windows[0] if windows else None


def ratings_case_box(user: User, case: Case) -> tuple[str, dict] | None:
    """The case's ratings on the staff case page, and the clerk's button to ask for a rating on their window's
    tablet; one query."""
    window = _clerk_window(user)
    ratings = list(Rating.objects.filter(case=case).select_related("rectification").order_by("rated_at"))
    if not ratings and window is None:
        return None
    context = {"ratings": ratings, "window": window, "rating_path": rating_path(case.tracking_number or "")}
    return "ratings/case_box.html", context
