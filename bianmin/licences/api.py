"""The licences over the API: staff read the licences they may see (paged, filtered as on the registry), one
licence and its PDF, and revoke, replace or change it, each through its one service; anyone verifies a licence by
its id and check code (the QR code's link), or a copy's signed content and signature offline-style.

Issuing is the case's move, ``POST /api/v1/cases/{case_id}/certificate`` (with the validity and what is permitted).
"""

import datetime
import json

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from bianmin.cases.data_views import personal_data_view_record
from bianmin.core.api_contract import BoundedPagination, Id, plain_text, responses
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.core.masking import mask_applicant, mask_id_number

from . import services, signing
from .document import render_licence
from .models import Licence, LicenceStatus
from .selectors import licence_for_verification, licence_get_for_user, licence_registry
from .verification import STATE_LABELS, licence_verdict

router = Router(tags=["licences"])


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class ReasonIn(Input):
    reason: plain_text(200, min_length=1)


class ChangeIn(ReasonIn):
    holder_name: plain_text(100) = ""
    scope: plain_text(500) = ""
    valid_until: datetime.date | None = None


class VerifyIn(Input):
    content: str = Field(..., min_length=2, max_length=10_000, description="The signed content, as embedded.")
    signature: str = Field(..., pattern=r"^[A-Za-z0-9_-]{86}$", description="Ed25519 signature, base64url.")


class RegistryFilters(Schema):
    type_id: Id | None = None
    holder: plain_text(40) = ""
    status: LicenceStatus | None = None
    expiring_within: int | None = Field(None, ge=0, le=3650)


class LicenceOut(Schema):
    id: int
    number: str
    type_code: str
    type_name: str
    case_id: int
    holder_name: str
    holder_id_type: str
    holder_id_number: str
    scope: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    organ_name: str
    organ_code: str
    issued_at: datetime.datetime
    issued_on: datetime.date
    status: str
    status_reason: str
    replaces_id: int | None
    check_code: str
    content: str
    signature: str
    key_id: str

    @staticmethod
    def resolve_type_code(licence) -> str:
        return licence.type.code

    @staticmethod
    def resolve_type_name(licence) -> str:
        return licence.type.name


class LicenceDetail(LicenceOut):
    """One licence as its page shows it: with the moves its status allows and the licence that superseded it."""

    moves: list[str] = Field(description="The moves the licence's status allows: revoke, replace, change.")
    successor_id: int | None = Field(description="The replacement or changed licence that superseded it, if any.")

    @staticmethod
    def resolve_moves(licence) -> list[str]:
        return [move for move, starts in services.LICENCE_MOVES.items() if licence.status in starts]

    @staticmethod
    def resolve_successor_id(licence) -> int | None:
        return Licence.objects.filter(replaces=licence).values_list("pk", flat=True).first()


class VerificationOut(Schema):
    """What the verification page says, for machines: the same facts, the holder masked as on the page."""

    state: str
    label: str
    is_genuine: bool
    is_valid: bool
    number: str | None = None
    type_name: str | None = None
    holder_name: str | None = None
    holder_id_masked: str | None = None
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    organ_name: str | None = None
    content: str | None = None
    signature: str | None = None
    public_key: str


def _visible(request, licence_id: int) -> Licence:
    licence = licence_get_for_user(request.auth, licence_id)
    if licence is None:
        raise Http404
    personal_data_view_record(viewer=request.auth, cases=[licence.case], what="licence")
    return licence


# Before the routes of one licence, so /verify is not read as a licence's id.
@router.post(
    "/verify",
    # Documented like every POST (the contract's 400/403/409/413); it reads only, so it takes no CSRF token: offline
    # tools post to it without a session.
    response=responses(VerificationOut, auth=False, write=True),
    auth=None,
    summary="Check a copy's signed content and signature (as embedded in its PDF), for anyone",
)
def licence_verify(request, payload: VerifyIn):
    """A forged or altered content fails the signature (state ``not_genuine``); a genuine one answers the
    licence's current status as the verification page does."""
    public = signing.public_key_hex()
    if not signing.signature_valid(payload.content, payload.signature):
        label = str(STATE_LABELS["not_genuine"])
        return {"state": "not_genuine", "label": label, "is_genuine": False, "is_valid": False, "public_key": public}
    licence = Licence.objects.select_related("type", "replaces").filter(pk=_content_id(payload.content)).first()
    if licence is not None and licence.content != payload.content:
        licence = None  # signed by this key, yet not this licence's content: nothing to say about a status
    return {**_verification(licence), "public_key": public}


@router.get("/", response=responses(list[LicenceOut]), summary="Licences the caller may see (the registry)")
@paginate(BoundedPagination)
def licence_list(request, filters: Query[RegistryFilters]):
    return licence_registry(
        request.auth,
        type_id=filters.type_id,
        holder=filters.holder,
        status=filters.status or "",
        expiring_within=filters.expiring_within,
        today=timezone.localdate(),
    ).defer(None)


@router.get("/{licence_id}", response=responses(LicenceDetail, not_found=True), summary="One licence")
def licence_get(request, licence_id: Id):
    return _visible(request, licence_id)


@router.get(
    "/{licence_id}/pdf",
    response=responses(None, not_found=True),
    summary="The licence as a PDF (the signed content embedded)",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def licence_pdf(request, licence_id: Id):
    licence = _visible(request, licence_id)
    response = HttpResponse(render_licence(licence), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{licence.number}.pdf")
    return response


def _write(path: str, *, summary: str):
    def register(view):
        return router.post(
            path,
            response=responses(LicenceOut, not_found=True, write=True),
            summary=summary,
            openapi_extra={"parameters": [OPENAPI_PARAMETER]},
        )(idempotent(view))

    return register


@_write("/{licence_id}/revoke", summary="Revoke the licence (ALL art. 69), stating why")
def licence_revoke(request, licence_id: Id, payload: ReasonIn):
    licence = services.licence_revoke(actor=request.auth, licence=_visible(request, licence_id), reason=payload.reason)
    return Status(200, LicenceOut.model_validate(licence))


@_write("/{licence_id}/replace", summary="Issue a replacement copy (补证); answers the new licence")
def licence_replace(request, licence_id: Id, payload: ReasonIn):
    new = services.licence_replace(actor=request.auth, licence=_visible(request, licence_id), reason=payload.reason)
    return Status(200, LicenceOut.model_validate(new))


@_write("/{licence_id}/change", summary="Change the licence (变更, ALL art. 49); answers the new licence")
def licence_change(request, licence_id: Id, payload: ChangeIn):
    new = services.licence_change(
        actor=request.auth,
        licence=_visible(request, licence_id),
        reason=payload.reason,
        holder_name=payload.holder_name,
        scope=payload.scope,
        valid_until=payload.valid_until,
    )
    return Status(200, LicenceOut.model_validate(new))


def _verification(licence: Licence | None) -> dict:
    if licence is None:
        return {"state": "not_found", "label": "", "is_genuine": False, "is_valid": False}
    verdict = licence_verdict(licence, timezone.localdate())
    answer = {
        "state": verdict.state,
        "label": verdict.label,
        "is_genuine": verdict.is_genuine,
        "is_valid": verdict.is_valid,
    }
    if verdict.is_genuine:
        answer |= {
            "number": licence.number,
            "type_name": licence.type.name,
            "holder_name": mask_applicant(licence.holder_name, licence.holder_id_type),
            "holder_id_masked": mask_id_number(licence.holder_id_number),
            "valid_from": licence.valid_from,
            "valid_until": licence.valid_until,
            "organ_name": licence.organ_name,
            "content": licence.content,
            "signature": licence.signature,
        }
    return answer


@router.get(
    "/{licence_id}/verification",
    response=responses(VerificationOut, auth=False, not_found=True),
    auth=None,
    summary="Verify a licence by its id and check code (the QR code's link), for anyone",
)
def licence_verification(request, licence_id: Id, c: plain_text(16, min_length=1)):
    licence = licence_for_verification(licence_id, c)
    if licence is None:
        raise Http404
    return {**_verification(licence), "public_key": signing.public_key_hex()}


def _content_id(content: str) -> int:
    try:
        value = json.loads(content).get("id")
    except (ValueError, AttributeError):
        return 0
    return value if isinstance(value, int) and 0 < value < 2**63 else 0
