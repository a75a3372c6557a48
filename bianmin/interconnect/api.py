"""The event feed and the import of cases over the REST API.

``GET /api/v1/events`` (``router``, mounted at ``/events``) pages through the audit chain's events of cases as the
caller's scope sees them (``feed.py`` says why a consumer resuming from its cursor misses nothing and sees nothing
twice). ``POST /api/v1/imports/cases`` (``imports_router``, at ``/imports``) imports a batch of cases accepted in
another system through ``cases.services.cases_import``, all or nothing: a refused batch is 422 ``import_invalid``
with ``details``, one ``{"row", "field", "message"}`` per problem (rows counted from 1 in the list sent).

Callers: staff by their session, and other systems by a token acting as the system's service account (so the
scope is that account's). The feed is for staff-scoped systems: the events' data is unmasked, as in the case API.
"""

from ninja import Field, Query, Router, Schema, Status

from bianmin.cases import services
from bianmin.cases.services.imports import MAX_ROWS
from bianmin.core.api_contract import plain_text, responses
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent

from .events import event_body, event_types_table
from .feed import MAX_LIMIT, feed_page

router = Router(tags=["events"])
imports_router = Router(tags=["imports"])

CURSOR_PATTERN = r"^[0-9]{1,18}$"


class EventObjectOut(Schema):
    type: str = Field(description="The kind of object: `case` or `licence`.")
    id: str = Field(description="The object's id (a case's id in the case API, a licence's in the licence API).")


class EventOut(Schema):
    id: int = Field(description="The event's sequence in the audit chain.")
    type: str = Field(description="The event type, e.g. `case.accept` (see the table of the operation).")
    occurred_at: str = Field(description="When it happened, ISO 8601 in Asia/Shanghai.")
    object: EventObjectOut
    data: dict = Field(description="The event's data: `status` (the object's status after the event) and its fields.")


class EventPageOut(Schema):
    events: list[EventOut]
    next_cursor: str = Field(description="Pass as `after` for the next page; store it to resume after a restart.")


class FeedQuery(Schema):
    after: str = Field(
        "0",
        pattern=CURSOR_PATTERN,
        description="The cursor of the last page read (`next_cursor`); `0` for the beginning.",
    )
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"Events per page, 1 to {MAX_LIMIT}.")


FEED_DESCRIPTION = (
    "The audit chain's events of the cases and licences the caller may see, oldest first. Resume from the stored "
    "`next_cursor`: events commit in chain order, so nothing is missed and nothing repeated. A page examines at most "
    "1,000 events of the chain: a page with fewer events (even none) with a new `next_cursor` is not the end; the end "
    "is when `next_cursor` stops moving.\n\nEach event's `data` always holds `status` (the case's, or the "
    "licence's); by type:\n\n"
)


@router.get(
    "",
    response=responses(EventPageOut),
    summary="The event feed: case and licence events after a cursor",
    description=FEED_DESCRIPTION + event_types_table(),
)
def events(request, query: Query[FeedQuery]):
    page = feed_page(request.user, after=int(query.after), limit=query.limit)
    return {"events": [event_body(event) for event in page.events], "next_cursor": str(page.next_cursor)}


Cell = plain_text(2000)


class CaseImportRowIn(Schema):
    original_number: Cell = ""
    item: Cell = Field("", description="The item's code in the catalogue.")
    site: Cell = Field("", description="The receiving site's code.")
    applicant_name: Cell = ""
    applicant_id_type: Cell = Field("", description="`resident_id` (the default), `passport`, `credit_code`, `other`.")
    applicant_id_number: Cell = ""
    applicant_phone: Cell = ""
    applicant_address: Cell = ""
    channel: Cell = Field("", description="`window` (the default) or `online`.")
    received_on: Cell = Field("", description="YYYY-MM-DD.")
    accepted_on: Cell = Field("", description="YYYY-MM-DD; required when the status is `accepted`.")
    status: Cell = Field("", description="`accepted` (the default) or `received`.")
    details: Cell = ""

    model_config = {"extra": "forbid"}


class CaseImportIn(Schema):
    source: plain_text(60, min_length=1) = Field(description="The original system's name (kept on every case).")
    cases: list[CaseImportRowIn] = Field(min_length=1, max_length=MAX_ROWS)

    model_config = {"extra": "forbid"}


class ImportedCaseOut(Schema):
    id: int
    tracking_number: str
    original_number: str
    status: str


class CaseImportOut(Schema):
    imported: int
    cases: list[ImportedCaseOut]


@imports_router.post(
    "/cases",
    response=responses(CaseImportOut, status=201, write=True),
    summary="Import cases accepted in another system, all or nothing",
    openapi_extra={"parameters": [OPENAPI_PARAMETER]},
)
@idempotent
def import_cases(request, payload: CaseImportIn):
    rows = [row.dict() for row in payload.cases]
    cases = services.cases_import(actor=request.user, rows=rows, source=payload.source)
    imported = [
        ImportedCaseOut(
            id=case.pk, tracking_number=case.tracking_number, original_number=case.original_number, status=case.status
        )
        for case in cases
    ]
    return Status(201, CaseImportOut(imported=len(imported), cases=imported))
