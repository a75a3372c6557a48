"""The applicant's API (``/api/v1/applications/``): apply online, read one's own applications, withdraw.

An applicant's online account (``accounts.User`` without staff roles, logged in by its session) does here what
the portal's pages do: ``POST`` an application (the portal form's fields and one file per material, checked by
the portal's own ``ApplicationForm``) through ``case_apply_online``; read their applications (status, what happens
next, deadlines, what is missing, the notices with their PDF links) through ``selectors.applications_of``; and
withdraw one through ``case_withdraw``, as the tracking page does. Only the account's own applications exist
here: anyone else's case, staff's included, is 404 (staff read cases through ``/api/v1/cases/``). The applicant's
personal data is masked as on the tracking page (a shared device shows it too).
"""

import datetime

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from bianmin.accounts.phone import session_verified_phone
from bianmin.catalog.selectors import guide_version
from bianmin.core.api_contract import BoundedPagination, Id, plain_text, responses
from bianmin.core.errors import DomainError
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.core.masking import mask_applicant, mask_id_number, mask_phone
from bianmin.org.models import Site

from ..models import Case, Channel, DeliveryChoice, IdType, Notice
from ..public_forms import ApplicationDraft, ApplicationForm, default_receiving_site
from ..public_views import NEXT_STEP, applicant_deadlines, supplement_problems
from ..selectors import applications_of
from ..services import Applicant, Intake, MaterialCheck, case_apply_online, case_withdraw
from ._common import UnknownReference
from .inputs import Code, WithdrawalIn
from .outputs import STATUS_LABELS

router = Router(tags=["applications"])

# Only what the list shows is read (a version's row is its whole guide).
LIST_FIELDS = (
    "tracking_number",
    "item__code",
    "version__name",
    "channel",
    "status",
    "receiving_site__name",
    "received_at",
    "acceptance_due",
    "promised_due",
)


# --- Schemas -------------------------------------------------------------------------------------------------


class ApplicationIn(Schema):
    """The portal form's fields. ``materials`` (the files) and ``material_ids`` (each file's requirement id, in the
    same order) carry one file per material of the item's guide; every required material needs one."""

    item: Code = Field(description="The item's code (it must offer online application).")
    name: plain_text(100, min_length=1)
    id_type: IdType = IdType.RESIDENT_ID
    id_number: plain_text(40, min_length=1)
    address: plain_text(200, min_length=1)
    details: plain_text(2000, min_length=1) = Field(description="What is applied for, in a few sentences.")
    receiving_site: Code | None = Field(
        None, description="The code of the site that handles it; the county centre when the county accepts the item."
    )
    delivery: DeliveryChoice = DeliveryChoice.WHERE_APPLIED
    material_ids: list[Id] = Field(
        default_factory=list, description="The requirement id (from the catalogue's guide) of each file, in order."
    )


class ApplicationNoticeOut(Schema):
    id: int
    number: str
    kind: str
    issued_at: datetime.datetime
    pdf_url: str = Field(description="The notice as a PDF, for the applicant's account only.")

    @staticmethod
    def resolve_pdf_url(notice: Notice) -> str:
        return f"/api/v1/applications/{notice.case_id}/notices/{notice.pk}/pdf"


class ApplicationDeadlineOut(Schema):
    label: str
    date: datetime.date
    days_left: int | None = Field(description="Working days left while the deadline runs, else null.")
    days_overdue: int | None


class ApplicationMissingOut(Schema):
    material: str
    problem: str


class ApplicationListItem(Schema):
    id: int
    tracking_number: str | None
    item_code: str
    item_name: str
    channel: str
    status: str
    status_label: str
    receiving_site_name: str
    received_at: datetime.datetime | None
    acceptance_due: datetime.date | None
    promised_due: datetime.date | None

    @staticmethod
    def resolve_item_code(case: Case) -> str:
        return case.item.code

    @staticmethod
    def resolve_item_name(case: Case) -> str:
        return case.version.name

    @staticmethod
    def resolve_status_label(case: Case) -> str:
        return str(STATUS_LABELS.get(case.status, case.status))

    @staticmethod
    def resolve_receiving_site_name(case: Case) -> str:
        return case.receiving_site.name


class ApplicationDetail(ApplicationListItem):
    """One application as the tracking page shows it, the applicant's data masked."""

    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    next_step: str
    deadlines: list[ApplicationDeadlineOut]
    missing: list[ApplicationMissingOut] = Field(description="What the open supplement notice asks for, else empty.")
    notices: list[ApplicationNoticeOut]
    can_withdraw: bool

    @staticmethod
    def resolve_applicant_name(case: Case) -> str:
        return mask_applicant(case.applicant_name, case.applicant_id_type)

    @staticmethod
    def resolve_applicant_id_number(case: Case) -> str:
        return mask_id_number(case.applicant_id_number)

    @staticmethod
    def resolve_applicant_phone(case: Case) -> str:
        return mask_phone(case.applicant_phone)

    @staticmethod
    def resolve_next_step(case: Case) -> str:
        return str(NEXT_STEP.get(case.status, ""))

    @staticmethod
    def resolve_deadlines(case: Case) -> list[dict]:
        return [{**row, "label": str(row["label"])} for row in applicant_deadlines(case)]

    @staticmethod
    def resolve_missing(case: Case) -> list[dict]:
        return [
            {"material": str(row.get("material", "")), "problem": str(row.get("problem", ""))}
            for row in supplement_problems(case)
        ]

    @staticmethod
    def resolve_notices(case: Case) -> list[Notice]:
        return list(case.notices.all())

    @staticmethod
    def resolve_can_withdraw(case: Case) -> bool:
        return case.is_open


# --- Reading -------------------------------------------------------------------------------------------------


def _own(request, case_id: int) -> Case:
    case = applications_of(request.auth).prefetch_related("notices").filter(pk=case_id).first()
    if case is None:
        raise Http404  # somebody else's case, or no case: the same answer
    return case


@router.get("", response=responses(list[ApplicationListItem]), summary="The account's own applications, newest first")
@paginate(BoundedPagination)
def list_applications(request):
    """The applications made with this account online (a staff member's list is their own applications too)."""
    return applications_of(request.auth).only(*LIST_FIELDS)


@router.get(
    "/{case_id}", response=responses(ApplicationDetail, not_found=True), summary="One of the account's applications"
)
def get_application(request, case_id: Id):
    """Its status and what happens next, its deadlines with the working days left, what is missing, its notices."""
    return _own(request, case_id)


@router.get(
    "/{case_id}/notices/{notice_id}/pdf",
    response=responses(None, not_found=True),
    summary="A notice of the application as a PDF (the tracking page's download)",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def application_notice_pdf(request, case_id: Id, notice_id: Id):
    from ..notices import render_notice  # ReportLab and the font load only when a PDF is asked for

    notice = _own(request, case_id).notices.filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    response = HttpResponse(
        render_notice(notice, base_url=request.build_absolute_uri("/")), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{notice.number}.pdf")
    return response


# --- Writing -------------------------------------------------------------------------------------------------


def _write(path: str, *, summary: str, status: int = 200):
    def register(view):
        return router.post(
            path,
            response=responses(ApplicationDetail, status=status, not_found="{case_id}" in path, write=True),
            summary=summary,
            openapi_extra={"parameters": [OPENAPI_PARAMETER]},
        )(idempotent(view))

    return register


def _phone(request) -> str:
    """As the portal: the account's phone, or the one this session proved by SMS code."""
    phone = request.auth.phone or session_verified_phone(request.session)
    if not phone:
        raise DomainError(
            _("Add a mobile phone to your account, or prove one with an SMS code on the portal, before applying."),
            code="phone_required",
        )
    return phone


class ApplicationRefused(DomainError):
    """The portal form's checks refused the application (what no schema can say: the document number's check digit,
    a required material without a file, a file that is not a scan); every problem is named, with its field."""

    code = "application_invalid"
    status = 400


def _form_errors(form: ApplicationForm) -> ApplicationRefused:
    """The form's errors as one refusal naming each field (a material by its name), as ``intake_invalid`` does."""
    problems = []
    for field, messages in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        problems += [f"{label}: {message}" if label else str(message) for message in messages]
    return ApplicationRefused("；".join(problems))


def _files(payload: ApplicationIn, materials: list[UploadedFile], version) -> dict[str, UploadedFile]:
    if len(payload.material_ids) != len(materials) or len(set(payload.material_ids)) != len(materials):
        raise ApplicationRefused(_("Give one requirement id for each file, each id once."))
    known = {requirement.pk for requirement in version.materials.all()}
    for requirement_id in payload.material_ids:
        if requirement_id not in known:
            raise UnknownReference(
                _("Material %(id)d is not a material of this item.") % {"id": requirement_id}, code="unknown_material"
            )
    return {f"material_{pk}": upload for pk, upload in zip(payload.material_ids, materials, strict=True)}


@_write("", summary="Apply online: the form's fields and one file per material (multipart)", status=201)
def create_application(request, payload: Form[ApplicationIn], materials: File[list[UploadedFile]] = None):
    """Plan 二(四) 网上申请, through ``case_apply_online`` as the portal's form: the item must offer online
    application (400 ``online_not_offered``); the account's phone (or one this session proved) is the case's;
    the portal form's checks (the document number, a site where the item is received, every required material
    with a PDF, JPEG or PNG recognised from its bytes, one requirement id per file) answer 400
    ``application_invalid`` naming each field's problem; an open application of the same item elsewhere is 409
    ``duplicate_application``. The answer is the new application."""
    version = guide_version(payload.item)
    if version is None:
        raise UnknownReference(
            _("There is no item with the code “%(code)s”.") % {"code": payload.item}, code="unknown_item"
        )
    if not version.online_application:  # before the form's checks, with case_apply_online's words and code
        raise DomainError(_("This item cannot be applied for online."), code="online_not_offered")
    phone = _phone(request)
    files = _files(payload, materials or [], version)
    site = default_receiving_site(version)
    if payload.receiving_site is not None:
        site = Site.objects.filter(code=payload.receiving_site, is_active=True).first()
        if site is None:
            raise UnknownReference(
                _("There is no site with the code “%(code)s”.") % {"code": payload.receiving_site}, code="unknown_site"
            )
    data = payload.dict(include={"name", "id_type", "id_number", "address", "details", "delivery"})
    data["receiving_site"] = site.pk if site else ""
    # No draft: what this request sends is the whole application.
    form = ApplicationForm(
        data, files, version=version, draft=ApplicationDraft({}, version.item.code, phone), strict=True
    )
    if not form.is_valid():
        raise _form_errors(form)
    cleaned = form.cleaned_data
    intake = Intake(
        item=version.item,
        applicant=Applicant(
            name=cleaned["name"],
            id_type=cleaned["id_type"],
            id_number=cleaned["id_number"],
            phone=phone,
            address=cleaned["address"],
        ),
        channel=Channel.ONLINE,
        receiving_site=cleaned["receiving_site"],
        details=cleaned["details"],
        materials=[
            MaterialCheck(
                name=requirement.name, requirement_id=requirement.pk, file=cleaned[f"material_{requirement.pk}"]
            )
            for requirement in form.requirements
            if cleaned.get(f"material_{requirement.pk}")
        ],
        delivery=cleaned["delivery"] or DeliveryChoice.WHERE_APPLIED,
    )
    case = case_apply_online(actor=request.auth, intake=intake)
    return Status(201, ApplicationDetail.model_validate(_own(request, case.pk)))


@_write("/{case_id}/withdrawal", summary="Withdraw the application (the tracking page's withdrawal)")
def withdraw_application(request, case_id: Id, payload: WithdrawalIn):
    """As the tracking page for the account holder: ``case_withdraw`` with the account as the actor and the reason
    on record; a decided or closed case is 409 ``transition_not_allowed``."""
    case_withdraw(actor=request.auth, case=_own(request, case_id), reason=payload.reason)
    return Status(200, ApplicationDetail.model_validate(_own(request, case_id)))
