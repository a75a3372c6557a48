"""The supervision side over the REST API: alerts, supervision orders, accountability records and the audit chain's
status, with the moves their pages offer.

Reads go through the same selectors as the pages (``selectors.alerts``, ``selectors.orders``), so the same people
see the same things: supervisors their jurisdiction, department heads and chief representatives their departments,
everyone the accountability records about themselves; an object outside the caller's sight is 404. Each write calls
the one service the page calls (``services.alerts``, ``services.orders``, ``services.accountability``), which checks
the permission (403 ``permission_denied``) and the move (409 ``transition_not_allowed``), inside the Idempotency-Key
transaction. Lists page with the API's cursor (``bianmin.core.api_contract``) in the pages' order plus the id.
"""

import datetime
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, PlainValidator, StringConstraints, WithJsonSchema

from bianmin.accounts.models import User
from bianmin.cases.selectors import case_get_for_user
from bianmin.core.api_contract import BoundedPagination, Day, Id, choice, plain_text, responses
from bianmin.core.audit import checkpoint_latest, verify_audit_chain_task
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.core.models import AuditHead, AuditVerification
from bianmin.core.transitions import moves_from
from bianmin.org.models import Department, Role
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import sites_visible_to, staff_visible_to, user_scope, windows_visible_to

from .models import AccountabilityRecord, Alert, Level, OrderResponse, SupervisionOrder
from .rules import RULES
from .selectors.alerts import AlertFilters, alert_get_for_user, alerts_filtered, alerts_visible_to, sees_alerts
from .selectors.orders import (
    AWAITING_DEPARTMENT,
    accountability_filtered,
    accountability_get_for_user,
    accountability_visible_to,
    alerts_in_scope,
    order_get_for_user,
    orders_visible_to,
    orders_with_days_left,
    overdue_condition,
)
from .services.accountability import accountability_record_annul, accountability_record_create
from .services.alerts import ALERT_MOVES, alert_confirm, alert_dismiss, alert_resolve
from .services.orders import (
    MAX_DUE_DAYS,
    MIN_DUE_DAYS,
    order_accept,
    order_actions_for,
    order_issue,
    order_respond,
    order_return,
    order_withdraw,
)

router = Router(tags=["supervision"])

AUDIT_RUNS_SHOWN = 20
Code = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")]
Text = plain_text(2000)
Required = plain_text(2000, min_length=1)
OrderNumber = Annotated[str, StringConstraints(pattern=r"^DB-\d{4}-\d{5}$")]


class UnknownReference(DomainError):
    """The body names a case, alert, order, person, site, department or window that does not exist or is outside
    the caller's sight."""

    status = 422


UNKNOWN = {
    "case": gettext_lazy("The case is unknown or outside your jurisdiction."),
    "alert": gettext_lazy("The alert is unknown or outside your jurisdiction."),
    "order": gettext_lazy("The order is unknown or outside your jurisdiction."),
    "window": gettext_lazy("The window is unknown or outside your jurisdiction."),
    "person": gettext_lazy("The person is unknown or outside your jurisdiction."),
    "site": gettext_lazy("The site is unknown or outside your jurisdiction."),
    "department": gettext_lazy("There is no active department with this code."),
}


def _unknown(what: str) -> UnknownReference:
    return UnknownReference(UNKNOWN[what], code=f"unknown_{what}")


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Alerts --------------------------------------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    rule: str
    rule_name: str
    key: str
    level: Level
    is_anomaly: bool
    state: choice(Alert.State)
    case_id: int | None
    tracking_number: str | None
    task_id: int | None
    order_id: int | None
    site_code: str
    department_code: str | None
    item_code: str | None
    responsible_role: str
    due: datetime.date | None = Field(description="The deadline missed (clock alerts).")
    raised_at: datetime.datetime
    closed_at: datetime.datetime | None
    close_reason: str
    note: str

    @staticmethod
    def resolve_rule_name(alert: Alert) -> str:
        rule = RULES.get(alert.rule)
        return str(rule.name) if rule else alert.rule

    @staticmethod
    def resolve_tracking_number(alert: Alert) -> str | None:
        return alert.case.tracking_number if alert.case_id else None

    @staticmethod
    def resolve_site_code(alert: Alert) -> str:
        return alert.site.code

    @staticmethod
    def resolve_department_code(alert: Alert) -> str | None:
        return alert.department.code if alert.department_id else None

    @staticmethod
    def resolve_item_code(alert: Alert) -> str | None:
        return alert.item.code if alert.item_id else None


class AlertDetail(AlertOut):
    actions: list[Literal["confirm", "dismiss", "resolve"]] = Field(description="The moves the caller may make now.")


class AlertQuery(Schema):
    state: Literal["live", "pending", "open", "closed", "dismissed"] | None = Field(
        None, description="live: pending or open (the feed's default view); none: every state."
    )
    rule: Annotated[str, StringConstraints(max_length=40, pattern=r"^[a-z_]*$")] = ""
    level: Level | None = None
    site: Code | None = Field(None, description="A site's code.")
    department: Code | None = Field(None, description="A department's code.")
    raised_from: Day | None = None
    raised_until: Day | None = None


class SupervisionReasonIn(Input):
    reason: Required


class AlertNoteIn(Input):
    note: Required


class AlertConfirmIn(Input):
    pass


def _alert_detail(request, alert_id: int) -> AlertDetail:
    alert = _alert(request, alert_id)
    alert.actions = moves_from(ALERT_MOVES, alert.state) if is_supervisor(request.auth) else []
    return AlertDetail.from_orm(alert)


def _alert(request, alert_id: int) -> Alert:
    alert = alert_get_for_user(request.auth, alert_id)
    if alert is None:
        raise Http404
    return alert


@router.get("/alerts", response=responses(list[AlertOut]), summary="Alerts the caller may see, newest first")
@paginate(BoundedPagination)
def alert_list(request, filters: Query[AlertQuery]):
    """The supervisors' feed (预警纠错), with the page's filters. Supervisors and department leads; anyone else
    is 403 ``permission_denied``, as on the page."""
    if not sees_alerts(request.auth):
        raise PermissionDenied(_("Only supervisors and department leads read the alerts."))
    alerts = alerts_filtered(
        alerts_visible_to(request.auth),
        AlertFilters(
            state=filters.state or "",
            rule=filters.rule,
            level=filters.level or "",
            raised_from=filters.raised_from,
            raised_to=filters.raised_until,
        ),
    )
    if filters.site:
        alerts = alerts.filter(site__code=filters.site)
    if filters.department:
        alerts = alerts.filter(department__code=filters.department)
    return alerts


@router.get("/alerts/{alert_id}", response=responses(AlertDetail, not_found=True), summary="One alert")
def alert_get(request, alert_id: Id):
    return _alert_detail(request, alert_id)


def _write(path: str, *, summary: str, response=None, status: int = 200):
    """A POST endpoint: idempotent, documented with its Idempotency-Key header and error answers."""

    def register(view):
        return router.post(
            path,
            response=responses(response, status=status, not_found="{" in path, write=True),
            summary=summary,
            openapi_extra={"parameters": [OPENAPI_PARAMETER]},
        )(idempotent(view))

    return register


@_write("/alerts/{alert_id}/confirm", summary="Confirm an alert awaiting review", response=AlertDetail)
def alert_confirm_api(request, alert_id: Id, payload: AlertConfirmIn | None = None):
    """A supervisor confirms a pending alert: it opens and its responsible people are told."""
    alert_confirm(actor=request.auth, alert=_alert(request, alert_id))
    return Status(200, _alert_detail(request, alert_id))


@_write("/alerts/{alert_id}/dismiss", summary="Dismiss an alert, saying why", response=AlertDetail)
def alert_dismiss_api(request, alert_id: Id, payload: SupervisionReasonIn):
    alert_dismiss(actor=request.auth, alert=_alert(request, alert_id), reason=payload.reason)
    return Status(200, _alert_detail(request, alert_id))


@_write("/alerts/{alert_id}/resolve", summary="Close an open alert, recording how it was handled", response=AlertDetail)
def alert_resolve_api(request, alert_id: Id, payload: AlertNoteIn):
    alert_resolve(actor=request.auth, alert=_alert(request, alert_id), note=payload.note)
    return Status(200, _alert_detail(request, alert_id))


# --- Supervision orders --------------------------------------------------------------------------------------


class OrderOut(Schema):
    id: int
    number: str
    state: choice(SupervisionOrder.State)
    case_id: int | None
    alert_id: int | None
    window_id: int | None
    department_code: str
    site_code: str
    instruction: str
    due_days: int
    due: datetime.date
    is_overdue: bool = Field(description="Awaiting the department and past its due date.")
    issued_by: str = Field(description="The issuing supervisor's username.")
    issued_at: datetime.datetime
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_department_code(order: SupervisionOrder) -> str:
        return order.department.code

    @staticmethod
    def resolve_site_code(order: SupervisionOrder) -> str:
        return order.site.code

    @staticmethod
    def resolve_is_overdue(order: SupervisionOrder) -> bool:
        return order.state in AWAITING_DEPARTMENT and order.due < timezone.localdate()

    @staticmethod
    def resolve_issued_by(order: SupervisionOrder) -> str:
        return order.issued_by.username


class OrderResponseOut(Schema):
    id: int
    text: str
    responded_by: str
    responded_at: datetime.datetime
    verdict: OrderResponse.Verdict | Literal[""]
    verdict_note: str
    verdict_at: datetime.datetime | None

    @staticmethod
    def resolve_responded_by(response: OrderResponse) -> str:
        return response.responded_by.username


class OrderDetail(OrderOut):
    responses: list[OrderResponseOut]
    actions: list[Literal["respond", "accept", "return", "withdraw"]] = Field(
        description="The moves the caller may make now."
    )

    @staticmethod
    def resolve_responses(order: SupervisionOrder) -> list[OrderResponse]:
        return list(order.responses.select_related("responded_by"))


class OrderQuery(Schema):
    state: choice(SupervisionOrder.State) | None = None
    overdue: bool | None = Field(None, description="true: awaiting the department past the due date.")
    department: Code | None = Field(None, description="A department's code.")


class OrderIssueIn(Input):
    """On a case, an alert or a window (the department is theirs), or on a department as a whole."""

    instruction: Required = Field(description="What must be fixed.")
    due_days: int = Field(ge=MIN_DUE_DAYS, le=MAX_DUE_DAYS, description="Working days to respond.")
    case_id: Id | None = None
    alert_id: Id | None = None
    window_id: Id | None = None
    department: Code | None = Field(None, description="A department's code.")


class RespondIn(Input):
    text: Required


class AcceptIn(Input):
    note: Text = ""


class ReturnIn(Input):
    note: Required
    due_days: int | None = Field(None, ge=MIN_DUE_DAYS, le=MAX_DUE_DAYS, description="A new time to respond.")


def _order(request, order_id: int) -> SupervisionOrder:
    order = order_get_for_user(request.auth, order_id)
    if order is None:
        raise Http404
    return order


def _order_detail(request, order_id: int) -> OrderDetail:
    order = _order(request, order_id)
    order.actions = order_actions_for(request.auth, order)
    return OrderDetail.from_orm(order)


@router.get("/orders", response=responses(list[OrderOut]), summary="Supervision orders the caller may see")
@paginate(BoundedPagination)
def order_list(request, filters: Query[OrderQuery]):
    """督办, newest first: supervisors their jurisdiction's orders, department leads their departments'."""
    orders = orders_visible_to(request.auth)
    if filters.department:
        orders = orders.filter(department__code=filters.department)
    if filters.state:
        orders = orders.filter(state=filters.state)
    if filters.overdue is not None:
        condition = overdue_condition(timezone.localdate())
        orders = orders.filter(condition) if filters.overdue else orders.exclude(condition)
    return orders_with_days_left(orders, timezone.localdate()).order_by("-issued_at", "-pk")


@router.get("/orders/{order_id}", response=responses(OrderDetail, not_found=True), summary="One order")
def order_get(request, order_id: Id):
    """The order with the department's responses and the supervisors' verdicts."""
    return _order_detail(request, order_id)


@_write("/orders", summary="Issue a supervision order", response=OrderDetail, status=201)
def order_issue_api(request, payload: OrderIssueIn):
    """Supervisors only (ALL art. 82 counts the working days). A case, alert or window outside the caller's
    jurisdiction is 422 ``unknown_case``/``unknown_alert``/``unknown_window``."""
    user = request.auth
    target: dict = {}
    if payload.case_id is not None:
        target["case"] = case_get_for_user(user, payload.case_id) or _raise(_unknown("case"))
    if payload.alert_id is not None:
        target["alert"] = alerts_in_scope(user).filter(pk=payload.alert_id).first() or _raise(_unknown("alert"))
    if payload.window_id is not None:
        window = windows_visible_to(user).filter(pk=payload.window_id).first()
        target["window"] = window or _raise(_unknown("window"))
    if payload.department is not None:
        department = Department.objects.filter(code=payload.department, is_active=True).first()
        target["department"] = department or _raise(_unknown("department"))
    order = order_issue(actor=user, instruction=payload.instruction, due_days=payload.due_days, **target)
    return Status(201, _order_detail(request, order.pk))


def _raise(error: Exception):
    raise error


@_write("/orders/{order_id}/respond", summary="Respond to an order (the department)", response=OrderDetail)
def order_respond_api(request, order_id: Id, payload: RespondIn):
    order_respond(actor=request.auth, order=_order(request, order_id), text=payload.text)
    return Status(200, _order_detail(request, order_id))


@_write("/orders/{order_id}/accept", summary="Accept the latest response: the order is closed", response=OrderDetail)
def order_accept_api(request, order_id: Id, payload: AcceptIn):
    order_accept(actor=request.auth, order=_order(request, order_id), note=payload.note)
    return Status(200, _order_detail(request, order_id))


@_write("/orders/{order_id}/return", summary="Return the latest response", response=OrderDetail)
def order_return_api(request, order_id: Id, payload: ReturnIn):
    order_return(actor=request.auth, order=_order(request, order_id), note=payload.note, due_days=payload.due_days)
    return Status(200, _order_detail(request, order_id))


@_write("/orders/{order_id}/withdraw", summary="Withdraw an open order, saying why", response=OrderDetail)
def order_withdraw_api(request, order_id: Id, payload: SupervisionReasonIn):
    order_withdraw(actor=request.auth, order=_order(request, order_id), reason=payload.reason)
    return Status(200, _order_detail(request, order_id))


# --- Accountability ------------------------------------------------------------------------------------------


class RecordOut(Schema):
    id: int
    finding: str
    person_id: int | None
    person_name: str | None
    department_code: str | None
    site_code: str
    measure: choice(AccountabilityRecord.Measure)
    points: Decimal | None
    decided_on: datetime.date
    recorded_by: str
    recorded_at: datetime.datetime
    annulled_at: datetime.datetime | None
    annulment_reason: str

    @staticmethod
    def resolve_person_name(record: AccountabilityRecord) -> str | None:
        return record.person.get_full_name() or record.person.username if record.person_id else None

    @staticmethod
    def resolve_department_code(record: AccountabilityRecord) -> str | None:
        return record.department.code if record.department_id else None

    @staticmethod
    def resolve_site_code(record: AccountabilityRecord) -> str:
        return record.site.code

    @staticmethod
    def resolve_recorded_by(record: AccountabilityRecord) -> str:
        return record.recorded_by.username


class RecordDetail(RecordOut):
    alert_ids: list[int]
    order_numbers: list[str]

    @staticmethod
    def resolve_alert_ids(record: AccountabilityRecord) -> list[int]:
        return sorted(record.alerts.values_list("pk", flat=True))

    @staticmethod
    def resolve_order_numbers(record: AccountabilityRecord) -> list[str]:
        return sorted(record.orders.values_list("number", flat=True))


class RecordQuery(Schema):
    department: Code | None = Field(None, description="A department's code.")
    measure: choice(AccountabilityRecord.Measure) | None = None
    decided_from: Day | None = None
    decided_until: Day | None = None


POINTS_PATTERN = r"^(100(\.0)?|[1-9][0-9]?(\.[0-9])?|0\.[1-9])$"


def _points(value: Any) -> Decimal:
    """Points deducted: a whole number from 1 to 100, or a string with one decimal place ("0.5", "12.5"), as the
    schema says (a float like 0.15 would be valid JSON but not a deduction the record can hold)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100:
        return Decimal(value)
    if isinstance(value, str) and re.fullmatch(POINTS_PATTERN, value):
        return Decimal(value)
    raise ValueError("Give the points as a whole number from 1 to 100, or a string with one decimal place.")


Points = Annotated[
    Decimal,
    PlainValidator(_points),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 100},
                {"type": "string", "pattern": POINTS_PATTERN},
            ]
        }
    ),
]


class RecordIn(Input):
    finding: Required
    measure: choice(AccountabilityRecord.Measure)
    points: Points | None = Field(None, description="A deduction only: more than 0, at most 100, one decimal place.")
    decided_on: Day
    person_id: Id | None = Field(None, description="A staff member in the caller's jurisdiction.")
    department: Code | None = Field(None, description="A department's code.")
    site: Code | None = Field(
        None, description="A site code; default: the linked order's or alert's site, or the person's."
    )
    order_numbers: list[OrderNumber] = Field(default_factory=list, max_length=50)
    alert_ids: list[Id] = Field(default_factory=list, max_length=50)


def _record(request, record_id: int) -> AccountabilityRecord:
    record = accountability_get_for_user(request.auth, record_id)
    if record is None:
        raise Http404
    return record


def _record_detail(request, record_id: int) -> RecordDetail:
    return RecordDetail.from_orm(_record(request, record_id))


@router.get("/accountability", response=responses(list[RecordOut]), summary="Accountability records the caller may see")
@paginate(BoundedPagination)
def accountability_list(request, filters: Query[RecordQuery]):
    """责任追究, latest decision first: supervisors their jurisdiction's, department leads their departments',
    everyone the records about themselves."""
    return accountability_filtered(
        accountability_visible_to(request.auth),
        department_code=filters.department,
        measure=filters.measure,
        start=filters.decided_from,
        end=filters.decided_until,
    )


@router.get("/accountability/{record_id}", response=responses(RecordDetail, not_found=True), summary="One record")
def accountability_get(request, record_id: Id):
    return _record_detail(request, record_id)


@_write("/accountability", summary="Record accountability", response=RecordDetail, status=201)
def accountability_create_api(request, payload: RecordIn):
    """Supervisors only; the person, site, orders and alerts must be in the caller's jurisdiction (422
    ``unknown_person``/``unknown_site``/``unknown_order``/``unknown_alert`` otherwise)."""
    user = request.auth
    person = site = department = None
    if payload.person_id is not None:
        staff = staff_visible_to(user).values("user_id")
        person = User.objects.filter(pk=payload.person_id, pk__in=staff).first() or _raise(_unknown("person"))
    if payload.site is not None:
        site = sites_visible_to(user).filter(code=payload.site).first() or _raise(_unknown("site"))
    if payload.department is not None:
        department = Department.objects.filter(code=payload.department, is_active=True).first()
        department = department or _raise(_unknown("department"))
    numbers = sorted(set(payload.order_numbers))
    orders = list(orders_visible_to(user).filter(number__in=numbers))
    if len(orders) != len(numbers):
        raise _unknown("order")
    ids = sorted(set(payload.alert_ids))
    alerts = list(alerts_in_scope(user).filter(pk__in=ids))
    if len(alerts) != len(ids):
        raise _unknown("alert")
    record = accountability_record_create(
        actor=user,
        finding=payload.finding,
        measure=payload.measure,
        points=payload.points,
        decided_on=payload.decided_on,
        person=person,
        department=department,
        site=site,
        alerts=alerts,
        orders=orders,
    )
    return Status(201, _record_detail(request, record.pk))


@_write("/accountability/{record_id}/annul", summary="Annul a record, saying why", response=RecordDetail)
def accountability_annul_api(request, record_id: Id, payload: SupervisionReasonIn):
    """The record stays on file, out of assessment."""
    accountability_record_annul(actor=request.auth, record=_record(request, record_id), reason=payload.reason)
    return Status(200, _record_detail(request, record_id))


# --- The audit chain's status --------------------------------------------------------------------------------


class AuditVerificationOut(Schema):
    ran_at: datetime.datetime
    is_intact: bool
    events_checked: int
    first_bad_sequence: int | None
    code: str
    reason: str
    duration_ms: int


class CheckpointOut(Schema):
    sequence: int
    hash: str
    signed_at: str = Field(description="UTC, as signed.")


class AuditStatusOut(Schema):
    head_sequence: int = Field(description="The sequence of the chain's last event.")
    latest: AuditVerificationOut | None = Field(description="The last verification; null before the first.")
    runs: list[AuditVerificationOut] = Field(description=f"The last {AUDIT_RUNS_SHOWN} verifications, newest first.")
    checkpoint: CheckpointOut | None = Field(description="The last signed checkpoint; null before the first.")


class QueuedOut(Schema):
    queued: bool


def _require_audit_reader(user: User) -> None:
    """Supervisors and centre administrators, as on the page."""
    if not (is_supervisor(user) or Role.CENTRE_ADMIN in user_scope(user).roles):
        raise PermissionDenied(_("Only supervisors and centre administrators read the audit chain's status."))


@router.get("/audit", response=responses(AuditStatusOut, has_input=False), summary="The audit chain's status")
def audit_status(request):
    """The chain's last verifications (hourly in the worker, or on demand), its head and its latest checkpoint
    (signed outside the database; each verification checks its signature)."""
    _require_audit_reader(request.auth)
    runs = list(AuditVerification.objects.order_by("-ran_at", "-pk")[:AUDIT_RUNS_SHOWN])
    head = AuditHead.objects.values_list("last_sequence", flat=True).first()
    checkpoint = checkpoint_latest()
    return {
        "head_sequence": head or 0,
        "latest": runs[0] if runs else None,
        "runs": runs,
        "checkpoint": checkpoint
        and {
            "sequence": checkpoint.sequence,
            "hash": checkpoint.hash,
            "signed_at": checkpoint.signed_at,
        },
    }


@_write("/audit/verify", summary="Queue a verification of the audit chain now", response=QueuedOut, status=202)
def audit_verify(request):
    """Always through the worker (a long chain takes seconds); ``GET /audit`` shows the run once it has run."""
    _require_audit_reader(request.auth)
    verify_audit_chain_task.enqueue()
    return Status(202, {"queued": True})
