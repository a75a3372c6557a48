"""The applicant's side of a case: apply online (with a draft), track the case, download its notices, withdraw.

Nobody logs in for this. An applicant proves a mobile number by SMS code to apply; to track a case they give
its tracking number and either its query code (查询码: 8 random digits on the receipt and in the intake SMS) or
the last 6 characters of the identity document together with a code sent to the case's phone. What they proved
is kept in their session (the phone for 2 hours, each verified case for 2 hours); every page of a case checks
the session, so a notice cannot be downloaded from another browser. A wrong number and a wrong code get the
same answer, and attempts are limited per session and per address (in the shared cache). Every page here is
marked ``@personal_data``: never stored by a cache.
"""

from __future__ import annotations

import contextlib
import time

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bianmin.accounts.phone import (
    PhoneCodeError,
    is_mobile,
    phone_code_request,
    phone_verify,
    session_verified_phone,
)
from bianmin.catalog.models import ServiceItemVersion
from bianmin.catalog.selectors import guide_version
from bianmin.core.cache import count_within
from bianmin.core.errors import DomainError
from bianmin.core.masking import mask_address, mask_applicant, mask_id_number, mask_name, mask_phone
from bianmin.core.middleware import personal_data
from bianmin.core.workdays import workdays_between

from .models import Case, Channel, DeliveryChoice, Notice, Status
from .public_forms import (
    ApplicationDraft,
    ApplicationForm,
    PhoneCodeForm,
    PhoneForm,
    TrackByCodeForm,
    TrackByPhoneForm,
    WithdrawForm,
    default_receiving_site,
)
from .selectors import case_for_applicant, case_for_phone_check
from .services import Applicant, Intake, case_apply_online, case_withdraw
from .timeline import case_milestones

TRACKED_SESSION_KEY = "tracked_cases"
TRACKED_SECONDS = 2 * 60 * 60
TRACK_ATTEMPTS = 10  # lookups per session and per address …
TRACK_WINDOW_SECONDS = 10 * 60  # … in this many seconds
SMS_PER_ADDRESS = 10  # codes one address may have sent in an hour, to any numbers
NO_MATCH = gettext_lazy(
    "No matching case was found. Check the tracking number and the other details you entered, and try again."
)


# --- Throttling and what the session has proved --------------------------------------------------------------


def _client_address(request) -> str:
    # Behind a reverse proxy the deployment must make REMOTE_ADDR the client's address, or all visitors share a count.
    return request.META.get("REMOTE_ADDR", "unknown")


def _track_attempt_allowed(request) -> bool:
    """Count one lookup for this session and this address; False once either passed the limit."""
    if request.session.session_key is None:
        request.session.save()
    counts = [
        count_within(f"track-attempts:session:{request.session.session_key}", TRACK_WINDOW_SECONDS),
        count_within(f"track-attempts:address:{_client_address(request)}", TRACK_WINDOW_SECONDS),
    ]
    return max(counts) <= TRACK_ATTEMPTS


def _remember_case(session, case: Case) -> None:
    tracked = {key: until for key, until in session.get(TRACKED_SESSION_KEY, {}).items() if until > time.time()}
    tracked[str(case.pk)] = time.time() + TRACKED_SECONDS
    session[TRACKED_SESSION_KEY] = tracked


def _session_case(request, tracking_number: str) -> Case | None:
    """The case with this number when this session verified it in the last 2 hours; otherwise None."""
    now = time.time()
    tracked = request.session.get(TRACKED_SESSION_KEY, {})
    verified = {int(pk) for pk, until in tracked.items() if until > now and pk.isdigit()}
    return case_for_applicant(tracking_number, verified=verified)


# --- Applying online --------------------------------------------------------------------------------------------


def _online_version(code: str) -> ServiceItemVersion:
    version = guide_version(code)
    if version is None or not version.online_application:
        raise Http404
    return version


def _applicant_phone(request) -> str | None:
    """The phone the application is made with: a logged-in account's phone, or the one the session proved."""
    user = request.user
    if user.is_authenticated and user.phone:
        return user.phone
    return session_verified_phone(request.session)


@personal_data
def application_phone(request, code: str):
    """Step 1 of applying online: prove a mobile number with an SMS code."""
    version = _online_version(code)
    code_form = None
    if request.method == "POST" and "code" in request.POST:
        code_form = PhoneCodeForm(request.POST)
        if code_form.is_valid():
            try:
                phone_verify(
                    request.session,
                    phone=code_form.cleaned_data["phone"],
                    code=code_form.cleaned_data["code"],
                    purpose="apply",
                )
            except PhoneCodeError as error:
                code_form.add_error("code", error.message)
            else:
                return redirect("cases_public:apply", code=version.item.code)
        phone_form = PhoneForm(initial={"phone": request.POST.get("phone", "")})
    elif request.method == "POST":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            code_form = _send_code(request, phone_form)
    else:
        phone_form = PhoneForm()
    return TemplateResponse(
        request,
        "cases/public/apply_phone.html",
        {
            "version": version,
            "item": version.item,
            "phone_form": phone_form,
            "code_form": code_form,
        },
    )


def _send_code(request, phone_form: PhoneForm) -> PhoneCodeForm | None:
    """Send the code; the code form to show next, or None with the error on the phone form."""
    phone = phone_form.cleaned_data["phone"]
    if count_within(f"sms-sent:address:{_client_address(request)}", 3600) > SMS_PER_ADDRESS:
        phone_form.add_error(None, _("Too many codes were asked for from this connection. Please try again later."))
        return None
    try:
        phone_code_request(phone=phone, purpose="apply")
    except PhoneCodeError as error:
        if error.code != "phone_resend_too_soon":
            phone_form.add_error("phone", error.message)
            return None
        messages.warning(request, error.message)  # the previous code is still good
    else:
        messages.info(
            request,
            _("We sent a 6-digit code to %(phone)s. It is valid for 10 minutes.") % {"phone": mask_phone(phone)},
        )
    return PhoneCodeForm(initial={"phone": phone})


@personal_data
def application_form(request, code: str):
    """Step 2: the application itself. "Save draft" keeps everything (files too) for later in this browser;
    "Submit" saves the draft first, so a mistake never loses an upload, then registers the case."""
    version = _online_version(code)
    phone = _applicant_phone(request)
    if phone is None:
        return redirect("cases_public:apply_phone", code=version.item.code)
    draft = ApplicationDraft(request.session, version.item.code, phone)
    if request.method != "POST":
        initial = draft.initial()
        site = default_receiving_site(version)
        initial.setdefault("receiving_site", site.pk if site else None)
        form = ApplicationForm(initial=initial, version=version, draft=draft, strict=False)
        return _application_page(request, version, form, draft, phone)
    form = ApplicationForm(request.POST, request.FILES, version=version, draft=draft, strict=False)
    if not form.is_valid():
        return _application_page(request, version, form, draft, phone)
    draft.update(form)
    if request.POST.get("action") != "submit":
        messages.success(
            request,
            _(
                "Your draft is saved. You can come back to this page in this browser and "
                "continue; your uploaded files are kept."
            ),
        )
        return redirect("cases_public:apply", code=version.item.code)
    form = ApplicationForm(request.POST, version=version, draft=draft, strict=True)
    if form.is_valid():
        try:
            case = _submit(request, version, form, draft, phone)
        except DomainError as error:  # an open case is refused without naming it (case_apply_online)
            form.add_error(None, error.message)
        else:
            draft.discard()
            _remember_case(request.session, case)
            return redirect("cases_public:submitted", tracking_number=case.tracking_number)
    return _application_page(request, version, form, draft, phone)


def _application_page(request, version, form, draft, phone):
    return TemplateResponse(
        request,
        "cases/public/apply.html",
        {
            "version": version,
            "item": version.item,
            "form": form,
            "draft": draft,
            "masked_phone": mask_phone(phone),
            "phone_from_account": request.user.is_authenticated and bool(request.user.phone),
        },
    )


def _submit(request, version, form: ApplicationForm, draft: ApplicationDraft, phone: str) -> Case:
    data = form.cleaned_data
    applicant = Applicant(
        name=data["name"], id_type=data["id_type"], id_number=data["id_number"], phone=phone, address=data["address"]
    )
    with contextlib.ExitStack() as stack:
        intake = Intake(
            item=version.item,
            applicant=applicant,
            channel=Channel.ONLINE,
            receiving_site=data["receiving_site"],
            details=data["details"],
            materials=draft.material_checks(form.requirements, stack),
            delivery=data["delivery"] or DeliveryChoice.WHERE_APPLIED,
        )
        actor = request.user if request.user.is_authenticated else None
        return case_apply_online(actor=actor, intake=intake)


@personal_data
def application_submitted(request, tracking_number: str):
    """The tracking number, and what happens next (ALL art. 32: acceptance or one supplement notice)."""
    case = _session_case(request, tracking_number)
    if case is None:
        return redirect("cases_public:track")
    return TemplateResponse(
        request,
        "cases/public/submitted.html",
        {
            "case": case,
            "masked": _masked(case),
            "sms_queued": case.applicant_phone and _has_message(case, "submitted"),
        },
    )


def _has_message(case: Case, event: str) -> bool:
    from bianmin.core.models import OutboundMessage

    return OutboundMessage.objects.filter(
        object_type=case._meta.label_lower, object_id=str(case.pk), event=event
    ).exists()


def _masked(case: Case) -> dict:
    return {
        "name": mask_applicant(case.applicant_name, case.applicant_id_type),
        "id_number": mask_id_number(case.applicant_id_number),
        "phone": mask_phone(case.applicant_phone),
        "address": mask_address(case.applicant_address),
        "recipient": mask_name(case.recipient_name) if case.recipient_name else "",
    }


# --- Tracking ----------------------------------------------------------------------------------------------------


def _track_forms(request, method: str) -> tuple[TrackByCodeForm, TrackByPhoneForm]:
    """Both ways of finding a case; the one used is bound. The receipt's QR code opens the page with
    ``?number=`` so the tracking number is already filled in."""
    data = request.POST if request.method == "POST" else None
    initial = {"tracking_number": request.GET.get("number", "")[:32]}
    by_code = TrackByCodeForm(data if method == "code" else None, initial=initial, auto_id="track-code-%s")
    by_phone = TrackByPhoneForm(data if method == "sms" else None, initial=initial, auto_id="track-sms-%s")
    return by_code, by_phone


@personal_data
def track(request):
    """Find a case: tracking number + query code, or tracking number + ID tail + a code sent to the case's phone."""
    method = request.POST.get("method", "")
    by_code, by_phone = _track_forms(request, method)
    context = {"by_code": by_code, "by_phone": by_phone, "method": method or "code", "code_sent": False}
    if request.method != "POST" or method not in ("code", "sms"):
        return TemplateResponse(request, "cases/public/track.html", context)
    if not _track_attempt_allowed(request):
        context["error"] = _("Too many attempts. For your safety, please wait 10 minutes and try again.")
        return TemplateResponse(request, "cases/public/track.html", context, status=429)
    form = by_code if method == "code" else by_phone
    if not form.is_valid():
        context["error"] = NO_MATCH
        return TemplateResponse(request, "cases/public/track.html", context)
    data = form.cleaned_data
    if method == "code":
        case = case_for_applicant(data["tracking_number"], data["query_code"])
    elif request.POST.get("action") == "send":
        _send_tracking_code(data["tracking_number"], data["id_tail"])
        context["code_sent"] = True
        by_phone.fields["code"].widget.attrs["autofocus"] = True
        return TemplateResponse(request, "cases/public/track.html", context)
    else:
        case = _case_by_phone_code(request, data["tracking_number"], data["id_tail"], data["code"])
    if case is None:
        context["error"] = NO_MATCH
        return TemplateResponse(request, "cases/public/track.html", context)
    _remember_case(request.session, case)
    return redirect("cases_public:track_case", tracking_number=case.tracking_number)


def _send_tracking_code(tracking_number: str, id_tail: str) -> None:
    """Send a code to the case's mobile when the number and the ID tail match. The page says the same whether
    they match, whether its phone is a landline and whether a code went out a minute ago: no way to enumerate
    cases."""
    case = case_for_phone_check(tracking_number, id_tail)
    if case is None or not is_mobile(case.applicant_phone):
        return
    with contextlib.suppress(PhoneCodeError):
        phone_code_request(phone=case.applicant_phone, purpose=f"track:{case.pk}")


def _case_by_phone_code(request, tracking_number: str, id_tail: str, code: str) -> Case | None:
    """The case when the ID tail matches AND the code sent to its phone is right: two factors, neither enough."""
    case = case_for_phone_check(tracking_number, id_tail)
    if case is None or not code or not is_mobile(case.applicant_phone):
        return None
    try:
        phone_verify(request.session, phone=case.applicant_phone, code=code, purpose=f"track:{case.pk}")
    except PhoneCodeError:
        return None
    return case


@require_POST
def track_forget(request):
    """End tracking on this device (a shared or public computer): the session forgets every verified case."""
    request.session.pop(TRACKED_SESSION_KEY, None)
    messages.info(request, _("This browser no longer shows your cases."))
    return redirect("cases_public:track")


# What the applicant is told for each status, in one sentence.
NEXT_STEP = {
    Status.RECEIVED: gettext_lazy(
        "The office checks your materials. By the date below it accepts your application "
        "or tells you, all at once, what is missing."
    ),
    Status.SUPPLEMENT_REQUESTED: gettext_lazy(
        "Please bring or send everything listed below, all at once. The office then checks your application again."
    ),
    Status.ACCEPTED: gettext_lazy("Your application is under review. It will be decided by the promised date."),
    Status.SUSPENDED: gettext_lazy(
        "Your case is paused for a special procedure. That time is not counted in the time limit."
    ),
    Status.APPROVED: gettext_lazy("Your application was approved. You will get an SMS when the result is ready."),
    Status.DENIED: gettext_lazy("Your application was denied. The decision notice states the reasons and your rights."),
    Status.REFUSED: gettext_lazy("Your application was not accepted. The notice states the reasons and your rights."),
    Status.WITHDRAWN: gettext_lazy("You withdrew this application."),
    Status.CLOSED: gettext_lazy("This case is closed."),
}


def _days_left(due) -> int | None:
    if due is None:
        return None
    try:
        return workdays_between(timezone.localdate(), due)
    except DomainError:  # a date beyond the calendar: show the date alone
        return None


def applicant_deadlines(case: Case) -> list[dict]:
    """The dates the law and the promise set for this case, with working days left while they run."""
    rows = []
    if case.status == Status.RECEIVED and case.acceptance_due:
        rows.append((_("Accepted, or told what is missing, by"), case.acceptance_due, True))
    if case.accepted_on:
        rows.append((_("Promised deadline"), case.promised_due, case.is_open))
        rows.append((_("Statutory deadline"), case.statutory_due, case.is_open))
    if case.status == Status.APPROVED and case.certificate_due and not case.certificate_issued_at:
        rows.append((_("Certificate issued by"), case.certificate_due, True))
    result = []
    for label, due, running in rows:
        left = _days_left(due) if running else None
        result.append(
            {
                "label": label,
                "date": due,
                "days_left": left if left is None or left >= 0 else None,
                "days_overdue": -left if left is not None and left < 0 else None,
            }
        )
    return result


def supplement_problems(case: Case) -> list[dict]:
    """The open supplement notice's list (ALL art. 32: one notice with everything missing or wrong)."""
    if case.status != Status.SUPPLEMENT_REQUESTED:
        return []
    notice = case.notices.filter(kind=Notice.Kind.SUPPLEMENT).order_by("-issued_at", "-pk").first()
    return notice.content.get("problems", []) if notice else []


@personal_data
def track_case(request, tracking_number: str):
    case = _session_case(request, tracking_number)
    if case is None:
        return redirect("cases_public:track")
    return TemplateResponse(
        request,
        "cases/public/case.html",
        {
            "case": case,
            "masked": _masked(case),
            "next_step": NEXT_STEP.get(case.status, ""),
            "missing": supplement_problems(case),
            "deadlines": applicant_deadlines(case),
            "timeline": case_milestones(case),
            "notices": case.notices.all(),
            "open_suspension": case.suspensions.filter(ended_on__isnull=True).first(),
            "withdraw_form": WithdrawForm() if case.is_open else None,
        },
    )


@personal_data
def track_notice(request, tracking_number: str, notice_id: int):
    """A notice of the case as PDF, only in the session that verified the case."""
    case = _session_case(request, tracking_number)
    notice = case.notices.filter(pk=notice_id).first() if case else None
    if notice is None:
        raise Http404
    from bianmin.cases.notices import render_notice

    response = HttpResponse(
        render_notice(notice, base_url=request.build_absolute_uri("/")), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{notice.number}.pdf"'
    return response


@require_POST
def track_withdraw(request, tracking_number: str):
    """The applicant withdraws: logged in as the case's account, or (without an account) verified in this
    session, in which case the service is called as the system with the applicant's reason on record."""
    case = _session_case(request, tracking_number)
    if case is None:
        return redirect("cases_public:track")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you withdraw the application."))
        return redirect("cases_public:track_case", tracking_number=case.tracking_number)
    is_account = request.user.is_authenticated and case.applicant_user_id == request.user.pk
    try:
        case_withdraw(actor=request.user if is_account else None, case=case, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("cases_public:track_case", tracking_number=case.tracking_number)


def session_case(request, tracking_number: str) -> Case | None:
    """The case with this number when this session verified it on the tracking page (for the pages of the apps
    above cases, e.g. the applicant's rating page); otherwise None."""
    return _session_case(request, tracking_number)
