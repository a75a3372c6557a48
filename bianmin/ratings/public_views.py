"""The applicant's rating pages: the online page (reached from the tracking page, the receipt's or delivery record's
link and QR code, or the text message) and the tablet at a window.

The rater is the applicant, verified as the tracking page verifies (the session's verified cases: tracking number
plus query code, or plus the ID tail and an SMS code); an unverified visitor is sent to the tracking page first. At
a window the clerk's "ask for a rating" puts the case on that window's tablet (``TabletPrompt``), which the tablet
page polls; only the applicant's touch there rates it. Anyone signed in with a staff role is refused by the service.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bianmin.cases.public_views import session_case
from bianmin.core.errors import DomainError
from bianmin.core.masking import mask_name
from bianmin.core.middleware import personal_data

from .forms import FixRatingForm, RatingForm
from .models import Channel, TabletPrompt
from .selectors import fix_to_rate, rating_of, tablet_prompt_current
from .services import is_staff_person, rating_submit, rectification_rate_fix
from .tablet import window_from_key


def _channel(request) -> str:
    return Channel.SMS if request.GET.get("via") == "sms" or request.POST.get("via") == "sms" else Channel.ONLINE


def _to_tracking(tracking_number: str):
    return redirect(f"{reverse('cases_public:track')}?number={tracking_number[:32]}")


@personal_data
def rate(request, tracking_number: str):
    """一事一评: the applicant rates their case online, once per channel; then, once a bad review has been put
    right, rates the fix."""
    case = session_case(request, tracking_number)
    if case is None:
        return _to_tracking(tracking_number)
    channel = _channel(request)
    existing = rating_of(case, channel)
    form = RatingForm(request.POST if request.method == "POST" else None, channel=channel)
    error, status = "", 200
    if request.method == "POST" and existing is None:
        if form.is_valid():
            try:
                rating_submit(
                    actor=request.user,
                    case=case,
                    channel=channel,
                    level=form.cleaned_data["level"],
                    indicators=form.indicators(),
                    tags=form.cleaned_data["tags"],
                    comment=form.cleaned_data["comment"],
                    is_named=form.cleaned_data["is_named"],
                )
            except DomainError as exc:
                error, status = str(exc.message), exc.status
            else:
                messages.success(request, _("Thank you for your rating."))
                return redirect(request.get_full_path())
        else:
            status = 400
    context = {
        "case": case,
        "masked_name": mask_name(case.applicant_name),
        "channel": channel,
        "existing": existing,
        "form": form,
        "fix": fix_to_rate(case),
        "fix_form": FixRatingForm(),
        "error": error,
        "is_staff": is_staff_person(request.user),
    }
    return TemplateResponse(request, "ratings/public/rate.html", context, status=status)


@require_POST
def rate_fix(request, tracking_number: str):
    """整改满意: the applicant rates how their bad review was put right."""
    case = session_case(request, tracking_number)
    if case is None:
        return _to_tracking(tracking_number)
    fix = fix_to_rate(case)
    form = FixRatingForm(request.POST)
    if fix is not None and form.is_valid():
        try:
            rectification_rate_fix(actor=request.user, rectification=fix, level=form.cleaned_data["level"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you for your rating."))
    else:
        messages.error(request, _("Choose how satisfied you are."))
    return redirect("ratings_public:rate", tracking_number=case.tracking_number)


# --- The tablet at a window ---------------------------------------------------------------------------------------


def _tablet_context(key: str, window, prompt: TabletPrompt | None, **extra) -> dict:
    return {
        "key": key,
        "window": window,
        "prompt": prompt,
        "masked_name": mask_name(prompt.case.applicant_name) if prompt else "",
        "form": RatingForm(channel=Channel.WINDOW) if prompt else None,
        "poll_seconds": settings.RATINGS_TABLET_POLL_SECONDS,
        **extra,
    }


@require_GET
@personal_data
def tablet(request, key: str):
    """The page the tablet facing the applicant shows all day: idle until the window's clerk asks for a rating."""
    window = window_from_key(key)
    return TemplateResponse(request, "ratings/public/tablet.html", _tablet_context(key, window, None))


@require_GET
@personal_data
def tablet_now(request, key: str):
    """What the tablet shows now (htmx, every few seconds while idle): idle, or the case to rate."""
    window = window_from_key(key)
    prompt = tablet_prompt_current(window, timezone.now())
    return TemplateResponse(request, "ratings/public/_tablet_now.html", _tablet_context(key, window, prompt))


@require_POST
@personal_data
def tablet_submit(request, key: str):
    """The applicant's touch on the tablet: the rating of the prompted case; then thanks, and back to idle."""
    window = window_from_key(key)
    raw = request.POST.get("prompt", "")
    prompt = None
    if raw.isdigit() and len(raw) < 19:
        prompt = TabletPrompt.objects.select_related("case").filter(window=window, pk=int(raw)).first()
    if prompt is None:
        return TemplateResponse(request, "ratings/public/_tablet_now.html", _tablet_context(key, window, None))
    form = RatingForm(request.POST, channel=Channel.WINDOW)
    if not form.is_valid():
        context = _tablet_context(key, window, prompt)
        context["form"] = form
        return TemplateResponse(request, "ratings/public/_tablet_now.html", context, status=400)
    try:
        rating_submit(
            actor=request.user,
            case=prompt.case,
            channel=Channel.WINDOW,
            level=form.cleaned_data["level"],
            indicators=form.indicators(),
            tags=form.cleaned_data["tags"],
            comment=form.cleaned_data["comment"],
            is_named=form.cleaned_data["is_named"],
            prompt=prompt,
        )
    except DomainError as exc:
        context = _tablet_context(key, window, None, error=exc.message)
        return TemplateResponse(request, "ratings/public/_tablet_now.html", context, status=exc.status)
    return TemplateResponse(request, "ratings/public/_tablet_now.html", _tablet_context(key, window, None, thanks=True))
