"""The upward report's messages, one schema per message type (pydantic models; ``message_json_schema`` gives the
JSON Schema the upper platform is handed). The reference receiver validates every message against them.

Every message has the same envelope — ``message_id`` (deterministic: ``<deployment>-<case id>-<audit sequence>-
<part>``, or ``<deployment>-alert-<id>-<raised|closed>``), ``message_type``, ``deployment``, ``occurred_at`` (Beijing
time, ISO 8601), ``day`` (its local date) and ``code`` (the national status of the case, or the alert type): the
reconciliation counts per day, message type and code.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from . import national_codes as codes

StatusCode = Literal[tuple(codes.CASE_STATUS_NAMES)]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Envelope(_Strict):
    message_id: str = Field(min_length=1, max_length=120)
    deployment: str = Field(min_length=1)
    occurred_at: datetime.datetime
    day: datetime.date
    code: str


class CaseRef(_Strict):
    case_id: int
    tracking_number: str | None
    item_code: str
    department_code: str
    site_code: str


class Material(_Strict):
    name: str
    state: Literal["provided", "missing", "defective", "waived"]
    original_seen: bool
    copy_kept: bool


class CaseBasic(Envelope):
    """办件基本信息, when the case is received."""

    message_type: Literal["case_basic"]
    code: StatusCode
    case: CaseRef
    item_name: str
    applicant_name: str
    applicant_id_type: Literal["resident_id", "passport", "credit_code", "other"]
    applicant_id_number: str
    channel: Literal["online", "window", "agency"]
    promised_limit: int = Field(ge=0)
    statutory_limit: int = Field(ge=0)
    limit_unit: Literal[tuple(codes.LIMIT_UNIT_NAMES)]  # type: ignore[valid-type]
    is_bundle: bool
    received_at: datetime.datetime
    materials: list[Material]


class CaseStep(Envelope):
    """办理过程: one step, its type and result."""

    message_type: Literal["case_step"]
    code: StatusCode
    case: CaseRef
    action: str
    step_type: Literal[tuple(codes.STEP_TYPE_NAMES)]  # type: ignore[valid-type]
    step_result: Literal[tuple(codes.STEP_RESULT_NAMES)]  # type: ignore[valid-type]
    step_name: str
    actor: str
    opinion: str


class CaseSpecial(Envelope):
    """特别程序: a special procedure starting or ending, or an extension (special step 1, 延长审批)."""

    message_type: Literal["case_special"]
    code: StatusCode
    case: CaseRef
    special_step: Literal[tuple(codes.SPECIAL_STEP_NAMES)] | None  # type: ignore[valid-type]
    procedure: str
    procedure_name: str
    phase: Literal["start", "end"]
    reason: str
    days: int = Field(ge=0)


class CaseResult(Envelope):
    """办理结果: what the applicant received."""

    message_type: Literal["case_result"]
    code: StatusCode
    case: CaseRef
    result_type: Literal[tuple(codes.RESULT_TYPE_NAMES)]  # type: ignore[valid-type]
    result_name: str
    certificate_number: str


class SupervisionAlert(Envelope):
    """电子监察: an alert raised or closed, with its type, the rule's category and how it is checked."""

    message_type: Literal["supervision_alert"]
    code: Literal[tuple(codes.ALERT_TYPE_NAMES)]  # type: ignore[valid-type]
    alert_id: int
    rule: str
    rule_category: Literal[tuple(codes.RULE_CATEGORY_NAMES)]  # type: ignore[valid-type]
    check_method: Literal[tuple(codes.CHECK_METHOD_NAMES)]  # type: ignore[valid-type]
    phase: Literal["raised", "closed"]
    tracking_number: str | None
    site_code: str
    department_code: str | None


MESSAGE_TYPES: dict[str, type[Envelope]] = {
    "case_basic": CaseBasic,
    "case_step": CaseStep,
    "case_special": CaseSpecial,
    "case_result": CaseResult,
    "supervision_alert": SupervisionAlert,
}


def message_json_schema(message_type: str) -> dict:
    return MESSAGE_TYPES[message_type].model_json_schema()


def message_validate(body: object) -> Envelope:
    """The message as its schema reads it; ``ValueError`` (pydantic's ValidationError) when it does not fit."""
    if not isinstance(body, dict) or body.get("message_type") not in MESSAGE_TYPES:
        raise ValueError("unknown message_type")
    return MESSAGE_TYPES[body["message_type"]].model_validate(body)
