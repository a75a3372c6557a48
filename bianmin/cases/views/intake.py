"""Window intake: the desk of the person receiving, choosing the item, the intake form, the identity check."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bianmin.accounts.models import User
from bianmin.catalog.models import CaseType, ServiceItem
from bianmin.catalog.selectors import catalog_search
from bianmin.core.errors import DomainError
from bianmin.org.permissions import staff_required

from .. import forms as case_forms
from .. import services
from ..desk import IntakeDesk, intake_desk, open_cases_at
from ..idnumbers import validate_id_number
from ..models import (
    Channel,
)
from ..selectors import case_get_for_user

# --- Window intake ---------------------------------------------------------------------------------------------


def may_take_intake(user: User) -> bool:
    """Whether the intake page serves ``user`` (a desk of their own): the workbench's menu offers it to them only."""
    return intake_desk(user) is not None


def _item_chooser(request, desk: IntakeDesk, *, status: int = 200):
    query = request.GET.get("q", "")
    versions = catalog_search(query=query, level=desk.site.level)[:60]
    context = {"desk": desk, "query": query, "versions": versions}
    template = "cases/staff/_item_choices.html" if request.htmx else "cases/staff/intake_choose.html"
    return TemplateResponse(request, template, context, status=status)


def _intake_from(form: case_forms.IntakeForm, rows: list, item: ServiceItem, desk: IntakeDesk) -> services.Intake:
    data = form.cleaned_data
    return services.Intake(
        item=item,
        applicant=services.Applicant(
            name=data["applicant_name"],
            id_type=data["id_type"],
            id_number=data["id_number"],
            phone=data["phone"],
            address=data["address"],
        ),
        channel=Channel.AGENCY if desk.is_agency else Channel.WINDOW,
        receiving_site=desk.site,
        materials=[row.material_check() for row in rows if row.is_recorded],
        details=data["details"],
        relay_site=desk.site if desk.is_agency else None,
        agency_authorisation=data.get("agency_authorisation", ""),
        delivery=data["delivery"],
        duplicate_reason=data.get("duplicate_reason", ""),
    )


def _open_case_rows(user: User, open_cases: list) -> list[dict]:
    """The applicant's open cases as the intake desk shows them: where and since when, and a link where the clerk
    may open the case (another town's case is shown, not opened: the applicant is in front of the clerk)."""
    return [{"case": case, "is_visible": case_get_for_user(user, case.pk) is not None} for case in open_cases]


def _render_intake(
    request, desk: IntakeDesk, item: ServiceItem, form, rows, *, status: int = 200, open_cases: list | None = None
):
    if status != 200 and not open_cases:
        form.focus_first_error(rows)
    if open_cases:
        form.fields["duplicate_reason"].widget.attrs["autofocus"] = True
        form.fields["applicant_name"].widget.attrs.pop("autofocus", None)
    context = {
        "open_cases": _open_case_rows(request.user, open_cases or []),
        "desk": desk,
        "item": item,
        "version": item.current_version,
        "form": form,
        "rows": rows,
        "rows_have_errors": any(row.errors for row in rows),
        "is_immediate": item.current_version.case_type == CaseType.IMMEDIATE,
    }
    return TemplateResponse(request, "cases/staff/intake.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def case_intake(request):
    """Window intake: choose the item, then one keyboard-friendly form; nothing is saved unless all of it is right."""
    desk = intake_desk(request.user)
    if desk is None:
        return TemplateResponse(request, "cases/staff/intake_unavailable.html", status=403)
    code = request.GET.get("item", "").strip().upper()
    if not code:
        return _item_chooser(request, desk)
    item = ServiceItem.objects.select_related("current_version", "department").filter(code=code).first()
    if item is None or not item.is_public:
        messages.error(request, _("There is no published item with the code %(code)s.") % {"code": code})
        return _item_chooser(request, desk, status=404)
    requirements = list(item.current_version.materials.all())
    if request.method != "POST":
        return _render_intake(
            request, desk, item, case_forms.IntakeForm(is_agency=desk.is_agency), case_forms.material_rows(requirements)
        )
    form = case_forms.IntakeForm(request.POST, is_agency=desk.is_agency)
    rows = case_forms.material_rows(requirements, request.POST, request.FILES)
    if request.POST.get("link_to"):
        return _link_to_open_case(request, desk, item, form, rows)
    if not all([form.is_valid(), *(row.is_valid() for row in rows)]):
        return _render_intake(request, desk, item, form, rows, status=400)
    intake = _intake_from(form, rows, item, desk)
    try:
        if request.POST.get("handle_now"):
            case = services.case_handle_immediately(actor=request.user, intake=intake)
        else:
            case = services.case_submit(actor=request.user, intake=intake)
    except services.DuplicateApplication as error:
        return _render_intake(request, desk, item, form, rows, status=error.status, open_cases=error.open_cases)
    except DomainError as error:
        form.add_error(None, str(error.message))
        return _render_intake(request, desk, item, form, rows, status=error.status)
    messages.success(request, _("Case %(number)s was registered.") % {"number": case.tracking_number})
    return _after_post(request, case)


def _after_post(request, case):
    """Post/redirect/get: a successful POST always answers with a redirect, so the address bar leaves the intake
    URL and reloading the page cannot register the application again."""
    if case_get_for_user(request.user, case.pk) is None:
        return redirect(
            "cases:queue"
        )  # received for a higher level (or handled elsewhere) that this site does not follow
    return redirect("cases:detail", pk=case.pk)


def _link_to_open_case(request, desk: IntakeDesk, item: ServiceItem, form, rows):
    """The clerk found that the applicant's open case is the same application: nothing new is registered, the
    open case records the visit here, and the clerk continues with it (or sends the applicant where it is)."""
    channel = Channel.AGENCY if desk.is_agency else Channel.WINDOW
    open_cases = open_cases_at(desk, item, request.POST.get("id_number", ""))
    case = next((case for case in open_cases if str(case.pk) == request.POST["link_to"]), None)
    if case is None:
        form.is_valid()
        form.add_error(None, _("That case is no longer open for this applicant and item."))
        return _render_intake(request, desk, item, form, rows, status=409)
    try:
        services.case_link_application(actor=request.user, case=case, site=desk.site, channel=channel)
    except DomainError as error:
        form.is_valid()
        form.add_error(None, str(error.message))
        return _render_intake(request, desk, item, form, rows, status=error.status)
    messages.success(
        request,
        _("Nothing new was registered: the application continues as case %(number)s at %(site)s.")
        % {"number": case.tracking_number, "site": case.current_site.name},
    )
    return _after_post(request, case)


@staff_required
@require_GET
def intake_check_id(request):
    """The inline check of the document number while the clerk types the rest (htmx, on leaving the field); with
    the item, it also says at once when the applicant has an open case of it elsewhere (禁止两头受理), before the
    materials are checked."""
    id_type = request.GET.get("id_type", "resident_id")
    number = request.GET.get("id_number", "")
    problems = validate_id_number(id_type, number) if number.strip() else []
    open_cases = []
    desk = intake_desk(request.user)
    code = request.GET.get("item", "").strip().upper()
    if number.strip() and not problems and desk is not None and code:
        item = ServiceItem.objects.select_related("current_version").filter(code=code).first()
        if item is not None and item.is_public:
            open_cases = open_cases_at(desk, item, number)
    context = {"problems": problems, "number": number, "open_cases": open_cases}
    return TemplateResponse(request, "cases/staff/_id_check.html", context)
