"""The case operations over the REST API: the staff's cases, each one's timeline, and every move of its life.

Each write endpoint calls exactly one function of ``cases/services/`` (the same ones the workbench calls),
inside one transaction with its Idempotency-Key bookkeeping (``bianmin.core.idempotency``), and answers
with the case as it now is (plus the notice or extension the move created). Reads go through
``cases/selectors.py``: a case outside the caller's scope is 404, never 403, so ids reveal nothing.

Who calls it: staff, authenticated by their session (the pages' scripts send the CSRF token, ``X-CSRFToken``,
with every write), and outside systems with a system token (``Authorization: Bearer``, no CSRF), acting as their
service account within the token's scopes (``bianmin/api_tokens.py``). Because the callers are staff handling
the case (or systems acting as staff), the applicant's identity document number and phone are returned unmasked,
as on the workbench; applicants never reach this API (their scope is empty: every case is 404).

Everything the case page offers is here: the moves, the notices (list, content and full text, the PDF the page
prints), the suspensions in the detail, the immediate item (``handle_now`` at intake), a material's scan (a
multipart upload checked as the intake form's, and its authorised download; no URL serves stored files).

Every input is validated before a service runs: unknown fields, wrong types, out-of-range numbers,
unknown choices and text with control characters are 422 ``invalid_input``; unknown item, site, material
or fee references are 422 with their own codes; what the law forbids comes back from the services with
their codes (409 ``transition_not_allowed``, 403 ``permission_denied``, 400 ``reasons_required`` …); a file
that is not a PDF, JPEG or PNG by its bytes, or too large, is 400 ``upload_refused``.

The endpoints are here (their operation ids name this module); the schemas are in inputs and outputs, and
_common holds the router and reading a case back.
"""

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Query, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from bianmin.catalog.models import ServiceItem
from bianmin.core.api_contract import Id, responses
from bianmin.core.audit import audit_events_for
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.core.uploads import file_response
from bianmin.org.models import Site
from bianmin.org.selectors import user_scope

from .. import services
from ..access import scope_keys, status_counts
from ..clock import RUNNING_STATUSES, today_ordinal
from ..data_views import personal_data_view_record
from ..models import Case, Extension, Notice, ReviewTask
from ..models import Status as CaseStatus
from ..selectors import annotate_days_left, case_access_for, cases_in_work_queue
from . import work  # noqa: F401  (first: its /ledger, /inquiries … before /{case_id})
from ._common import UnknownReference, _as_detail, _case_with_details, _detail, _visible_case, router
from .inputs import (
    ApprovalIn,
    CaseFilters,
    CasePagination,
    CertificateIn,
    DecisionIn,
    DeliveryIn,
    ExtensionIn,
    FeeIn,
    IntakeIn,
    MaterialIn,
    NoInput,
    ReadyIn,
    RefusalIn,
    RowsOfCases,
    SupplementIn,
    SupplementReceivedIn,
    SuspensionIn,
    TaskCompletionIn,
    WaiverIn,
    WithdrawalIn,
)
from .outputs import (
    CASE_LIST_FIELDS,
    CaseDetail,
    CaseListItem,
    ExtensionOut,
    ExtensionResult,
    NoticeDetail,
    NoticeOut,
    NoticeResult,
    TimelineEventOut,
)

# --- Reading -------------------------------------------------------------------------------------------------


def _filtered(rows, filters: CaseFilters, today):
    """The workbench's filters on the access rows (the clock's columns are copied there)."""
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.overdue is not None:
        overdue = Q(status=CaseStatus.ACCEPTED, sort_due__lt=today)
        rows = rows.filter(overdue) if filters.overdue else rows.exclude(overdue)
    if filters.colour == "red":
        rows = rows.filter(status__in=RUNNING_STATUSES, sort_due__lt=today)
    elif filters.colour == "yellow":
        rows = rows.filter(
            status__in=RUNNING_STATUSES, sort_due__gte=today, yellow_ordinal__lte=today_ordinal(today) or 0
        )
    if filters.site:
        rows = rows.filter(Q(case__receiving_site__code=filters.site) | Q(case__relay_site__code=filters.site))
    case_filters = {
        "case__item__code": filters.item,
        "case__channel": filters.channel,
        "case__department__code": filters.department,
        "case__received_on__gte": filters.received_from,
        "case__received_on__lte": filters.received_until,
    }
    return rows.filter(**{name: value for name, value in case_filters.items() if value})


@router.get("", response=responses(list[CaseListItem]), summary="The caller's cases, newest first")
@paginate(CasePagination)
def list_cases(request, filters: Query[CaseFilters]):
    """Cases in the caller's scope (their sites, their department's work), filtered as on the workbench: a
    group of the work queue, status, item, channel, overdue, the clock's colour, department, site and the period
    received. ``days_left`` counts working days in SQL: the page is one query whatever its length. A
    supervisor's reading is logged in the personal-data view log, as on the case page."""
    today = timezone.localdate()
    rows = cases_in_work_queue(request.auth, filters.group) if filters.group else case_access_for(request.auth)
    rows = _filtered(rows, filters, today)
    cases = annotate_days_left(
        Case.objects.select_related("item", "version", "department", "receiving_site", "current_site").only(
            *CASE_LIST_FIELDS
        ),
        today,
    )
    keys = scope_keys(user_scope(request.auth))
    count = None
    if len(keys) == 1 and filters.counted():
        totals = status_counts(keys)
        count = totals.get(filters.status, 0) if filters.status else sum(totals.values())
    return RowsOfCases(rows.order_by("-received_at", "-case_id"), cases, count)


@router.get("/{case_id}", response=responses(CaseDetail, not_found=True), summary="One case")
def get_case(request, case_id: Id):
    """The case with its applicant (unmasked: the caller is staff), sites, deadlines and clock, materials,
    review tasks, notices, extensions, and the moves the caller may make now."""
    case = _case_with_details(request.auth, case_id)
    if case is None:
        raise Http404
    personal_data_view_record(viewer=request.auth, cases=[case], what="api")
    return _as_detail(request, case)


@router.get(
    "/{case_id}/timeline",
    response=responses(list[TimelineEventOut], not_found=True),
    summary="What happened to the case: its audit events, oldest first",
)
def get_timeline(request, case_id: Id):
    """The events carry the applicant's data as recorded, so a supervisor's reading is logged as on the case
    page."""
    case = _visible_case(request, case_id)
    personal_data_view_record(viewer=request.auth, cases=[case], what="api")
    return list(audit_events_for(case).only("sequence", "occurred_at", "actor_label", "action", "payload"))


@router.get(
    "/{case_id}/notices",
    response=responses(list[NoticeOut], not_found=True),
    summary="The case's notices, oldest first, each with its PDF link",
)
def list_notices(request, case_id: Id):
    """One case's notices (a handful: receipt, acceptance, decision …), so the list needs no pages."""
    case = _visible_case(request, case_id)
    return list(case.notices.only("id", "case_id", "kind", "number", "issued_at"))


def _notice(request, case_id: int, notice_id: int) -> Notice:
    case = _visible_case(request, case_id)
    notice = case.notices.filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    notice.case = case
    personal_data_view_record(viewer=request.auth, cases=[case], what="notice")
    return notice


@router.get(
    "/{case_id}/notices/{notice_id}",
    response=responses(NoticeDetail, not_found=True),
    summary="One notice: what it says, its reasons and appeal rights, its full text",
)
def get_notice(request, case_id: Id, notice_id: Id):
    """The text is what the PDF says (the same wording, from what the notice stored when issued), so a program
    can show or print it itself; ``pdf_url`` gives the printable document. Logged as a view of the applicant's
    personal data, as the case page's PDF is."""
    return _notice(request, case_id, notice_id)


@router.get(
    "/{case_id}/notices/{notice_id}/pdf",
    response=responses(None, not_found=True),
    summary="The notice as a PDF (the one the case page prints)",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def notice_pdf(request, case_id: Id, notice_id: Id):
    from ..notices import render_notice  # ReportLab and the font load only when a PDF is asked for

    notice = _notice(request, case_id, notice_id)
    response = HttpResponse(
        render_notice(notice, base_url=request.build_absolute_uri("/")), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(False, f"{notice.number}.pdf")
    return response


@router.get(
    "/{case_id}/materials/{material_id}/file",
    response=responses(None, not_found=True),
    summary="A material's scan (only for those who see the case; never a public address)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The scan, typed from its bytes (PDF, JPEG or PNG)",
                "content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
            }
        }
    },
)
def material_file(request, case_id: Id, material_id: Id):
    """As the case page's download: typed from its bytes, under the name it was uploaded with; a supervisor's
    reading is logged. A material without a scan is 404."""
    case = _visible_case(request, case_id)
    material = case.materials.exclude(file="").filter(pk=material_id).first()
    if material is None:
        raise Http404
    personal_data_view_record(viewer=request.auth, cases=[case], what="material")
    return file_response(material.file, download_name=material.file_name or material.name)


# --- Writing -------------------------------------------------------------------------------------------------


def _write(path: str, *, summary: str, response: type[Schema] = CaseDetail, status: int = 200):
    """A POST endpoint: idempotent, documented with its Idempotency-Key header and error answers."""

    def register(view):
        return router.post(
            path,
            response=responses(response, status=status, not_found="{case_id}" in path, write=True),
            summary=summary,
            openapi_extra={"parameters": [OPENAPI_PARAMETER]},
        )(idempotent(view))

    return register


def _site(code: str | None, field: str) -> Site | None:
    if code is None:
        return None
    site = Site.objects.filter(code=code, is_active=True).first()
    if site is None:
        raise UnknownReference(
            _("There is no site with the code “%(code)s”.") % {"code": code}, code=f"unknown_{field}"
        )
    return site


def _material_checks(materials: list[MaterialIn], version) -> list[services.MaterialCheck]:
    """The checklist, with each requirement's name filled in; a requirement of another item is refused."""
    requirements = {requirement.pk: requirement for requirement in version.materials.all()} if version else {}
    checks = []
    for material in materials:
        requirement = requirements.get(material.requirement_id)
        if material.requirement_id is not None and requirement is None:
            raise UnknownReference(
                _("Material %(id)d is not a material of this item.") % {"id": material.requirement_id},
                code="unknown_material",
            )
        checks.append(
            services.MaterialCheck(
                name=material.name.strip() or requirement.name,
                requirement_id=material.requirement_id,
                state=material.state,
                original_seen=material.original_seen,
                copy_kept=material.copy_kept,
                problem=material.problem,
            )
        )
    return checks


def _intake(payload: IntakeIn) -> services.Intake:
    item = ServiceItem.objects.select_related("current_version").filter(code=payload.item).first()
    if item is None:
        raise UnknownReference(
            _("There is no item with the code “%(code)s”.") % {"code": payload.item}, code="unknown_item"
        )
    applicant = payload.applicant
    return services.Intake(
        item=item,
        applicant=services.Applicant(
            name=applicant.name,
            id_type=applicant.id_type,
            id_number=applicant.id_number,
            phone=applicant.phone,
            address=applicant.address,
        ),
        channel=payload.channel,
        receiving_site=_site(payload.receiving_site, "site"),
        materials=_material_checks(payload.materials, item.current_version),
        details=payload.details,
        relay_site=_site(payload.relay_site, "relay_site"),
        agency_authorisation=payload.agency_authorisation,
        delivery=payload.delivery,
        duplicate_reason=payload.duplicate_reason,
    )


def _task(case: Case, task_id: int) -> ReviewTask:
    task = case.tasks.select_related("case").filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


def _extension(case: Case, extension_id: int) -> Extension:
    extension = case.extensions.select_related("case").filter(pk=extension_id).first()
    if extension is None:
        raise Http404
    return extension


# Both parts are validated already; constructing the pair skips validating the case detail a second time.
def _with_notice(request, notice: Notice) -> NoticeResult:
    return NoticeResult.model_construct(notice=NoticeOut.model_validate(notice), case=_detail(request, notice.case_id))


def _with_extension(request, extension: Extension) -> ExtensionResult:
    return ExtensionResult.model_construct(
        extension=ExtensionOut.model_validate(extension), case=_detail(request, extension.case_id)
    )


@_write("", summary="Receive an application at a window or through an agent", status=201)
def create_case(request, payload: IntakeIn):
    """Plan 二(四), ALL art. 29–32: the case gets its tracking number and the 5-working-day acceptance window
    starts. ``materials`` is the checklist: each material seen, kept, missing or defective (with the problem).

    ``handle_now`` is the intake page's "handle now" for an immediate item (即办件, ALL art. 37): received,
    accepted, its steps agreed, approved, certified and handed over at the window in one visit (with a fee it
    stops before delivery: collect it, then deliver). Only for an item whose case type is immediate (400
    ``not_immediate``) and with every material provided (400 ``materials_incomplete``)."""
    intake = _intake(payload)
    if payload.handle_now:
        case = services.case_handle_immediately(actor=request.auth, intake=intake)
    else:
        case = services.case_submit(actor=request.auth, intake=intake)
    return Status(201, _detail(request, case.pk))


@_write("/{case_id}/materials/{material_id}/scans", summary="Add the scan of a material (multipart upload)")
def upload_scan(request, case_id: Id, material_id: Id, file: File[UploadedFile]):
    """The scan a window's intake or supplement form attaches, for a material already on the case: PDF, JPEG or
    PNG recognised from its bytes (a renamed file is refused), at most the upload limit (400 ``upload_refused``),
    pictures re-encoded. A second scan replaces the first; the material's history and the case's timeline
    record it. Download it from ``/materials/{material_id}/file``."""
    services.case_attach_scan(
        actor=request.auth, case=_visible_case(request, case_id), material_id=material_id, upload=file
    )
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/supplement", summary="Issue the one-time supplement notice", response=NoticeResult)
def request_supplement(request, case_id: Id, payload: SupplementIn):
    """ALL art. 32: one notice listing every missing or defective material; a second needs ``repeat_reason``."""
    notice = services.case_request_supplement(
        actor=request.auth,
        case=_visible_case(request, case_id),
        problems=[(problem.material, problem.problem) for problem in payload.problems],
        repeat_reason=payload.repeat_reason,
    )
    return Status(200, _with_notice(request, notice))


@_write("/{case_id}/supplement-received", summary="Record the supplementary materials")
def receive_supplement(request, case_id: Id, payload: SupplementReceivedIn):
    case = _visible_case(request, case_id)
    materials = _material_checks(payload.materials, case.version)
    services.case_receive_supplement(actor=request.auth, case=case, materials=materials)
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/materials/{material_id}/waiver", summary="Record why a missing material is not needed")
def waive_material(request, case_id: Id, material_id: Id, payload: WaiverIn):
    """ALL art. 32: acceptance waits for every material missing or defective, unless the clerk records why it is
    not needed for this case; the material's history keeps the reason, who and when."""
    services.case_waive_material(
        actor=request.auth, case=_visible_case(request, case_id), material_id=material_id, reason=payload.reason
    )
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/accept", summary="Accept the application (the clock starts)")
def accept_case(request, case_id: Id, payload: NoInput | None = None):
    services.case_accept(actor=request.auth, case=_visible_case(request, case_id))
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/refuse", summary="Refuse to accept, in writing", response=NoticeResult)
def refuse_case(request, case_id: Id, payload: RefusalIn):
    notice = services.case_refuse(
        actor=request.auth,
        case=_visible_case(request, case_id),
        reasons=payload.reasons,
        competent_organ=payload.competent_organ,
    )
    return Status(200, _with_notice(request, notice))


@_write("/{case_id}/tasks/{task_id}/complete", summary="Finish a review step")
def complete_task(request, case_id: Id, task_id: Id, payload: TaskCompletionIn):
    task = _task(_visible_case(request, case_id), task_id)
    services.case_complete_task(actor=request.auth, task=task, outcome=payload.outcome, comment=payload.comment)
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/suspend", summary="Suspend the clocks for a special procedure")
def suspend_case(request, case_id: Id, payload: SuspensionIn):
    services.case_suspend(
        actor=request.auth,
        case=_visible_case(request, case_id),
        kind=payload.kind,
        reason=payload.reason,
        expected_days=payload.expected_days,
    )
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/resume", summary="End the special procedure")
def resume_case(request, case_id: Id, payload: NoInput | None = None):
    services.case_resume(actor=request.auth, case=_visible_case(request, case_id))
    return Status(200, _detail(request, case_id))


@_write(
    "/{case_id}/extensions",
    summary="Ask the department head for more working days",
    response=ExtensionResult,
    status=201,
)
def request_extension(request, case_id: Id, payload: ExtensionIn):
    extension = services.case_request_extension(
        actor=request.auth, case=_visible_case(request, case_id), days=payload.days, reason=payload.reason
    )
    return Status(201, _with_extension(request, extension))


@_write(
    "/{case_id}/extensions/{extension_id}/decision", summary="Approve or reject an extension", response=ExtensionResult
)
def decide_extension(request, case_id: Id, extension_id: Id, payload: ApprovalIn):
    extension = _extension(_visible_case(request, case_id), extension_id)
    extension = services.case_decide_extension(actor=request.auth, extension=extension, approve=payload.approve)
    return Status(200, _with_extension(request, extension))


@_write("/{case_id}/decision", summary="Approve or deny the application", response=NoticeResult)
def decide_case(request, case_id: Id, payload: DecisionIn):
    notice = services.case_decide(
        actor=request.auth, case=_visible_case(request, case_id), approve=payload.approve, reasons=payload.reasons
    )
    return Status(200, _with_notice(request, notice))


@_write("/{case_id}/certificate", summary="Issue the licence: numbered, valid within the item's rule, signed")
def issue_certificate(request, case_id: Id, payload: CertificateIn | None = None):
    terms = payload.dict() if payload is not None else {}
    services.case_issue_certificate(actor=request.auth, case=_visible_case(request, case_id), **terms)
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/fee", summary="Collect the published fee, with a receipt", response=NoticeResult)
def collect_fee(request, case_id: Id, payload: FeeIn):
    notice = services.case_collect_fee(
        actor=request.auth,
        case=_visible_case(request, case_id),
        fee_rule_ids=payload.fee_rule_ids,
        amount=payload.amount,
    )
    return Status(200, _with_notice(request, notice))


@_write("/{case_id}/ready", summary="Mark the result ready; for another site's counter it is sent there")
def mark_ready(request, case_id: Id, payload: ReadyIn | None = None):
    method = payload.method if payload is not None else None
    services.case_mark_ready(actor=request.auth, case=_visible_case(request, case_id), method=method)
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/result-arrival", summary="Record that the result arrived at the site that hands it over")
def receive_result(request, case_id: Id, payload: NoInput | None = None):
    services.case_receive_result(actor=request.auth, case=_visible_case(request, case_id))
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/delivery", summary="Hand over the result and close the case")
def deliver_case(request, case_id: Id, payload: DeliveryIn):
    services.case_deliver(
        actor=request.auth,
        case=_visible_case(request, case_id),
        method=payload.method,
        recipient_name=payload.recipient_name,
        recipient_id_number=payload.recipient_id_number,
        post_tracking_number=payload.post_tracking_number,
        note=payload.note,
    )
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/delivery/signature", summary="Record that the recipient signed the delivery receipt")
def record_signature(request, case_id: Id, payload: NoInput | None = None):
    services.case_record_signature(actor=request.auth, case=_visible_case(request, case_id))
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/withdrawal", summary="Record the applicant's withdrawal")
def withdraw_case(request, case_id: Id, payload: WithdrawalIn):
    services.case_withdraw(actor=request.auth, case=_visible_case(request, case_id), reason=payload.reason)
    return Status(200, _detail(request, case_id))
