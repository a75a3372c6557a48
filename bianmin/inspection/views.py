"""The inspection's pages: the home (rounds, the inspector's sites, a site's own results and items), a round with
its moves and the ranking, a site's result, the phone's scoring form and its sync endpoint, photos, rectifying.

Thin: every change is a service; refusals are shown as messages (pages) or as ``{"code", "message"}`` (sync)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from bianmin.core.errors import DomainError
from bianmin.core.errors import PermissionDenied as PermissionDenied_
from bianmin.core.uploads import file_response
from bianmin.org.selectors import user_scope

from . import selectors, services
from .access import is_county_administrator, may_rectify, may_score, uses_inspection
from .forms import AssignForm, RoundForm
from .models import RoundState
from .services.rounds import ROUND_MOVES
from .services.scoring import ScoreInvalid


def _user_of_inspection(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not uses_inspection(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@cache_control(no_cache=True)
def service_worker(request):
    """The scoring page's service worker (no personal data: code only, for everyone). Served from here, not from
    /static/, so that its scope is the inspection's pages."""
    return TemplateResponse(request, "inspection/service_worker.js", content_type="text/javascript; charset=utf-8")


@_user_of_inspection
def home(request):
    return TemplateResponse(
        request,
        "inspection/home.html",
        {
            "rounds": selectors.rounds_visible_to(request.user).order_by("-inspection_end", "-pk")[:20],
            "assignments": selectors.my_assignments(request.user),
            "results": selectors.own_results(request.user),
            "rectifications": selectors.own_rectifications(request.user),
            "round_form": RoundForm() if is_county_administrator(request.user) else None,
            # An inspector holding no role works at no site: no "results of my sites" for them.
            "works_at_sites": request.user.is_superuser or bool(user_scope(request.user).roles),
        },
    )


def _round(request, round_id: int):
    round_ = selectors.round_get_for_user(request.user, round_id)
    if round_ is None:
        raise Http404
    return round_


@require_POST
@_user_of_inspection
def round_new(request):
    """A county administrator starts a round of a year, with the plan's phases."""
    if not is_county_administrator(request.user):
        raise PermissionDenied
    form = RoundForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return HttpResponseRedirect(reverse("inspection:home"))
    round_ = services.round_create(actor=request.user, **form.cleaned_data)
    messages.success(request, _("The round has been created; assign the sites to the inspector groups."))
    return HttpResponseRedirect(reverse("inspection:round", args=[round_.pk]))


@require_POST
@_user_of_inspection
def round_assign(request, round_id: int):
    """A county administrator assigns sites of a tier to an inspector group, on the sheet of a level."""
    round_ = _round(request, round_id)
    if not is_county_administrator(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST, round_=round_)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return HttpResponseRedirect(reverse("inspection:round", args=[round_.pk]))
    data = form.cleaned_data
    try:
        for site in data["sites"]:
            services.round_assign(
                actor=request.user, round_=round_, site=site, group=data["group"], level=data["level"]
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The sites have been assigned."))
    return HttpResponseRedirect(reverse("inspection:round", args=[round_.pk]))


@_user_of_inspection
def round_detail(request, round_id: int):
    """A round: its phases, its state and moves, the sites assigned, and once closed the ranking."""
    round_ = _round(request, round_id)
    may_move = is_county_administrator(request.user)
    ranked = selectors.ranking(round_) if round_.state in selectors.RESULT_STATES else None
    sites = round_.sites.select_related("site", "group", "sheet").order_by("site__path")
    return TemplateResponse(
        request,
        "inspection/round.html",
        {
            "round": round_,
            "moves": [move for move, starts in ROUND_MOVES.items() if round_.state in starts] if may_move else [],
            "ranking": ranked,
            "sites": sites,
            "assign_form": AssignForm(round_=round_)
            if may_move and round_.state in (RoundState.DRAFT, RoundState.OPEN)
            else None,
            "scorable": {rs.site_id for rs in sites if may_score(request.user, rs)}
            if round_.state == RoundState.OPEN
            else set(),
        },
    )


@require_POST
@_user_of_inspection
def round_move(request, round_id: int, move: str):
    round_ = _round(request, round_id)
    if move not in ROUND_MOVES:
        raise Http404
    try:
        services.round_move(actor=request.user, round_=round_, move=move)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("The round has been moved on."))
    return HttpResponseRedirect(reverse("inspection:round", args=[round_.pk]))


def _round_site(request, round_id: int, site_id: int):
    round_site = selectors.round_site_get_for_user(request.user, round_id, site_id)
    if round_site is None:
        raise Http404
    return round_site


@_user_of_inspection
def site_result(request, round_id: int, site_id: int):
    """A site's result: the total, every indicator with its score, note, position, time and photos."""
    round_site = _round_site(request, round_id, site_id)
    return TemplateResponse(
        request,
        "inspection/site.html",
        {
            "round_site": round_site,
            "lines": selectors.sheet_lines(round_site),
            "is_closed": round_site.round.state in selectors.RESULT_STATES,
            "rectifications": round_site.rectifications.select_related("indicator").order_by("indicator__order"),
            "may_rectify": may_rectify(request.user, round_site.site),
            "may_score": may_score(request.user, round_site) and round_site.round.state == RoundState.OPEN,
        },
    )


def _scoring_site(request, round_id: int, site_id: int):
    round_site = _round_site(request, round_id, site_id)
    if not may_score(request.user, round_site):
        raise PermissionDenied
    return round_site


@_user_of_inspection
def score_form(request, round_id: int, site_id: int):
    """The phone's form: every indicator of the site's sheet, saved to the device and sent when online
    (static/js/inspection.js)."""
    round_site = _scoring_site(request, round_id, site_id)
    return TemplateResponse(
        request,
        "inspection/score.html",
        {
            "round_site": round_site,
            "lines": selectors.sheet_lines(round_site, with_rechecks=True),
            "is_open": round_site.round.state == RoundState.OPEN,
        },
    )


def _refusal(error: DomainError) -> JsonResponse:
    return JsonResponse({"code": error.code, "message": str(error.message)}, status=error.status)


def _score_input(data) -> services.ScoreInput:
    def decimal_or_none(name: str) -> Decimal | None:
        value = (data.get(name) or "").strip()
        return Decimal(value) if value else None

    try:
        taken_at = parse_datetime(data.get("taken_at") or "")
        accuracy = decimal_or_none("accuracy")
        score = services.ScoreInput(
            client_id=uuid.UUID(data.get("client_id") or ""),
            indicator_id=int(data.get("indicator") or ""),
            points=Decimal(data.get("points") or ""),
            taken_at=taken_at,
            note=data.get("note") or "",
            latitude=decimal_or_none("latitude"),
            longitude=decimal_or_none("longitude"),
            accuracy=int(accuracy) if accuracy is not None else None,
        )
    except (ValueError, InvalidOperation, TypeError):
        score = None
    if score is None or taken_at is None or taken_at.tzinfo is None or not score.points.is_finite():
        raise ScoreInvalid(_("The score is incomplete or not valid."))
    if abs(taken_at - timezone.now()) > datetime.timedelta(days=60):
        raise ScoreInvalid(_("The device's time is not plausible; set its clock."))
    return score


@require_POST
@_user_of_inspection
def score_sync(request, round_id: int, site_id: int):
    """One queued score from the phone (multipart: the fields and its photos). 201 when stored, 200 when the same id
    had been received before (nothing changes)."""
    round_site = selectors.round_site_get_for_user(request.user, round_id, site_id)
    if round_site is None:
        return JsonResponse({"code": "not_found", "message": _("Not found.")}, status=404)
    if not may_score(request.user, round_site):
        # Asked before the input is read, so that a refusal never depends on what was sent.
        return _refusal(PermissionDenied_(_("Only an inspector of the group assigned to the site scores it.")))
    try:
        score = _score_input(request.POST)
        entry, created = services.score_sync(
            actor=request.user, round_site=round_site, score=score, photos=request.FILES.getlist("photos")
        )
    except DomainError as error:
        return _refusal(error)
    return JsonResponse(
        {"client_id": str(entry.client_id), "id": entry.pk, "created": created},
        status=201 if created else 200,
    )


@_user_of_inspection
def photo(request, pk: int):
    found = selectors.photo_get_for_user(request.user, pk)
    if found is None:
        raise Http404
    return file_response(found.file, download_name=found.original_name or "photo")


@require_POST
@_user_of_inspection
def rectify(request, pk: int):
    item = selectors.rectification_get_for_user(request.user, pk)
    if item is None:
        raise Http404
    try:
        services.rectification_rectify(
            actor=request.user,
            item=item,
            account=request.POST.get("account", ""),
            evidence=request.FILES.get("evidence"),
        )
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("The rectification has been recorded; the next round re-checks it."))
    round_site = item.round_site
    return HttpResponseRedirect(reverse("inspection:site", args=[round_site.round_id, round_site.site_id]))
