"""The 12345 hotline's work orders over the REST API: receive one, read one back (its state, deadline and reply).

Who calls it: the hotline's desk (a supervisor or a centre administrator), authenticated by their session as every
other endpoint, with the CSRF token on writes. The write calls ``services.complaint_receive`` (the same function
the pages call) inside the Idempotency-Key bookkeeping; a hotline order number received before is 409
``hotline_number_taken``. The answer never carries the complainant's identity; reads go through
``selectors.complaint_get_for_user`` (another town's order is 404).
"""

import datetime
from typing import Annotated

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from bianmin.core.api_contract import Id, plain_text, responses
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.org.models import Site

from .models import Channel, Complaint, ComplaintKind, ComplaintSubject
from .selectors import complaint_get_for_user
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


@router.get(
    "/{complaint_id}",
    response=responses(WorkOrderOut, not_found=True),
    summary="A complaint or work order: its state, deadline and reply",
)
def get_complaint(request, complaint_id: Id):
    complaint = complaint_get_for_user(request.auth, complaint_id)
    if complaint is None:
        raise Http404
    return complaint
