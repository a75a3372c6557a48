"""The public's side of complaints: complain (on the portal, or at a kiosk with the same form), follow the
complaint with its number and query code, read the reply, rate the handling.

Nobody logs in. The number and the query code (8 random digits, shown once after submitting and sent by SMS) open
the complaint for 2 hours in this browser's session; a wrong number and a wrong code get the same answer, and
attempts are limited per session and per address (the cases' tracking limits). The complainant's own data is shown
masked, as everywhere the public can look. Every page here is marked ``@personal_data``: never stored by a cache.
"""

from __future__ import annotations

import time

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from bianmin.core.cache import count_within
from bianmin.core.errors import DomainError
from bianmin.core.middleware import personal_data

from .forms import ComplaintForm, RatingForm, TrackForm
from .models import Channel, Complaint
from .selectors import complaint_for_complainant, identity_masked
from .services import complaint_rate, complaint_receive

VERIFIED_SESSION_KEY = "tracked_complaints"
VERIFIED_SECONDS = 2 * 60 * 60
ATTEMPTS = 10  # lookups per session and per address …
WINDOW_SECONDS = 10 * 60  # … in this many seconds
COMPLAINTS_PER_ADDRESS = 10  # complaints one address may send in an hour (a kiosk's included)
NO_MATCH = gettext_lazy("No matching complaint was found. Check the number and the query code, and try again.")


def _remember(session, complaint: Complaint) -> None:
    verified = {key: until for key, until in session.get(VERIFIED_SESSION_KEY, {}).items() if until > time.time()}
    verified[str(complaint.pk)] = time.time() + VERIFIED_SECONDS
    session[VERIFIED_SESSION_KEY] = verified


def _session_complaint(request, number: str) -> Complaint | None:
    now = time.time()
    verified = request.session.get(VERIFIED_SESSION_KEY, {})
    ids = frozenset(int(pk) for pk, until in verified.items() if until > now and pk.isdigit())
    return complaint_for_complainant(number, verified=ids)


def _attempt_allowed(request) -> bool:
    if request.session.session_key is None:
        request.session.save()
    counts = [
        count_within(f"complaint-track:session:{request.session.session_key}", WINDOW_SECONDS),
        count_within(f"complaint-track:address:{request.META.get('REMOTE_ADDR', 'unknown')}", WINDOW_SECONDS),
    ]
    return max(counts) <= ATTEMPTS


def _sending_allowed(request) -> bool:
    address = request.META.get("REMOTE_ADDR", "unknown")
    return count_within(f"complaint-send:address:{address}", 60 * 60) <= COMPLAINTS_PER_ADDRESS


def _complaint_form(request, channel: str):
    form = ComplaintForm(request.POST or None)
    error = ""
    if request.method == "POST" and not _sending_allowed(request):
        context = {
            "form": form,
            "error": _("Too many complaints were sent from here. Please try again in an hour, or call us."),
            "is_kiosk": channel == Channel.KIOSK,
        }
        return TemplateResponse(request, "complaints/public/new.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaint_receive(actor=None, channel=channel, data=form.complaint_in())
        except DomainError as exc:
            error = str(exc.message)
        else:
            _remember(request.session, complaint)
            return redirect("complaints_public:submitted", number=complaint.number)
    context = {"form": form, "error": error, "is_kiosk": channel == Channel.KIOSK}
    return TemplateResponse(
        request, "complaints/public/new.html", context, status=400 if request.method == "POST" else 200
    )


@personal_data
@require_http_methods(["GET", "POST"])
def complaint_form(request):
    """Complain or ask on the portal (works on a phone)."""
    return _complaint_form(request, Channel.PORTAL)


@personal_data
@require_http_methods(["GET", "POST"])
def complaint_form_kiosk(request):
    """The same form on the hall's kiosk."""
    return _complaint_form(request, Channel.KIOSK)


@personal_data
def complaint_submitted(request, number: str):
    """The number and query code, once, in the session that submitted the complaint."""
    complaint = _session_complaint(request, number)
    if complaint is None:
        return redirect("complaints_public:track")
    return TemplateResponse(
        request, "complaints/public/submitted.html", {"complaint": complaint, "masked": identity_masked(complaint)}
    )


@personal_data
@require_http_methods(["GET", "POST"])
def track(request):
    """Find a complaint by its number and query code."""
    form = TrackForm(request.POST or None)
    context = {"form": form, "error": ""}
    if request.method != "POST":
        return TemplateResponse(request, "complaints/public/track.html", context)
    if not _attempt_allowed(request):
        context["error"] = _("Too many attempts. For your safety, please wait 10 minutes and try again.")
        return TemplateResponse(request, "complaints/public/track.html", context, status=429)
    complaint = None
    if form.is_valid():
        complaint = complaint_for_complainant(form.cleaned_data["number"], form.cleaned_data["query_code"])
    if complaint is None:
        context["error"] = NO_MATCH
        return TemplateResponse(request, "complaints/public/track.html", context)
    _remember(request.session, complaint)
    return redirect("complaints_public:track_complaint", number=complaint.number)


def _render(request, complaint: Complaint, *, form: RatingForm | None = None, error: str = "", status: int = 200):
    may_rate = complaint.state in (Complaint.State.FINISHED, Complaint.State.CALLED_BACK)
    context = {
        "complaint": complaint,
        "masked": identity_masked(complaint),
        "rating_form": form or (RatingForm() if may_rate else None),
        "error": error,
    }
    return TemplateResponse(request, "complaints/public/complaint.html", context, status=status)


@personal_data
def track_complaint(request, number: str):
    """The complaint as the complainant sees it: its state, deadline, the reply, and the rating form."""
    complaint = _session_complaint(request, number)
    if complaint is None:
        return redirect("complaints_public:track")
    return _render(request, complaint)


@personal_data
@require_POST
def track_rate(request, number: str):
    """评价: the complainant rates the handling, once."""
    complaint = _session_complaint(request, number)
    if complaint is None:
        return redirect("complaints_public:track")
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _render(request, complaint, form=form, status=400)
    try:
        complaint_rate(complaint=complaint, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
    except DomainError as exc:
        complaint.refresh_from_db()
        return _render(request, complaint, error=str(exc.message), status=exc.status)
    return redirect("complaints_public:track_complaint", number=complaint.number)
