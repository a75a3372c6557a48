"""The desk's records over the REST API: the first-inquiry log (首问负责制, 查询登记) and the site ledger (服务台帐).

The same selectors and services as the workbench's pages (``inquiries.py``, ``ledger.py``): an inquiry is read,
answered and handed over by its owner only (anybody else's is 404); the ledger lists the cases received at or relayed
through the caller's sites in a period, the applicant's document number masked as in the workbook, and a
supervisor's reading is logged in the personal-data view log as on the page. Lists page with the API's cursor.
"""

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from bianmin.accounts.models import User
from bianmin.core.api_contract import BoundedPagination, Id, PageInput, keyset_page, order_keys, plain_text, responses
from bianmin.core.errors import DomainError
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.core.masking import mask_id_number
from bianmin.org.models import Department
from bianmin.org.selectors import sites_visible_to

from .data_views import personal_data_view_record
from .inquiries import (
    handover_candidates,
    inquiries_owned_by,
    inquiry_answer,
    inquiry_get_for_handler,
    inquiry_handover,
    inquiry_log,
    inquiry_site_for,
)
from .ledger import ledger_cases
from .models import Case, Channel, Inquiry
from .models import Status as CaseStatus

router = Router(tags=["inquiries and ledger"])


class DeskInput(Schema):
    model_config = ConfigDict(extra="forbid")


class DeskReferenceError(DomainError):
    status = 422


# --- The first-inquiry log -----------------------------------------------------------------------------------


class HandoverOut(Schema):
    who: str
    when: str
    to_user: str | None
    to_department: str | None
    note: str


class InquiryOut(Schema):
    id: int
    asked_by: str
    contact: str
    question: str
    site_code: str
    logged_by: str = Field(description="The username of who logged it (the first asked).")
    logged_at: datetime.datetime
    owner: str | None = Field(description="The owner's username; null when handed to a department.")
    owner_department: str | None = Field(description="The department's code it was handed to, if any.")
    state: Inquiry.State
    answer: str
    answered_at: datetime.datetime | None
    handovers: list[HandoverOut]

    @staticmethod
    def resolve_site_code(inquiry: Inquiry) -> str:
        return inquiry.site.code

    @staticmethod
    def resolve_logged_by(inquiry: Inquiry) -> str:
        return inquiry.logged_by.username

    @staticmethod
    def resolve_owner(inquiry: Inquiry) -> str | None:
        return inquiry.owner.username if inquiry.owner_id else None

    @staticmethod
    def resolve_owner_department(inquiry: Inquiry) -> str | None:
        return inquiry.owner_department.code if inquiry.owner_department_id else None


class InquiryIn(DeskInput):
    asked_by: plain_text(100, min_length=1)
    contact: plain_text(100) = ""
    question: plain_text(2000, min_length=1)


class InquiryAnswerIn(DeskInput):
    answer: plain_text(2000, min_length=1)


class InquiryHandoverIn(DeskInput):
    to_user: plain_text(150) | None = Field(None, description="A colleague's username.")
    to_department: plain_text(20) | None = Field(None, description="A department's code.")
    note: plain_text(200) = ""


def _inquiry(request, inquiry_id: int) -> Inquiry:
    inquiry = inquiry_get_for_handler(request.auth, inquiry_id)
    if inquiry is None:
        raise Http404
    return inquiry


def _inquiry_out(inquiry_id: int) -> InquiryOut:
    inquiry = Inquiry.objects.select_related("site", "logged_by", "owner", "owner_department").get(pk=inquiry_id)
    return InquiryOut.from_orm(inquiry)


def _write(path: str, *, summary: str, status: int = 200):
    def register(view):
        return router.post(
            path,
            response=responses(InquiryOut, status=status, not_found="{" in path, write=True),
            summary=summary,
            openapi_extra={"parameters": [OPENAPI_PARAMETER]},
        )(idempotent(view))

    return register


@router.get("/inquiries", response=responses(list[InquiryOut]), summary="The open inquiries the caller owns")
@paginate(BoundedPagination)
def inquiry_list(request):
    """首问负责制: named as owner, or handed to one of the caller's departments; oldest first."""
    return inquiries_owned_by(request.auth).select_related("owner")


@router.get("/inquiries/{inquiry_id}", response=responses(InquiryOut, not_found=True), summary="One inquiry")
def inquiry_get(request, inquiry_id: Id):
    return _inquiry_out(_inquiry(request, inquiry_id).pk)


@_write("/inquiries", summary="Log an inquiry: the caller owns it", status=201)
def inquiry_log_api(request, payload: InquiryIn):
    """Staff who may act (not the read-only supervisors); logged at the caller's site."""
    inquiry = inquiry_log(
        actor=request.auth,
        site=inquiry_site_for(request.auth),
        asked_by=payload.asked_by,
        contact=payload.contact,
        question=payload.question,
    )
    return Status(201, _inquiry_out(inquiry.pk))


@_write("/inquiries/{inquiry_id}/answer", summary="Record the answer: the inquiry is closed")
def inquiry_answer_api(request, inquiry_id: Id, payload: InquiryAnswerIn):
    inquiry_answer(actor=request.auth, inquiry=_inquiry(request, inquiry_id), answer=payload.answer)
    return Status(200, _inquiry_out(inquiry_id))


@_write("/inquiries/{inquiry_id}/handover", summary="Hand the inquiry over to a colleague or a department")
def inquiry_handover_api(request, inquiry_id: Id, payload: InquiryHandoverIn):
    """On record; a colleague outside the caller's scope, or an unknown department, is 422."""
    inquiry = _inquiry(request, inquiry_id)
    to_user = to_department = None
    if payload.to_user:
        to_user = handover_candidates(request.auth).filter(username=payload.to_user).first()
        if to_user is None:
            raise DeskReferenceError(_("This colleague cannot take the inquiry over."), code="unknown_user")
    if payload.to_department:
        to_department = Department.objects.filter(code=payload.to_department, is_active=True).first()
        if to_department is None:
            raise DeskReferenceError(_("There is no active department with this code."), code="unknown_department")
    inquiry_handover(
        actor=request.auth, inquiry=inquiry, to_user=to_user, to_department=to_department, note=payload.note
    )
    return Status(200, _inquiry_out(inquiry_id))


# --- The site ledger -----------------------------------------------------------------------------------------


class LedgerRowOut(Schema):
    id: int
    tracking_number: str
    received_at: datetime.datetime
    applicant_name: str
    applicant_id_number: str = Field(description="Masked, as in the ledger's workbook.")
    applicant_phone: str
    item_code: str
    item_name: str
    department_code: str
    channel: Channel
    receiving_site_code: str
    relay_site_code: str | None
    status: CaseStatus
    accepted_on: datetime.date | None
    promised_due: datetime.date | None
    closed_at: datetime.datetime | None
    certificate_number: str

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
    def resolve_department_code(case: Case) -> str:
        return case.department.code

    @staticmethod
    def resolve_receiving_site_code(case: Case) -> str:
        return case.receiving_site.code

    @staticmethod
    def resolve_relay_site_code(case: Case) -> str | None:
        return case.relay_site.code if case.relay_site_id else None


LEDGER_FIELDS = (
    "tracking_number",
    "received_at",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "channel",
    "status",
    "accepted_on",
    "promised_due",
    "closed_at",
    "certificate_number",
    "item__code",
    "version__name",
    "department__code",
    "receiving_site__code",
    "relay_site__code",
)


class LedgerQuery(Schema):
    site: plain_text(20) | None = Field(None, description="One of the caller's sites (its code); none: all of them.")
    start: datetime.date | None = Field(None, description="Received from (default: the first of this month).")
    end: datetime.date | None = Field(None, description="Received until, included (default: today).")


class LedgerPagination(BoundedPagination):
    """The cursor pagination; the page's applicants are logged as viewed by a supervisor, as on the page."""

    def paginate_queryset(self, queryset, pagination: PageInput, request, **params) -> dict:
        items, next_cursor, previous = keyset_page(queryset, order_keys(queryset), pagination.cursor, pagination.limit)
        personal_data_view_record(viewer=request.auth, cases=items, what="ledger")
        return {"items": items, "count": self._items_count(queryset), "next": next_cursor, "previous": previous}


@router.get(
    "/ledger",
    response=responses(list[LedgerRowOut], refusal=True),
    summary="The site ledger: cases received in a period",
)
@paginate(LedgerPagination)
def ledger(request, filters: Query[LedgerQuery]):
    """服务台帐: every case received at, or relayed through, the caller's sites (or the one named) in the period,
    in the order received."""
    user: User = request.auth
    today = timezone.localdate()
    start, end = filters.start or today.replace(day=1), filters.end or today
    if start > end:
        raise DomainError(_("The end of the period is before its start."), code="period_invalid")
    sites = list(sites_visible_to(user))
    if filters.site:
        sites = [site for site in sites if site.code == filters.site]
        if not sites:
            raise DeskReferenceError(_("The site is unknown or outside your jurisdiction."), code="unknown_site")
    return (
        ledger_cases(user, sites=sites, start=start, end=end)
        .select_related(None)
        .select_related("item", "version", "department", "receiving_site", "relay_site")
        .only(*LEDGER_FIELDS)
    )
