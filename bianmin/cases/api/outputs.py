"""What the case endpoints answer: the case summary and detail, its parts, move results, timeline events."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

from bianmin.core.workdays import CalendarGap

from ..clock import clock
from ..models import Case, CaseMaterial, CaseMaterialEvent, Extension, Notice, ReviewTask, Suspension
from ..models import Status as CaseStatus
from ..workflow import ALLOWED_FROM, actions_available

# --- Output --------------------------------------------------------------------------------------------------

STATUS_LABELS = dict(CaseStatus.choices)

# The columns a list item shows: only these are read (an item's version is a large row, its whole guide).
CASE_LIST_FIELDS = (
    "tracking_number",
    "item__code",
    "version__name",
    "version__number",
    "department__code",
    "channel",
    "status",
    "applicant_name",
    "receiving_site__code",
    "current_site__code",
    "received_at",
    "acceptance_due",
    "promised_due",
)


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
        # The label straight from the choices: get_status_display() hashes the field's choices on every call.
        return str(STATUS_LABELS.get(case.status, case.status))

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


class CaseMaterialEventOut(Schema):
    """One line of a material's history: checked at intake, listed in the supplement notice, supplied, waived."""

    kind: str
    state: str
    note: str
    at: datetime.datetime
    by: str

    @staticmethod
    def resolve_by(event: CaseMaterialEvent) -> str:
        return event.by.username if event.by_id else ""


class CaseMaterialOut(Schema):
    id: int
    requirement_id: int | None
    name: str
    state: str
    original_seen: bool
    copy_kept: bool
    problem: str
    has_file: bool
    history: list[CaseMaterialEventOut]

    @staticmethod
    def resolve_has_file(material: CaseMaterial) -> bool:
        return bool(material.file)

    @staticmethod
    def resolve_history(material: CaseMaterial) -> list[CaseMaterialEvent]:
        return list(material.history.all())


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


def notice_pdf_url(notice: Notice) -> str:
    """Where the API serves the notice's PDF: the same rendering as the case page's."""
    return f"/api/v1/cases/{notice.case_id}/notices/{notice.pk}/pdf"


class NoticeOut(Schema):
    id: int
    number: str
    kind: str
    issued_at: datetime.datetime
    pdf_url: str = Field(description="The notice as a PDF (the same the case page prints), for the same callers.")

    @staticmethod
    def resolve_pdf_url(notice: Notice) -> str:
        return notice_pdf_url(notice)


class NoticeDetail(NoticeOut):
    """A notice with everything it says: the stored facts, the reasons and appeal rights it states, its full text."""

    case_id: int
    title: str
    issuer_name: str
    reasons: str = Field(description="The reasons it states (refusal, denial, an opinion), else empty.")
    appeal_rights: str = Field(description="The remedies it names (reconsideration, litigation), else empty.")
    content: dict[str, Any] = Field(description="What the notice stored when issued: dates, limits, problems, amounts.")
    text: str = Field(description="The full text, as the PDF says it, one paragraph a line.")

    @staticmethod
    def resolve_title(notice: Notice) -> str:
        return str(Notice.Kind(notice.kind).label)

    @staticmethod
    def resolve_reasons(notice: Notice) -> str:
        return str(notice.content.get("reasons") or "")

    @staticmethod
    def resolve_appeal_rights(notice: Notice) -> str:
        return str(notice.content.get("rights") or "")

    @staticmethod
    def resolve_text(notice: Notice) -> str:
        from ..notices import notice_text  # ReportLab loads only when a notice's text is asked for

        return notice_text(notice)


class SuspensionOut(Schema):
    """A special procedure (ALL art. 45): its kind, why, and the dates its time is outside the clocks."""

    id: int
    kind: str
    kind_label: str
    reason: str
    expected_days: int
    started_at: datetime.datetime
    started_on: datetime.date
    ended_on: datetime.date | None = Field(description="Empty while the procedure runs.")
    working_days: int = Field(description="Working days suspended, counted when it ended.")

    @staticmethod
    def resolve_kind_label(suspension: Suspension) -> str:
        return suspension.get_kind_display()


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
    delivery_site: CaseSiteOut | None
    sent_from_site: CaseSiteOut | None
    delivery_note: str
    ready_at: datetime.datetime | None
    result_arrived_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    delivered_by_name: str
    recipient_name: str
    recipient_id_number: str
    post_tracking_number: str
    delivery_signed_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    materials: list[CaseMaterialOut]
    tasks: list[TaskOut]
    notices: list[NoticeOut]
    suspensions: list[SuspensionOut]
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
    def resolve_delivered_by_name(case: Case) -> str:
        return case.delivered_by.get_full_name() if case.delivered_by_id else ""

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
    def resolve_suspensions(case: Case) -> list[Suspension]:
        return list(case.suspensions.all())

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
