"""The staff's other work on the case pages, over the API: the queue's counts, the first-inquiry log (首问负责制:
list, log, answer, hand over), the site ledger (服务台帐, read with the page's filters and as the page's workbook),
and the intake desk's checks (the document number and the applicant's open cases of the item; linking the
application to such a case instead of registering it twice, 禁止两头受理).

Each operation asks what the page asks: the workbench's pages are for people holding a role (``staff_required``),
so is this (403 ``permission_denied`` for anyone else); reads go through the pages' selectors, writes through
their services (``inquiries.inquiry_*``, ``services.case_link_application``). Registered on the cases router
before its ``/{case_id}`` routes (``__init__`` imports this module first), so ``/cases/ledger`` is never read as
a case id.
"""

import datetime

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from bianmin.accounts.models import User
from bianmin.catalog.models import ServiceItem
from bianmin.core.api_contract import BoundedPagination, Day, ErrorOut, Id, choice, responses
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.core.masking import mask_id_number
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.org.models import Department
from bianmin.org.selectors import sites_visible_to, user_scope

from .. import inquiries, services
from ..data_views import personal_data_view_record
from ..desk import intake_desk, open_cases_at
from ..idnumbers import validate_id_number
from ..ledger import ledger_cases, ledger_workbook
from ..models import Case, IdType, Inquiry
from ..selectors import case_get_for_user, queue_counts
from ._common import UnknownReference, router
from .inputs import Code, DocumentNumber, Input, Name, ShortText, plain_text
from .outputs import STATUS_LABELS

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff_read(ok, **options) -> dict:
    """A read's answers, with the 403 of the workbench's door."""
    return {**responses(ok, **options), 403: ErrorOut}


def _require_staff(user: User) -> None:
    """The workbench's door (``org.permissions.staff_required``): a role, or a superuser."""
    if not (user.is_superuser or user_scope(user).roles):
        raise PermissionDenied(_("This is for staff members holding a role."))


# --- The queue's counts --------------------------------------------------------------------------------------


class QueueCountsOut(Schema):
    """How many cases wait in each group of the caller's queue ("my work"), and the open inquiries they own."""

    all: int
    acceptance: int
    supplement: int
    steps: int
    extensions: int
    suspended: int
    results: int
    incoming: int
    handover: int
    inquiries: int


@router.get("/queue-counts", response=_staff_read(QueueCountsOut, has_input=False), summary="The queue's counts")
def get_queue_counts(request):
    """The workbench home page's card: the same ``selectors.queue_counts`` (read from the counters where it can)."""
    _require_staff(request.auth)
    return queue_counts(request.auth)


# --- The first-inquiry log -----------------------------------------------------------------------------------


class HandoverOut(Schema):
    who: str
    who_name: str
    when: datetime.datetime
    to_user: str | None
    to_user_name: str
    to_department: str | None
    to_department_name: str
    note: str


class InquiryOut(Schema):
    id: int
    asked_by: str
    contact: str
    question: str
    site_code: str
    logged_by: str
    logged_at: datetime.datetime
    owner: str | None = Field(description="The owner's username; null while a department owns it.")
    owner_department: str | None = Field(description="The code of the department it was handed to, if any.")
    state: choice(Inquiry.State)
    answer: str
    answered_at: datetime.datetime | None
    handovers: list[HandoverOut]

    @staticmethod
    def resolve_site_code(inquiry: Inquiry) -> str:
        return inquiry.site.code

    @staticmethod
    def resolve_logged_by(inquiry: Inquiry) -> str:
        return inquiry.logged_by.get_username()

    @staticmethod
    def resolve_owner(inquiry: Inquiry) -> str | None:
        return inquiry.owner.get_username() if inquiry.owner_id else None

    @staticmethod
    def resolve_owner_department(inquiry: Inquiry) -> str | None:
        return inquiry.owner_department.code if inquiry.owner_department_id else None


class InquiryFilters(Schema):
    state: choice(Inquiry.State) = Inquiry.State.OPEN


class InquiryLogIn(Input):
    asked_by: plain_text(100, min_length=1)
    contact: plain_text(100) = ""
    question: plain_text(2000, min_length=1)


class InquiryAnswerIn(Input):
    answer: plain_text(2000, min_length=1)


class InquiryHandoverIn(Input):
    to_user: Name | None = Field(None, description="The colleague's username (one the caller may hand over to).")
    to_department: Code | None = Field(None, description="The code of the department that takes it over.")
    note: ShortText = ""


def _inquiry(request, inquiry_id: int) -> Inquiry:
    _require_staff(request.auth)
    inquiry = inquiries.inquiry_get_for_handler(request.auth, inquiry_id)
    if inquiry is None:
        raise Http404  # somebody else's inquiry
    return inquiry


def _inquiry_out(inquiry_id: int) -> InquiryOut:
    inquiry = Inquiry.objects.select_related("site", "logged_by", "owner", "owner_department").get(pk=inquiry_id)
    return InquiryOut.model_validate(inquiry)


def _write(path: str, *, summary: str, response=InquiryOut, status: int = 200, not_found: bool = False):
    def register(view):
        return router.post(
            path,
            response=responses(response, status=status, not_found=not_found, write=True),
            summary=summary,
            openapi_extra={"parameters": [OPENAPI_PARAMETER]},
        )(idempotent(view))

    return register


@router.get(
    "/inquiries",
    response=_staff_read(list[InquiryOut]),
    summary="The open inquiries the caller owns (oldest first), or those they answered",
)
@paginate(BoundedPagination)
def list_inquiries(request, filters: Query[InquiryFilters]):
    """首问负责制, the inquiry log page's two lists: ``open`` (the default), those the caller must answer (named as
    owner, or handed to one of their departments), oldest first; ``answered``, those they logged or answered, the
    latest answer first."""
    _require_staff(request.auth)
    if filters.state == Inquiry.State.ANSWERED:
        return inquiries.inquiries_answered_by(request.auth)
    return inquiries.inquiries_owned_by(request.auth).select_related("owner")


@_write("/inquiries", summary="Log an inquiry: the caller owns it until answered or handed over", status=201)
def log_inquiry(request, payload: InquiryLogIn):
    """At the caller's site (their first site-based role's, else the county centre), as the page logs it."""
    _require_staff(request.auth)
    inquiry = inquiries.inquiry_log(
        actor=request.auth,
        site=inquiries.inquiry_site_for(request.auth),
        asked_by=payload.asked_by,
        contact=payload.contact,
        question=payload.question,
    )
    return Status(201, _inquiry_out(inquiry.pk))


@_write("/inquiries/{inquiry_id}/answer", summary="Answer an inquiry the caller owns; it is closed", not_found=True)
def answer_inquiry(request, inquiry_id: Id, payload: InquiryAnswerIn):
    """An answered inquiry is 400 ``inquiry_closed``; another person's inquiry is 404."""
    inquiry = inquiries.inquiry_answer(actor=request.auth, inquiry=_inquiry(request, inquiry_id), answer=payload.answer)
    return Status(200, _inquiry_out(inquiry.pk))


@_write(
    "/inquiries/{inquiry_id}/handover",
    summary="Hand an inquiry over, on record, to a colleague and/or a department",
    not_found=True,
)
def hand_over_inquiry(request, inquiry_id: Id, payload: InquiryHandoverIn):
    """The colleague must be one the page offers (staff in the caller's scope, not a supervisor): otherwise 422
    ``unknown_user``; an unknown department is 422 ``unknown_department``; neither named is 400
    ``handover_target_missing``."""
    inquiry = _inquiry(request, inquiry_id)
    to_user = to_department = None
    if payload.to_user is not None:
        to_user = inquiries.handover_candidates(request.auth).filter(username=payload.to_user).first()
        if to_user is None:
            raise UnknownReference(
                _("“%(name)s” is not a colleague you can hand the inquiry over to.") % {"name": payload.to_user},
                code="unknown_user",
            )
    if payload.to_department is not None:
        to_department = Department.objects.filter(code=payload.to_department, is_active=True).first()
        if to_department is None:
            raise UnknownReference(
                _("There is no department with the code “%(code)s”.") % {"code": payload.to_department},
                code="unknown_department",
            )
    inquiry = inquiries.inquiry_handover(
        actor=request.auth, inquiry=inquiry, to_user=to_user, to_department=to_department, note=payload.note
    )
    return Status(200, _inquiry_out(inquiry.pk))


# --- The site ledger -----------------------------------------------------------------------------------------


class LedgerFilters(Schema):
    site: Code | None = Field(None, description="One of the caller's sites by code; all of them when left out.")
    start: Day | None = Field(None, alias="from", description="First day received; the month's first.")
    end: Day | None = Field(None, alias="to", description="Last day received (included); today.")


class LedgerRowOut(Schema):
    """A ledger row: the page's and the workbook's columns (the document number masked, as there)."""

    case_id: int
    tracking_number: str | None
    received_at: datetime.datetime | None
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    item_code: str
    item_name: str
    department_name: str
    channel: str
    receiving_site_code: str
    relay_site_code: str | None
    status: str
    status_label: str
    accepted_on: datetime.date | None
    promised_due: datetime.date | None
    closed_at: datetime.datetime | None
    decided_on_time: bool | None = Field(description="Decided by the promised deadline; null while undecided.")
    certificate_number: str

    @staticmethod
    def resolve_case_id(case: Case) -> int:
        return case.pk

    @staticmethod
    def resolve_applicant_id_number(case: Case) -> str:
        return mask_id_number(case.applicant_id_number)

    @staticmethod
    def resolve_item_code(case: Case) -> str:
        return case.item.code

    @staticmethod
    def resolve_item_name(case: Case) -> str:
        return case.version.name

    @staticmethod
    def resolve_department_name(case: Case) -> str:
        return case.department.name

    @staticmethod
    def resolve_receiving_site_code(case: Case) -> str:
        return case.receiving_site.code

    @staticmethod
    def resolve_relay_site_code(case: Case) -> str | None:
        return case.relay_site.code if case.relay_site_id else None

    @staticmethod
    def resolve_status_label(case: Case) -> str:
        return str(STATUS_LABELS.get(case.status, case.status))

    @staticmethod
    def resolve_decided_on_time(case: Case) -> bool | None:
        if case.decided_at is None or case.promised_due is None:
            return None
        return timezone.localdate(case.decided_at) <= case.promised_due


def _ledger(request, filters: LedgerFilters):
    """The page's selection: the caller's sites (or the one named), received from ``from`` to ``to``."""
    _require_staff(request.auth)
    sites = list(sites_visible_to(request.auth).order_by("path"))
    if filters.site is not None:
        sites = [site for site in sites if site.code == filters.site]
        if not sites:
            raise UnknownReference(
                _("There is no site with the code “%(code)s”.") % {"code": filters.site}, code="unknown_site"
            )
    today = timezone.localdate()
    start, end = filters.start or today.replace(day=1), filters.end or today
    if start > end:
        raise DomainError(_("The end of the period is before its start."), code="invalid_period")
    cases = ledger_cases(request.auth, sites=sites, start=start, end=end)
    return sites, start, end, cases


class LedgerPagination(BoundedPagination):
    """The page's rows, logged as a view of the applicants' personal data (a supervisor's reading), as the page."""

    def paginate_queryset(self, queryset, pagination, request, **params) -> dict:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        personal_data_view_record(viewer=request.auth, cases=page["items"], what="ledger")
        return page


@router.get(
    "/ledger",
    response=_staff_read(list[LedgerRowOut], refusal=True),
    summary="The site ledger: cases received at or relayed through the caller's sites in a period",
)
@paginate(LedgerPagination)
def read_ledger(request, filters: Query[LedgerFilters]):
    """服务台帐, as the page: oldest first; a site that is not the caller's is 422 ``unknown_site``, a period
    ending before it starts 400 ``invalid_period``."""
    return _ledger(request, filters)[3]


@router.get(
    "/ledger/xlsx",
    response=_staff_read(None, refusal=True),
    summary="The site ledger as the page's Excel workbook",
    openapi_extra={"responses": {200: {"description": "The workbook", "content": {XLSX_CONTENT_TYPE: {}}}}},
)
def ledger_xlsx(request, filters: Query[LedgerFilters]):
    sites, start, end, cases = _ledger(request, filters)
    names = "、".join(site.name for site in sites) if len(sites) <= 3 else _("All my sites")
    title = _("Site ledger: %(sites)s, %(start)s to %(end)s") % {"sites": names, "start": start, "end": end}
    personal_data_view_record(viewer=request.auth, cases=cases, what="ledger")
    response = HttpResponse(ledger_workbook(cases, title=title), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"ledger-{start}-{end}.xlsx")
    return response


# --- The intake desk's checks --------------------------------------------------------------------------------


class IdCheckFilters(Schema):
    id_type: IdType = IdType.RESIDENT_ID
    id_number: DocumentNumber
    item: Code | None = Field(None, description="With the item's code, the applicant's open cases of it are listed.")


class OpenCaseOut(Schema):
    id: int
    tracking_number: str | None
    status: str
    received_at: datetime.datetime | None
    receiving_site_name: str
    current_site_name: str
    is_visible: bool = Field(description="Whether the caller may open it (another town's case is shown, not opened).")


class IdCheckOut(Schema):
    problems: list[str] = Field(description="What is wrong with the document number, else empty.")
    open_cases: list[OpenCaseOut] = Field(
        description="The applicant's open cases of the item that an application at the caller's desk would duplicate."
    )


@router.get(
    "/intake/id-check",
    response=_staff_read(IdCheckOut),
    summary="The intake desk's check of a document number and of the applicant's open cases of the item",
)
def check_id(request, filters: Query[IdCheckFilters]):
    """As the intake page's inline check: the number's problems; with the item, and a desk of the caller's own
    (their intake role's site), the applicant's open cases of it elsewhere (禁止两头受理): link to one with
    ``POST /cases/intake/link`` rather than registering the application twice."""
    _require_staff(request.auth)
    number = filters.id_number.strip()
    problems = [str(problem) for problem in validate_id_number(filters.id_type, number)] if number else []
    open_cases = []
    desk = intake_desk(request.auth)
    if number and not problems and desk is not None and filters.item:
        item = ServiceItem.objects.select_related("current_version").filter(code=filters.item.upper()).first()
        if item is not None and item.is_public:
            open_cases = open_cases_at(desk, item, number)
    return {
        "problems": problems,
        "open_cases": [
            {
                "id": case.pk,
                "tracking_number": case.tracking_number,
                "status": case.status,
                "received_at": case.received_at,
                "receiving_site_name": case.receiving_site.name,
                "current_site_name": case.current_site.name,
                "is_visible": case_get_for_user(request.auth, case.pk) is not None,
            }
            for case in open_cases
        ],
    }


class LinkIn(Input):
    item: Code
    id_number: DocumentNumber
    case_id: Id = Field(description="One of the open cases ``/cases/intake/id-check`` lists.")


class LinkOut(Schema):
    case_id: int
    tracking_number: str | None
    current_site_code: str
    current_site_name: str
    is_visible: bool


@router.post(
    "/intake/link",
    response=responses(LinkOut, write=True),
    summary="The applicant came again: continue their open case instead of registering a second one",
    openapi_extra={"parameters": [OPENAPI_PARAMETER]},
)
@idempotent
def link_application(request, payload: LinkIn):
    """禁止两头受理, as the intake page's "continue with this case": nothing new is registered, the open case records
    the visit at the caller's desk (``case_link_application``). The case must be one of the applicant's open cases
    of the item that an application at the desk would duplicate (409 ``not_an_open_application`` otherwise); a
    caller without a desk is 403 ``permission_denied``."""
    _require_staff(request.auth)
    desk = intake_desk(request.auth)
    if desk is None:
        raise PermissionDenied(_("You do not receive applications at any site."))
    item = ServiceItem.objects.select_related("current_version").filter(code=payload.item.upper()).first()
    if item is None or not item.is_public:
        raise UnknownReference(
            _("There is no item with the code “%(code)s”.") % {"code": payload.item}, code="unknown_item"
        )
    case = next((case for case in open_cases_at(desk, item, payload.id_number) if case.pk == payload.case_id), None)
    if case is None:
        raise TransitionNotAllowed(
            _("That case is no longer open for this applicant and item."), code="not_an_open_application"
        )
    case = services.case_link_application(actor=request.auth, case=case, site=desk.site, channel=desk.channel)
    return Status(
        200,
        LinkOut(
            case_id=case.pk,
            tracking_number=case.tracking_number,
            current_site_code=case.current_site.code,
            current_site_name=case.current_site.name,
            is_visible=case_get_for_user(request.auth, case.pk) is not None,
        ),
    )
