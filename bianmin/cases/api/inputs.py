"""What the case endpoints take: request bodies, list filters and pagination, all validated first."""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import ConfigDict, PlainValidator, StrictBool, StringConstraints, WithJsonSchema, model_validator

from bianmin.catalog.models import SpecialProcedure
from bianmin.core.api_contract import (
    MAX_LIMIT,
    BoundedPagination,
    Day,
    Id,
    PageInput,
    capped_count,
    choice,
    keyset_page,
    plain_text,
)

from ..data_views import personal_data_view_record
from ..models import Case, CaseAccess, CaseMaterial, Channel, DeliveryChoice, DeliveryMethod, IdType
from ..models import Status as CaseStatus
from ..selectors import page_of_cases

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
    # At intake a material is provided, missing or defective; "not needed" is recorded on the case with a reason.
    state: Literal["provided", "missing", "defective"] = CaseMaterial.State.PROVIDED
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
    delivery: DeliveryChoice = Field(
        DeliveryChoice.WHERE_APPLIED,
        description=(
            "Where the result goes back (结果反馈): where_applied (the relaying room, else the receiving site), "
            "deciding_site, or post (needs the applicant's address)."
        ),
    )
    duplicate_reason: Reason = Field(
        "",
        description=(
            "Why this is registered although the applicant has an open case of the item at another site or by "
            "another channel (禁止两头受理): without it such an application is refused with 409 "
            "duplicate_application; with it the case records the open one and supervision is alerted."
        ),
    )
    handle_now: StrictBool = Field(
        False,
        description=(
            "An immediate item (即办件): receive, accept, decide, certify and hand over now, in one visit, as the "
            'intake page\'s "handle now".'
        ),
    )


class ProblemIn(Input):
    material: Name = Field(min_length=1)
    problem: ShortText = Field(min_length=1)


class SupplementIn(Input):
    problems: list[ProblemIn] = Field(min_length=1, max_length=50)
    repeat_reason: Reason = ""


class WaiverIn(Input):
    reason: Reason = Field(min_length=1, description="Why the material is not needed for this case.")


class SupplementReceivedIn(Input):
    materials: list[MaterialIn] = Field(min_length=1, max_length=50)


class RefusalIn(Input):
    reasons: LongText
    competent_organ: ShortText = ""


class TaskCompletionIn(Input):
    outcome: Literal["agree", "disagree"]
    comment: Reason = ""


class SuspensionIn(Input):
    kind: choice(SpecialProcedure.Kind)
    reason: Reason
    expected_days: int = Field(ge=1, le=250)


class ExtensionIn(Input):
    days: int = Field(ge=1, le=250)
    reason: Reason


class CertificateIn(Input):
    """制证: each left out for the item's rule (the longest validity from today) and what the application asked."""

    valid_from: Day | None = None
    valid_until: Day | None = None
    scope: plain_text(500) = ""


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
    method: DeliveryMethod | None = Field(
        None, description="Changes the applicant's choice at intake: window (the delivery site's counter) or post."
    )


class DeliveryIn(Input):
    method: DeliveryMethod | None = Field(None, description="Only before the result was marked ready.")
    recipient_name: Name = Field("", description="At a counter: who collects it (default: the applicant).")
    recipient_id_number: DocumentNumber = Field(
        "", description="At a counter: their document number (default: the applicant's)."
    )
    post_tracking_number: DocumentNumber = Field("", description="By post: the postal tracking number (required).")
    note: ShortText = ""


class WithdrawalIn(Input):
    reason: Reason


WorkGroup = Literal[
    "all", "acceptance", "supplement", "steps", "extensions", "suspended", "results", "incoming", "handover"
]


class CaseFilters(Schema):
    """The workbench's filters: its queue's groups, status, item, channel and overdue, the monitor's colours, the
    ledger's site and period, and the department."""

    status: CaseStatus | None = None
    item: Code | None = Field(None, description="An item code.")
    overdue: bool | None = Field(
        None, description="true: accepted cases past their promised deadline; false: every other case."
    )
    group: WorkGroup | None = Field(
        None, description="A group of the caller's work queue (all: everything waiting for the caller)."
    )
    channel: Channel | None = None
    colour: Literal["red", "yellow"] | None = Field(
        None, description="Running cases whose clock is red (deadline passed) or yellow (close to it)."
    )
    department: Code | None = Field(None, description="A department's code.")
    site: Code | None = Field(None, description="A site's code: cases received at or relayed through it.")
    received_from: Day | None = Field(None, description="Received on or after this day.")
    received_until: Day | None = Field(None, description="Received on or before this day.")

    def counted(self) -> bool:
        """Whether the list is the scope's status counters' (no filter but the status): its length is known."""
        return not any(
            getattr(self, name) is not None
            for name in ("item", "overdue", "group", "channel", "colour", "department", "site")
        ) and not (self.received_from or self.received_until)


@dataclass(frozen=True)
class RowsOfCases:
    """A list of cases as the ordered access rows its page is read from, and how to read the page's cases."""

    rows: QuerySet[CaseAccess]
    cases: QuerySet[Case]
    count: int | None = None  # known already (the counters), or None: count the rows


class CasePageInput(PageInput):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Cases per page, 1 to {MAX_LIMIT}.")


CASE_ORDER = ("-received_at", "-case_id")


class CasePagination(BoundedPagination):
    """The API's cursor pagination (50 a page by default) over the access rows' index ``(scope key, received_at,
    case)``: the cursor is the last row's place, so a page is read after it with the index, never skipped to with
    an OFFSET; then only the page's cases are read. A supervisor's page is logged as a view of its applicants'
    personal data."""

    Input = CasePageInput

    def paginate_queryset(self, queryset: RowsOfCases, pagination: CasePageInput, request, **params) -> dict:
        rows, next_cursor, previous = keyset_page(
            queryset.rows.only("case_id", "received_at"), CASE_ORDER, pagination.cursor, pagination.limit
        )
        if queryset.count is None:
            count = capped_count(queryset.rows)
        else:  # the counters' exact figure
            count = {"count": queryset.count, "count_capped": False}
        items = page_of_cases([row.case_id for row in rows], queryset.cases)
        personal_data_view_record(viewer=request.auth, cases=items, what="api")
        return {**count, "items": items, "next": next_cursor, "previous": previous}
