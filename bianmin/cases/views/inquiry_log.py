"""The first-inquiry log: logging, answering and handing over inquiries."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bianmin.core.errors import DomainError
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import user_scope

from .. import forms as case_forms
from ..inquiries import (
    handover_candidates,
    inquiries_answered_by,
    inquiries_owned_by,
    inquiry_answer,
    inquiry_get_for_handler,
    inquiry_handover,
    inquiry_log,
    inquiry_site_for,
)
from ..models import (
    Inquiry,
)

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
    context = {
        "log_form": log_form or case_forms.InquiryLogForm(),
        "entries": entries,
        "can_write": can_write,
        "recent": inquiries_answered_by(user)[:10],
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
