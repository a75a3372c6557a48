"""The staff's pages of licences: the registry (by type, holder, status, expiring within N days), one licence with
its moves (revoke, replace, change), its PDF; and the licences' box on the case page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bianmin.accounts.models import User
from bianmin.cases.data_views import personal_data_view_record
from bianmin.cases.models import Case
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError
from bianmin.core.masking import mask_id_number
from bianmin.core.pagination import CappedPaginator
from bianmin.org.permissions import staff_required

from . import services
from .document import render_licence
from .forms import ChangeForm, ReasonForm, RegistryFilterForm
from .models import Licence
from .selectors import licence_get_for_user, licence_registry, licences_of_case
from .services import LICENCE_MOVES
from .verification import licence_verdict, verification_path

PAGE_SIZE = 25
MOVES = {
    "revoke": (ReasonForm, gettext_lazy("Revoke"), gettext_lazy("The licence was revoked.")),
    "replace": (ReasonForm, gettext_lazy("Issue a replacement copy (补证)"), gettext_lazy("A replacement was issued.")),
    "change": (ChangeForm, gettext_lazy("Change the licence (变更)"), gettext_lazy("The changed licence was issued.")),
}
EVENT_LABELS = {
    "licence.revoke": gettext_lazy("Revoked"),
    "licence.replace": gettext_lazy("Replaced by a new copy"),
    "licence.change": gettext_lazy("Superseded by a change"),
}


@staff_required
@require_GET
def licence_registry_page(request):
    """The registry of licences the user may see; the expiring filter lists valid ones, soonest first."""
    today = timezone.localdate()
    form = RegistryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    licences = licence_registry(
        request.user,
        type_id=filters["type"].pk if filters.get("type") else None,
        holder=filters.get("holder") or "",
        status=filters.get("status") or "",
        expiring_within=filters.get("expiring_within"),
        today=today,
    )
    page = CappedPaginator(licences, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "licence": licence,
            "masked_id": mask_id_number(licence.holder_id_number),
            "is_expired": licence.valid_until is not None and licence.valid_until < today,
        }
        for licence in page
    ]
    return TemplateResponse(request, "licences/registry.html", {"form": form, "page": page, "rows": rows})


def _licence_or_404(user: User, pk: int):
    licence = licence_get_for_user(user, pk)
    if licence is None:
        raise Http404
    # A supervisor's view of the holder's identity is logged like the case page's (cases.data_views).
    personal_data_view_record(viewer=user, cases=[licence.case], what="licence")
    return licence


def _render_detail(request, licence, *, bound: dict | None = None, error: str = "", status: int = 200):
    bound = bound or {}
    forms = [
        {"move": move, "label": label, "form": bound.get(move) or form_class(prefix=move), "is_open": move in bound}
        for move, (form_class, label, _done) in MOVES.items()
        if licence.status in LICENCE_MOVES[move]
    ]
    events = [
        {"event": event, "label": EVENT_LABELS.get(event.action, event.action)}
        for event in audit_events_for(licence).select_related("actor").order_by("sequence")
    ]
    context = {
        "licence": licence,
        "verdict": licence_verdict(licence, timezone.localdate()),
        "verify_path": verification_path(licence),
        "moves": forms,
        "events": events,
        "error": error,
        "successor": Licence.objects.filter(replaces=licence).only("pk", "number").first(),
    }
    return TemplateResponse(request, "licences/detail.html", context, status=status)


@staff_required
@require_GET
def licence_detail(request, pk: int):
    return _render_detail(request, _licence_or_404(request.user, pk))


@staff_required
@require_POST
def licence_move(request, pk: int, move: str):
    """One move of the licence page, through its one service."""
    licence = _licence_or_404(request.user, pk)
    if move not in MOVES:
        raise Http404
    form_class, _label, done = MOVES[move]
    form = form_class(request.POST, prefix=move)
    if not form.is_valid():
        return _render_detail(request, licence, bound={move: form}, status=422)
    data = form.cleaned_data
    try:
        if move == "revoke":
            result = services.licence_revoke(actor=request.user, licence=licence, reason=data["reason"])
        elif move == "replace":
            result = services.licence_replace(actor=request.user, licence=licence, reason=data["reason"])
        else:
            result = services.licence_change(
                actor=request.user,
                licence=licence,
                reason=data["reason"],
                holder_name=data["holder_name"],
                scope=data["scope"],
                valid_until=data["valid_until"],
            )
    except DomainError as error:
        return _render_detail(request, licence, bound={move: form}, error=str(error.message), status=error.status)
    messages.success(request, done)
    return redirect("licences:detail", result.pk)


@staff_required
@require_GET
def licence_pdf(request, pk: int):
    licence = _licence_or_404(request.user, pk)
    response = HttpResponse(render_licence(licence), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{licence.number}.pdf")
    return response


def licences_case_box(user: User, case: Case) -> tuple[str, dict] | None:
    """The licences of the case on the staff case page (none before the certificate is issued): one query."""
    if case.certificate_issued_at is None:
        return None
    licences = licences_of_case(user, case.pk)
    if not licences:
        return None
    return "licences/case_box.html", {"licences": licences, "title": _("Licences")}
