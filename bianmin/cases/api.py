"""The case operations over the REST API: the staff's cases, each one's timeline, and every move of its life.

Each write endpoint calls exactly one function of ``cases/services/`` (the same ones the workbench calls),
inside one transaction with its Idempotency-Key bookkeeping (``bianmin.core.idempotency``), and answers
with the case as it now is (plus the notice or extension the move created). Reads go through
``cases/selectors.py``: a case outside the caller's scope is 404, never 403, so ids reveal nothing.

Who calls it: staff, authenticated by their session. Scripts use the same session cookie and send the
CSRF token (``X-CSRFToken`` header) with every write until the roadmap's system tokens arrive. Because the
callers are staff handling the case, the applicant's identity document number and phone are returned
unmasked, as on the workbench; applicants never reach this API (their scope is empty: every case is 404).

Every input is validated before a service runs: unknown fields, wrong types, out-of-range numbers,
unknown choices and text with control characters are 422 ``invalid_input``; unknown item, site, material
or fee references are 422 with their own codes; what the law forbids comes back from the services with
their codes (409 ``transition_not_allowed``, 403 ``permission_denied``, 400 ``reasons_required`` …).
Uploads are not taken here: a material's scan is added on the workbench.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, PlainValidator, StrictBool, StringConstraints, WithJsonSchema, model_validator

from bianmin.catalog.models import ServiceItem, SpecialProcedure
from bianmin.core.api_contract import MAX_LIMIT, BoundedPagination, Id, PageInput, plain_text, responses
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.core.workdays import CalendarGap
from bianmin.org.models import Site
from bianmin.org.selectors import user_scope

from . import services
from .access import scope_keys, status_counts
from .clock import clock
from .data_views import personal_data_view_record
from .models import Case, CaseAccess, CaseMaterial, DeliveryMethod, Extension, IdType, Notice, ReviewTask
from .models import Status as CaseStatus
from .selectors import annotate_days_left, case_access_for, case_get_for_user, cases_visible_to, page_of_cases
from .workflow import ALLOWED_FROM, actions_available

router = Router(tags=["cases"])


class UnknownReference(DomainError):
    """The body names an item, site, material or fee that does not exist (or not for this case)."""

    status = 422


# --- Input ---------------------------------------------------------------------------------------------------


# Limits follow the model fields the text ends up in, so no database rejects it.
Name = plain_text(100)
DocumentNumber = plain_text(40)
Phone = plain_text(20)
ShortText = plain_text(200)
Reason = plain_text(300)
LongText = plain_text(2000)
Code = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")]


class Input(Schema):
    """A request body: unknown fields are errors, so a misspelt field never silently does nothing."""

    model_config = ConfigDict(extra="forbid")


class NoInput(Input):
    """Moves that need no data take no body, or an empty object."""


class ApplicantIn(Input):
    name: Name
    id_type: IdType
    id_number: DocumentNumber
    phone: Phone
    address: ShortText = ""


class MaterialIn(Input):
    """One material as checked: a requirement of the item's guide (its id) and/or a name."""

    # The rule of _named, said in the schema too, so a client (and the contract test) knows it.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["requirement_id"], "properties": {"requirement_id": {"type": "integer"}}},
                {"required": ["name"], "properties": {"name": {"type": "string", "pattern": r"\S"}}},
            ]
        },
    )

    requirement_id: Id | None = None
    name: Name = ""
    state: CaseMaterial.State = CaseMaterial.State.PROVIDED
    original_seen: StrictBool = False
    copy_kept: StrictBool = False
    problem: ShortText = ""

    @model_validator(mode="after")
    def _named(self):
        if self.requirement_id is None and not self.name.strip():
            raise ValueError("A material needs its requirement_id or a name.")
        return self


class IntakeIn(Input):
    item: Code = Field(description="The item's code, e.g. SJ-0004.")
    channel: Literal["window", "agency"] = Field(
        description="window, or agency (an agent relaying from a village room); online applications use the portal."
    )
    receiving_site: Code = Field(description="The code of the site where the application is received.")
    applicant: ApplicantIn
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    details: LongText = ""
    relay_site: Code | None = Field(None, description="Agency: the code of the village room relaying it.")
    agency_authorisation: ShortText = ""


class ProblemIn(Input):
    material: Name = Field(min_length=1)
    problem: ShortText = Field(min_length=1)


class SupplementIn(Input):
    problems: list[ProblemIn] = Field(min_length=1, max_length=50)
    repeat_reason: Reason = ""


class SupplementReceivedIn(Input):
    materials: list[MaterialIn] = Field(min_length=1, max_length=50)


class RefusalIn(Input):
    reasons: LongText
    competent_organ: ShortText = ""


class TaskCompletionIn(Input):
    outcome: Literal["agree", "disagree"]
    comment: Reason = ""


class SuspensionIn(Input):
    kind: SpecialProcedure.Kind
    reason: Reason
    expected_days: int = Field(ge=1, le=250)


class ExtensionIn(Input):
    days: int = Field(ge=1, le=250)
    reason: Reason


class ApprovalIn(Input):
    approve: StrictBool


class DecisionIn(Input):
    approve: StrictBool
    reasons: LongText = ""


MAX_YUAN = 99_999_999
YUAN_PATTERN = r"^([1-9][0-9]{0,7}(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?))$"


def _yuan(value: Any) -> Decimal:
    """An amount in yuan, more than 0, below 100 million, with at most two decimal places: a whole number, or
    a string like "12.50" (what the schema says, and nothing else: no 1e2, no 0.001)."""
    if isinstance(value, bool):
        raise ValueError("Give the amount as a number of yuan.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 1 <= value <= MAX_YUAN:
        return Decimal(value)
    if isinstance(value, str) and re.fullmatch(YUAN_PATTERN, value):
        return Decimal(value)
    raise ValueError("Give the amount in yuan, more than 0 and below 100 million, with at most two decimals.")


Yuan = Annotated[
    Decimal,
    PlainValidator(_yuan),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_YUAN},
                {"type": "string", "pattern": YUAN_PATTERN},
            ],
            "description": 'Yuan: a whole number, or a string with at most two decimals, e.g. "12.50".',
        }
    ),
]


class FeeIn(Input):
    fee_rule_ids: list[Id] = Field(min_length=1, max_length=20)
    amount: Yuan


class ReadyIn(Input):
    method: DeliveryMethod


class DeliveryIn(Input):
    method: DeliveryMethod | None = None
    note: ShortText = ""


class WithdrawalIn(Input):
    reason: Reason


class CaseFilters(Schema):
    status: CaseStatus | None = None
    item: Code | None = Field(None, description="An item code.")
    overdue: bool | None = Field(
        None, description="true: accepted cases past their promised deadline; false: every other case."
    )


@dataclass(frozen=True)
class RowsOfCases:
    """A list of cases as the ordered access rows its page is read from, and how to read the page's cases."""

    rows: QuerySet[CaseAccess]
    cases: QuerySet[Case]
    count: int | None = None  # known already (the counters), or None: count the rows


class CasePageInput(PageInput):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Cases per page, 1 to {MAX_LIMIT}.")


class CasePagination(BoundedPagination):
    """The API's bounded limit/offset (50 a page by default). The page's ids come from the access rows' index,
    then only those cases are read. A supervisor's page is logged as a view of its applicants' personal data."""

    Input = CasePageInput

    def paginate_queryset(self, queryset: RowsOfCases, pagination: CasePageInput, request, **params) -> dict:
        ids = queryset.rows.values_list("case_id", flat=True)[pagination.offset : pagination.offset + pagination.limit]
        count = queryset.rows.count() if queryset.count is None else queryset.count
        items = page_of_cases(ids, queryset.cases)
        personal_data_view_record(viewer=request.auth, cases=items, what="api")
        return {"items": items, "count": count}


# --- Output --------------------------------------------------------------------------------------------------


class CaseSummary(Schema):
    id: int
    tracking_number: str | None
    item_code: str
    item_name: str
    version: int
    department_code: str
    channel: str
    status: str
    status_label: str
    applicant_name: str
    receiving_site_code: str
    current_site_code: str
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
    def resolve_version(case: Case) -> int:
        return case.version.number

    @staticmethod
    def resolve_department_code(case: Case) -> str:
        return case.department.code

    @staticmethod
    def resolve_status_label(case: Case) -> str:
        return case.get_status_display()

    @staticmethod
    def resolve_receiving_site_code(case: Case) -> str:
        return case.receiving_site.code

    @staticmethod
    def resolve_current_site_code(case: Case) -> str:
        return case.current_site.code


class CaseListItem(CaseSummary):
    days_left: int | None = Field(description="Working days to the promised deadline, for an accepted case.")

    @staticmethod
    def resolve_days_left(case: Case) -> int | None:
        return case.days_left if case.status == CaseStatus.ACCEPTED else None


class ApplicantOut(Schema):
    name: str
    id_type: str
    id_number: str
    phone: str
    address: str


class CaseSiteOut(Schema):
    code: str
    name: str
    level: str


class ClockOut(Schema):
    colour: str = Field(description="green, yellow, red; paused while suspended; done when no clock runs.")
    days_left: int | None


class CaseMaterialOut(Schema):
    id: int
    requirement_id: int | None
    name: str
    state: str
    original_seen: bool
    copy_kept: bool
    problem: str
    has_file: bool

    @staticmethod
    def resolve_has_file(material: CaseMaterial) -> bool:
        return bool(material.file)


class TaskOut(Schema):
    id: int
    position: int
    name: str
    role: str
    department_code: str
    site_code: str
    is_parallel: bool
    is_decision: bool
    limit_days: int
    state: str
    opened_on: datetime.date | None
    due: datetime.date | None
    completed_at: datetime.datetime | None
    outcome: str
    comment: str

    @staticmethod
    def resolve_department_code(task: ReviewTask) -> str:
        return task.department.code

    @staticmethod
    def resolve_site_code(task: ReviewTask) -> str:
        return task.site.code


class NoticeOut(Schema):
    number: str
    kind: str
    issued_at: datetime.datetime


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    state: str
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None


# A move's stable code (cases.workflow.ALLOWED_FROM; submitting creates a case and is not one), an enum in the schema.
Move = Annotated[
    str, WithJsonSchema({"type": "string", "enum": [action for action in ALLOWED_FROM if action != "submit"]})
]


class CaseDetail(CaseSummary):
    """A case as staff see it; the applicant is unmasked (see the module's docstring)."""

    department_name: str
    applicant: ApplicantOut
    details: str
    receiving_site: CaseSiteOut
    current_site: CaseSiteOut
    relay_site: CaseSiteOut | None
    agency_authorisation: str
    accepted_at: datetime.datetime | None
    accepted_on: datetime.date | None
    is_deemed_accepted: bool
    statutory_due: datetime.date | None
    deadlines_provisional: bool
    suspended_days: int
    extension_days: int
    supplement_count: int
    clock: ClockOut
    decided_at: datetime.datetime | None
    decision_reasons: str
    certificate_number: str
    certificate_due: datetime.date | None
    certificate_issued_at: datetime.datetime | None
    certificate_valid_until: datetime.date | None
    fee_amount: Decimal | None
    fee_receipt_number: str
    fee_paid_at: datetime.datetime | None
    delivery_method: str
    delivery_note: str
    ready_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    materials: list[CaseMaterialOut]
    tasks: list[TaskOut]
    notices: list[NoticeOut]
    extensions: list[ExtensionOut]
    allowed_actions: list[Move] = Field(
        description=(
            "The moves the caller may make on the case now, as stable codes in the workflow's order. Each is one "
            "its service would accept now (with valid input); the case page offers exactly these."
        )
    )

    @staticmethod
    def resolve_department_name(case: Case) -> str:
        return case.department.name

    @staticmethod
    def resolve_applicant(case: Case) -> dict[str, str]:
        return {
            "name": case.applicant_name,
            "id_type": case.applicant_id_type,
            "id_number": case.applicant_id_number,
            "phone": case.applicant_phone,
            "address": case.applicant_address,
        }

    @staticmethod
    def resolve_clock(case: Case, context) -> dict[str, Any]:
        try:
            return clock(case, context["today"])
        except CalendarGap:
            return {"colour": "unknown", "days_left": None}

    @staticmethod
    def resolve_materials(case: Case) -> list[CaseMaterial]:
        return list(case.materials.all())

    @staticmethod
    def resolve_tasks(case: Case) -> list[ReviewTask]:
        return list(case.tasks.all())

    @staticmethod
    def resolve_notices(case: Case) -> list[Notice]:
        return list(case.notices.all())

    @staticmethod
    def resolve_extensions(case: Case) -> list[Extension]:
        return list(case.extensions.all())

    @staticmethod
    def resolve_allowed_actions(case: Case, context) -> list[str]:
        return actions_available(context["user"], case, on=context["today"])


class NoticeResult(Schema):
    notice: NoticeOut
    case: CaseDetail


class ExtensionResult(Schema):
    extension: ExtensionOut
    case: CaseDetail


class TimelineEventOut(Schema):
    sequence: int
    occurred_at: datetime.datetime
    actor_label: str
    action: str
    payload: dict[str, Any]


# --- Reading -------------------------------------------------------------------------------------------------


def _with_details(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("relay_site").prefetch_related(
        "materials",
        Prefetch("tasks", ReviewTask.objects.select_related("department", "site")),
        "notices",
        "extensions",
    )


def _visible_case(request, case_id: int) -> Case:
    case = case_get_for_user(request.auth, case_id)
    if case is None:
        raise Http404
    return case


def _as_detail(request, case: Case) -> CaseDetail:
    return CaseDetail.model_validate(case, context={"user": request.auth, "today": timezone.localdate()})


def _detail(request, case_id: int) -> CaseDetail:
    """The case after a write, read again with everything the move changed."""
    case = _with_details(cases_visible_to(request.auth)).filter(pk=case_id).first()
    if case is None:
        # The caller just acted on the case (the service checked their right to), and a move can take it
        # out of their scope; they still get the answer to what they did.
        case = _with_details(
            Case.objects.select_related("item", "version", "department", "receiving_site", "current_site")
        ).get(pk=case_id)
    return _as_detail(request, case)


@router.get("", response=responses(list[CaseListItem]), summary="The caller's cases, newest first")
@paginate(CasePagination)
def list_cases(request, filters: Query[CaseFilters]):
    """Cases in the caller's scope (their sites, their department's work), filtered by status, item code or
    being overdue. ``days_left`` counts working days in SQL: the page is one query whatever its length. A
    supervisor's reading is logged in the personal-data view log, as on the case page."""
    today = timezone.localdate()
    rows = case_access_for(request.auth)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.item:
        rows = rows.filter(case__item__code=filters.item)
    if filters.overdue is not None:
        overdue = Q(status=CaseStatus.ACCEPTED, sort_due__lt=today)
        rows = rows.filter(overdue) if filters.overdue else rows.exclude(overdue)
    cases = annotate_days_left(
        Case.objects.select_related("item", "version", "department", "receiving_site", "current_site"), today
    )
    keys = scope_keys(user_scope(request.auth))
    count = None
    if len(keys) == 1 and not filters.item and filters.overdue is None:
        totals = status_counts(keys)
        count = totals.get(filters.status, 0) if filters.status else sum(totals.values())
    return RowsOfCases(rows.order_by("-received_at", "-case_id"), cases, count)


@router.get("/{case_id}", response=responses(CaseDetail, not_found=True), summary="One case")
def get_case(request, case_id: Id):
    """The case with its applicant (unmasked: the caller is staff), sites, deadlines and clock, materials,
    review tasks, notices, extensions, and the moves the caller may make now."""
    case = _with_details(cases_visible_to(request.auth)).filter(pk=case_id).first()
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
    Session authentication: scripts send the session cookie and the CSRF token."""
    case = services.case_submit(actor=request.auth, intake=_intake(payload))
    return Status(201, _detail(request, case.pk))


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


@_write("/{case_id}/certificate", summary="Issue the numbered certificate")
def issue_certificate(request, case_id: Id, payload: NoInput | None = None):
    services.case_issue_certificate(actor=request.auth, case=_visible_case(request, case_id))
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


@_write("/{case_id}/ready", summary="Mark the result ready for delivery")
def mark_ready(request, case_id: Id, payload: ReadyIn):
    services.case_mark_ready(actor=request.auth, case=_visible_case(request, case_id), method=payload.method)
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/delivery", summary="Hand over the result and close the case")
def deliver_case(request, case_id: Id, payload: DeliveryIn):
    services.case_deliver(
        actor=request.auth, case=_visible_case(request, case_id), method=payload.method, note=payload.note
    )
    return Status(200, _detail(request, case_id))


@_write("/{case_id}/withdrawal", summary="Record the applicant's withdrawal")
def withdraw_case(request, case_id: Id, payload: WithdrawalIn):
    services.case_withdraw(actor=request.auth, case=_visible_case(request, case_id), reason=payload.reason)
    return Status(200, _detail(request, case_id))
