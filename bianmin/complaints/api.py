"""Complaints and the 12345 hotline's work orders over the REST API: what the complaint pages do.

Reads: the supervisors' list (``complaints_visible_to``) and the handler's list (``complaints_handled_by``), filtered
by state, kind and lateness as on the pages; one complaint with the moves the caller may make now; the public notices
(通报) and the log of identity views, for those the pages let see them. Writes: a work order from the hotline, a
complaint taken by telephone, the hotline's workbook (all rows or none), and every move of the complaint page
(accept, refuse, assign, handle, reply, finish, call back, remind), each through its one service of ``services``
(or ``excel.work_orders_import``), with the Idempotency-Key bookkeeping. There is no separate "escalate": a late
complaint's escalation is the supervisor's reminder (催办) and, still late, the public notice the sweep makes.

Who calls it: the hotline's desk (a supervisor or a centre administrator), authenticated by their session as every
other endpoint, with the CSRF token on writes. The write calls ``services.complaint_receive`` (the same function
the pages call) inside the Idempotency-Key bookkeeping; a hotline order number received before is 409
``hotline_number_taken``. The answer never carries the complainant's identity; reads go through
``selectors.complaint_get_for_user`` (another town's order is 404).
"""

import datetime
from typing import Annotated

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict, StringConstraints

from bianmin.core.api_contract import BoundedPagination, ErrorOut, Id, choice, plain_text, responses
from bianmin.core.errors import PermissionDenied
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.org.models import Department, Site, Window
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope

from . import excel, services
from .models import Channel, Complaint, ComplaintKind, ComplaintSubject
from .selectors import (
    DEPARTMENT_LEADS,
    complaint_get_for_user,
    complaint_handlers,
    complaints_handled_by,
    complaints_visible_to,
    identity_views_visible_to,
    late_condition,
    public_notices_visible_to,
)
from .services import Complainant, ComplaintIn, UnknownReference, complaint_receive

router = Router(tags=["complaints"])

Code = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")]
HotlineNumber = plain_text(40, min_length=1)
Text = plain_text(5000, min_length=1)
Name = plain_text(100, min_length=1)
Phone = plain_text(20, min_length=1)
DocumentNumber = plain_text(40)
TrackingNumber = plain_text(32)


class WorkOrderIn(Schema):
    """One work order as the hotline sends it."""

    model_config = ConfigDict(extra="forbid")

    hotline_number: HotlineNumber = Field(description="The hotline's own order number (unique).")
    kind: ComplaintKind = Field(description="urgent, consultation, help or complaint.")
    subject: ComplaintSubject = ComplaintSubject.OTHER
    text: Text
    name: Name
    phone: Phone
    id_number: DocumentNumber = ""
    tracking_number: TrackingNumber = Field("", description="The case it is about, if any.")
    site: Code | None = Field(None, description="The code of the site it is about; the county centre if absent.")


class WorkOrderOut(Schema):
    id: int
    number: str
    hotline_number: str | None
    kind: str
    subject: str
    state: str
    site: str = Field(description="The code of the site handling it.")
    received_at: datetime.datetime
    acceptance_due: datetime.date
    due: datetime.date = Field(description="The running deadline: acceptance, then handling.")
    reply: str

    @staticmethod
    def resolve_site(complaint: Complaint) -> str:
        return complaint.site.code


def _site(code: str | None) -> Site | None:
    if code is None:
        return None
    site = Site.objects.filter(code=code, is_active=True).first()
    if site is None:
        raise UnknownReference(_("There is no site with the code “%(code)s”.") % {"code": code}, code="unknown_site")
    return site


@router.post(
    "/work-orders",
    response=responses(WorkOrderOut, status=201, write=True),
    summary="Receive a work order from the 12345 hotline",
    openapi_extra={"parameters": [OPENAPI_PARAMETER]},
)
@idempotent
def receive_work_order(request, payload: WorkOrderIn):
    data = ComplaintIn(
        kind=payload.kind,
        subject=payload.subject,
        text=payload.text,
        complainant=Complainant(name=payload.name, phone=payload.phone, id_number=payload.id_number),
        tracking_number=payload.tracking_number,
        site=_site(payload.site),
        hotline_number=payload.hotline_number,
    )
    complaint = complaint_receive(actor=request.auth, channel=Channel.HOTLINE, data=data)
    complaint = Complaint.objects.select_related("site").get(pk=complaint.pk)
    return Status(201, WorkOrderOut.model_validate(complaint))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_import(user) -> bool:
    return user.is_superuser or bool(user_scope(user).roles & set(services.RECEIVERS_OF_HOTLINE))


@router.post(
    "/work-orders/import",
    response=responses(list[WorkOrderOut], status=201, write=True),
    summary="Receive the hotline's workbook (.xlsx): every row, or none (each bad row said)",
    openapi_extra={"parameters": [OPENAPI_PARAMETER]},
)
@idempotent
def import_work_orders(request, file: File[UploadedFile]):
    """The workbook's errors come back as 422 ``work_order_import_invalid``, every bad row named in the message."""
    if not _may_import(request.auth):
        raise PermissionDenied(_("Only the hotline's desk receives its work orders."))
    created = excel.work_orders_import(actor=request.auth, data=file.read())
    complaints = Complaint.objects.select_related("site").filter(pk__in=[c.pk for c in created]).order_by("pk")
    return Status(201, [WorkOrderOut.model_validate(complaint) for complaint in complaints])


@router.get(
    "/work-orders/template",
    response=responses(None, has_input=False) | {403: ErrorOut},
    summary="The hotline workbook's template (.xlsx)",
    openapi_extra={"responses": {200: {"description": "The workbook", "content": {XLSX: {}}}}},
)
def work_order_template(request):
    if not _may_import(request.auth):
        raise PermissionDenied(_("Only the hotline's desk receives its work orders."))
    response = HttpResponse(excel.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="12345-work-orders.xlsx"'
    return response


class PhoneComplaintIn(Schema):
    """A complaint taken by telephone: what the caller says, as the workbench's form takes it."""

    model_config = ConfigDict(extra="forbid")

    kind: ComplaintKind = ComplaintKind.COMPLAINT
    subject: ComplaintSubject = ComplaintSubject.OTHER
    text: Text
    name: Name
    phone: Phone
    id_number: DocumentNumber = ""
    tracking_number: TrackingNumber = Field("", description="The case it is about, if any.")
    site: Code | None = Field(None, description="The code of the site it is about; the county centre if absent.")
    window_id: Id | None = Field(None, description="The window it is about, if any.")


class ComplaintFilters(Schema):
    state: choice(Complaint.State) | None = None
    kind: ComplaintKind | None = None
    late: bool = Field(False, description="Only those whose running deadline is over.")


class ComplaintListItem(WorkOrderOut):
    department_id: int | None
    handler_id: int | None
    is_late: bool

    @staticmethod
    def resolve_is_late(complaint: Complaint) -> bool:
        return services.complaint_is_late(complaint, timezone.localdate())


class ComplaintDetail(ComplaintListItem):
    """One complaint as its page shows it (the complainant's identity is not in the API: the page's view of it is
    logged; here it is left out)."""

    channel: str
    case_id: int | None
    window_id: int | None
    refusal_reason: str
    finding: str
    accountable_department_id: int | None
    callback_note: str
    rating: int | None
    moves: list[str] = Field(description="The moves the caller may make now: their paths under this complaint.")

    @staticmethod
    def resolve_moves(complaint: Complaint, context) -> list[str]:
        user = context["request"].auth
        return [move.replace("_", "-") for move in services.complaint_moves_for(user, complaint)]


def _context(request) -> dict:
    return {"request": request}


def _filtered(request, complaints, filters: ComplaintFilters):
    if filters.state:
        complaints = complaints.filter(state=filters.state)
    if filters.kind:
        complaints = complaints.filter(kind=filters.kind)
    if filters.late:
        complaints = complaints.filter(late_condition(timezone.localdate()))
    return complaints.order_by("-received_at", "-pk")


@router.get("/", response=responses(list[ComplaintListItem]), summary="The complaints the caller may see")
@paginate(BoundedPagination)
def list_complaints(request, filters: Query[ComplaintFilters]):
    """Supervisors: their jurisdiction's; a site's staff: their sites'; department leads: their departments'."""
    return _filtered(request, complaints_visible_to(request.auth), filters)


@router.get("/mine", response=responses(list[ComplaintListItem]), summary="The complaints the caller is to handle")
@paginate(BoundedPagination)
def list_my_complaints(request, filters: Query[ComplaintFilters]):
    """Assigned to the caller, to their departments, or waiting at a site they work at."""
    return _filtered(request, complaints_handled_by(request.auth), filters)


class PublicNoticeOut(Schema):
    id: int
    complaint_id: int
    complaint_number: str
    site_id: int
    department_id: int | None
    due: datetime.date
    reported_at: datetime.datetime

    @staticmethod
    def resolve_complaint_number(notice) -> str:
        return notice.complaint.number


@router.get(
    "/notices",
    response=responses(list[PublicNoticeOut]) | {403: ErrorOut},
    summary="Public notices (通报): complaints still late 5 working days after a reminder",
)
@paginate(BoundedPagination)
def list_public_notices(request):
    if not (is_supervisor(request.auth) or user_scope(request.auth).departments_of(*DEPARTMENT_LEADS)):
        raise PermissionDenied(_("Only supervisors and department leads see the public notices."))
    return public_notices_visible_to(request.auth).order_by("-reported_at", "-pk")


class IdentityViewOut(Schema):
    id: int
    viewer_id: int
    viewer: str
    complaint_id: int
    complaint_number: str
    what: str
    viewed_at: datetime.datetime

    @staticmethod
    def resolve_viewer(view) -> str:
        return view.viewer.get_full_name() or view.viewer.username

    @staticmethod
    def resolve_complaint_number(view) -> str:
        return view.complaint.number


@router.get(
    "/identity-views",
    response=responses(list[IdentityViewOut]) | {403: ErrorOut},
    summary="Who saw a complainant's identity, in the supervisor's jurisdiction",
)
@paginate(BoundedPagination)
def list_identity_views(request):
    if not is_supervisor(request.auth):
        raise PermissionDenied(_("Only supervisors see who saw a complainant's identity."))
    return identity_views_visible_to(request.auth).order_by("-viewed_at", "-pk")


def _visible(request, complaint_id: int) -> Complaint:
    complaint = complaint_get_for_user(request.auth, complaint_id)
    if complaint is None:
        raise Http404
    return complaint


def _detail(request, complaint_id: int) -> ComplaintDetail:
    """The complaint after a move; a move that takes it out of the caller's sight still answers what was done."""
    complaint = complaint_get_for_user(request.auth, complaint_id) or Complaint.objects.select_related("site").get(
        pk=complaint_id
    )
    return ComplaintDetail.model_validate(complaint, context=_context(request))


@router.post(
    "/",
    response=responses(ComplaintDetail, status=201, write=True),
    summary="Receive a complaint taken by telephone",
    openapi_extra={"parameters": [OPENAPI_PARAMETER]},
)
@idempotent
def receive_phone_complaint(request, payload: PhoneComplaintIn):
    window = None
    if payload.window_id is not None:
        window = Window.objects.filter(pk=payload.window_id).first()
        if window is None:
            raise UnknownReference(_("There is no such window."), code="unknown_window")
    data = ComplaintIn(
        kind=payload.kind,
        subject=payload.subject,
        text=payload.text,
        complainant=Complainant(name=payload.name, phone=payload.phone, id_number=payload.id_number),
        tracking_number=payload.tracking_number,
        site=_site(payload.site),
        window=window,
    )
    complaint = complaint_receive(actor=request.auth, channel=Channel.PHONE, data=data)
    return Status(201, _detail(request, complaint.pk))


@router.get(
    "/{complaint_id}",
    response=responses(ComplaintDetail, not_found=True),
    summary="A complaint or work order: its state, deadline, reply and the caller's moves",
)
def get_complaint(request, complaint_id: Id):
    return ComplaintDetail.model_validate(_visible(request, complaint_id), context=_context(request))


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class ComplaintReasonIn(Input):
    reason: Text


class ComplaintAssignIn(Input):
    handler_id: Id = Field(description="Active staff of the complaint's site or of a department, not a supervisor.")
    department_id: Id | None = Field(None, description="The responsible department; none: the site handles it.")


class ComplaintReplyIn(Input):
    reply: Text


class ComplaintFinishIn(Input):
    finding: choice(Complaint.Finding)
    accountable_department_id: Id | None = Field(
        None, description="If upheld: the accountable department (default: the case's or the assigned one)."
    )


class ComplaintNoteIn(Input):
    note: Text


class ComplaintRemindIn(Input):
    note: plain_text(5000) = ""


def _move(path: str, *, summary: str):
    def register(view):
        return router.post(
            f"/{{complaint_id}}/{path}",
            response=responses(ComplaintDetail, not_found=True, write=True),
            summary=summary,
            openapi_extra={"parameters": [OPENAPI_PARAMETER]},
        )(idempotent(view))

    return register


def _department(department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = Department.objects.filter(pk=department_id, is_active=True).first()
    if department is None:
        raise UnknownReference(_("There is no such department."), code="unknown_department")
    return department


@_move("accept", summary="Accept the complaint (受理): its handling deadline starts")
def accept_complaint(request, complaint_id: Id):
    services.complaint_accept(actor=request.auth, complaint=_visible(request, complaint_id))
    return Status(200, _detail(request, complaint_id))


@_move("refuse", summary="Do not accept the complaint, saying why")
def refuse_complaint(request, complaint_id: Id, payload: ComplaintReasonIn):
    services.complaint_refuse(actor=request.auth, complaint=_visible(request, complaint_id), reason=payload.reason)
    return Status(200, _detail(request, complaint_id))


@_move("assign", summary="Assign the complaint (派单) to a handler, and a department if one is responsible")
def assign_complaint(request, complaint_id: Id, payload: ComplaintAssignIn):
    complaint = _visible(request, complaint_id)
    handler = complaint_handlers(complaint).filter(pk=payload.handler_id).first()
    if handler is None:
        raise UnknownReference(_("This person cannot be assigned the complaint."), code="unknown_handler")
    services.complaint_assign(
        actor=request.auth, complaint=complaint, handler=handler, department=_department(payload.department_id)
    )
    return Status(200, _detail(request, complaint_id))


@_move("handle", summary="The handler takes the complaint up")
def handle_complaint(request, complaint_id: Id):
    services.complaint_handle(actor=request.auth, complaint=_visible(request, complaint_id))
    return Status(200, _detail(request, complaint_id))


@_move("reply", summary="The handler replies to the complainant")
def reply_complaint(request, complaint_id: Id, payload: ComplaintReplyIn):
    services.complaint_reply(actor=request.auth, complaint=_visible(request, complaint_id), reply=payload.reply)
    return Status(200, _detail(request, complaint_id))


@_move("finish", summary="Finish the complaint (办结) with its finding")
def finish_complaint(request, complaint_id: Id, payload: ComplaintFinishIn):
    services.complaint_finish(
        actor=request.auth,
        complaint=_visible(request, complaint_id),
        finding=payload.finding,
        accountable_department=_department(payload.accountable_department_id),
    )
    return Status(200, _detail(request, complaint_id))


@_move("call-back", summary="Record the callback (回访) to the complainant")
def call_back_complaint(request, complaint_id: Id, payload: ComplaintNoteIn):
    services.complaint_call_back(actor=request.auth, complaint=_visible(request, complaint_id), note=payload.note)
    return Status(200, _detail(request, complaint_id))


@_move("remind", summary="Send a reminder (催办) on a late complaint: 5 more working days, then a public notice")
def remind_complaint(request, complaint_id: Id, payload: ComplaintRemindIn | None = None):
    note = payload.note if payload is not None else ""
    services.complaint_remind(actor=request.auth, complaint=_visible(request, complaint_id), note=note)
    return Status(200, _detail(request, complaint_id))
