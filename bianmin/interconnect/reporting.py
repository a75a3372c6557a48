"""The upward report (办件上报 and 电子监察 data): the messages the upper-level platform receives, built set-based from
the audit chain and the alerts, in the national codes (``national_codes``), as deliveries for the one outbound
mechanism (``delivery``).

The services are not touched: every move of a case is already an audit event carrying the case's ``status`` after
it (cases/services/_common.py ``_audit``). ``report_collect`` reads the case events after its cursor, a batch at a
time, turns each into its messages and writes them with the cursor in one transaction; message ids are derived from
the event (``<deployment>-<case id>-<sequence>-<part>``), so a batch read twice writes nothing twice. Alerts are not
audited one by one (the sweep raises them set-based), so ``alerts_collect`` reads the alert table: new alerts by id,
closed ones by their closing time (re-reading an overlap is harmless for the same reason).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from bianmin.cases.models import Case
from bianmin.catalog.models import CaseType
from bianmin.core.models import AuditEvent
from bianmin.supervision.models import Alert
from bianmin.supervision.rules import rule_settings

from . import national_codes as codes
from .delivery import deliveries_enqueue
from .models import UPWARD, CollectorCursor

SHANGHAI = ZoneInfo("Asia/Shanghai")
CASE_OBJECT_TYPE = "cases.case"
BATCH = 2000
ENDINGS = ("case.deliver", "case.refuse", "case.withdraw")


def upward_enabled() -> bool:
    return bool(settings.INTERCONNECT_UPWARD_URL)


def cursor_locked(name: str) -> CollectorCursor:
    CollectorCursor.objects.get_or_create(name=name)
    return CollectorCursor.objects.select_for_update().get(name=name)


def _local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(SHANGHAI)


def _envelope(message_id: str, message_type: str, at: datetime.datetime, code: str) -> dict:
    local = _local(at)
    return {
        "message_id": message_id,
        "message_type": message_type,
        "deployment": settings.INTERCONNECT_DEPLOYMENT,
        "occurred_at": local.isoformat(),
        "day": local.date().isoformat(),
        "code": code,
    }


def _case_ref(case: Case) -> dict:
    return {
        "case_id": case.pk,
        "tracking_number": case.tracking_number,
        "item_code": case.item.code,
        "department_code": case.department.code,
        "site_code": case.receiving_site.code,
    }


def _basic(event: AuditEvent, case: Case, base: dict) -> dict:
    return {
        **base,
        "case": _case_ref(case),
        "item_name": case.version.name,
        "applicant_name": case.applicant_name,
        "applicant_id_type": case.applicant_id_type,
        "applicant_id_number": case.applicant_id_number,
        "channel": case.channel,
        "promised_limit": case.version.promised_days,
        "statutory_limit": case.version.statutory_days,
        "limit_unit": codes.WORKING_DAYS_UNIT,
        # 一件事一次办 (bundles) is not built yet: every case is applied for alone.
        "is_bundle": False,
        "received_at": _local(case.received_at or event.occurred_at).isoformat(),
        "materials": [
            {"name": m.name, "state": m.state, "original_seen": m.original_seen, "copy_kept": m.copy_kept}
            for m in case.materials.all()
        ],
    }


def _step(event: AuditEvent, case: Case, base: dict) -> dict:
    step_type, result = codes.STEP_OF_ACTION[event.action]
    payload = event.payload
    if result is None:
        result = codes.REVIEW_OUTCOME_RESULTS[payload.get("outcome", "agree")]
    if event.action in ("case.approve", "case.deny") and case.version.case_type == CaseType.IMMEDIATE:
        step_type = codes.SINGLE_STEP_TYPE
    opinion = payload.get("comment") or payload.get("reasons") or payload.get("reason") or ""
    return {
        **base,
        "case": _case_ref(case),
        "action": event.action.removeprefix("case."),
        "step_type": step_type,
        "step_result": result,
        "step_name": payload.get("task") or codes.STEP_NAMES[event.action],
        "actor": event.actor_label,
        "opinion": str(opinion),
    }


def _special(event: AuditEvent, case: Case, base: dict) -> dict | None:
    payload = event.payload
    if event.action == "case.decide_extension":
        if not payload.get("approved"):
            return None
        special = {"special_step": codes.EXTENSION_SPECIAL_STEP, "procedure": "extension"}
        special |= {"procedure_name": codes.SPECIAL_STEP_NAMES["1"], "phase": "start"}
        special |= {"reason": "", "days": int(payload.get("days") or 0)}
    elif event.action == "case.suspend":
        kind = payload.get("kind", "")
        name = codes.SPECIAL_PROCEDURE_NAMES.get(kind, "")
        special = {"special_step": None, "procedure": kind, "procedure_name": name, "phase": "start"}
        special |= {"reason": payload.get("reason", ""), "days": int(payload.get("expected_days") or 0)}
    else:  # case.resume
        special = {"special_step": None, "procedure": "", "procedure_name": "", "phase": "end", "reason": ""}
        special["days"] = int(payload.get("suspended_working_days") or 0)
    return {**base, "case": _case_ref(case), **special}


def _result(event: AuditEvent, case: Case, base: dict, decisions: dict[int, str]) -> dict:
    if event.action == "case.deliver":
        ended_as = decisions.get(case.pk, "")
    else:
        ended_as = "refused" if event.action == "case.refuse" else "withdrawn"
    certificate = case.certificate_number if ended_as == "approved" else ""
    return {
        **base,
        "case": _case_ref(case),
        "result_type": codes.result_type_code(ended_as=ended_as, has_certificate=bool(certificate)),
        "result_name": case.version.result_name if ended_as in ("approved", "denied") else "",
        "certificate_number": certificate,
    }


def case_messages(events: Iterable[AuditEvent], cases: dict[int, Case], decisions: dict[int, str]) -> list[dict]:
    """The messages of these case events: the basic information at receipt, a step per step, a special procedure
    or extension, the result at the end. ``decisions``: how each ending case was decided (approved/denied)."""
    messages: list[dict] = []
    deployment = settings.INTERCONNECT_DEPLOYMENT
    for event in events:
        case = cases.get(int(event.object_id))
        if case is None:
            continue
        status = codes.case_status_code(event.payload.get("status", ""), event.action)

        def base(part: str, message_type: str, event=event, status=status) -> dict:
            message_id = f"{deployment}-{event.object_id}-{event.sequence}-{part}"
            return _envelope(message_id, message_type, event.occurred_at, status)

        if event.action == "case.submit":
            messages.append(_basic(event, case, base("basic", "case_basic")))
        if event.action in codes.STEP_OF_ACTION:
            messages.append(_step(event, case, base("step", "case_step")))
        if event.action in ("case.suspend", "case.resume", "case.decide_extension"):
            special = _special(event, case, base("special", "case_special"))
            if special:
                messages.append(special)
        if event.action in ENDINGS:
            messages.append(_result(event, case, base("result", "case_result"), decisions))
    return messages


@transaction.atomic
def report_collect(*, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """Turn the case events after the cursor into upward deliveries (one batch); the number of messages queued.
    Nothing is read while no upper platform is configured: the history is reported once one is."""
    if not upward_enabled():
        return 0
    now = now or timezone.now()
    cursor = cursor_locked("upward_cases")
    events = list(
        AuditEvent.objects.filter(sequence__gt=cursor.last_sequence, object_type=CASE_OBJECT_TYPE).order_by("sequence")[
            :batch
        ]
    )
    if not events:
        return 0
    case_ids = {int(event.object_id) for event in events}
    cases = {
        case.pk: case
        for case in Case.objects.filter(pk__in=case_ids)
        .select_related("item", "version", "department", "receiving_site")
        .prefetch_related("materials")
    }
    ending = {int(event.object_id) for event in events if event.action == "case.deliver"}
    decisions = {
        int(object_id): action.removeprefix("case.").replace("approve", "approved").replace("deny", "denied")
        for object_id, action in AuditEvent.objects.filter(
            object_type=CASE_OBJECT_TYPE,
            object_id__in=[str(pk) for pk in ending],
            action__in=("case.approve", "case.deny"),
        ).values_list("object_id", "action")
    }
    queued = deliveries_enqueue(case_messages(events, cases, decisions), destination=UPWARD, now=now)
    cursor.last_sequence = events[-1].sequence
    cursor.save(update_fields=["last_sequence"])
    return queued


def _alert_message(alert: Alert, phase: str, settings_by_rule: dict[str, tuple[str, str]]) -> dict:
    at = alert.raised_at if phase == "raised" else alert.closed_at
    code = codes.ALERT_TYPE_CODES[alert.level] if phase == "raised" else codes.ALERT_CLEARED
    mode = settings_by_rule.get(alert.rule, ("automatic", ""))[0]
    message_id = f"{settings.INTERCONNECT_DEPLOYMENT}-alert-{alert.pk}-{phase}"
    return {
        **_envelope(message_id, "supervision_alert", at, code),
        "alert_id": alert.pk,
        "rule": alert.rule,
        "rule_category": codes.RULE_CATEGORIES[alert.rule],
        "check_method": codes.CHECK_METHOD_CODES[mode],
        "phase": phase,
        "tracking_number": alert.case.tracking_number if alert.case_id else None,
        "site_code": alert.site.code,
        "department_code": alert.department.code if alert.department_id else None,
    }


# Alerts closed in the last minute are read next time: a closing committed a little after another with a later time
# is not skipped by the closing-time cursor.
CLOSING_SETTLE = datetime.timedelta(minutes=1)


@transaction.atomic
def alerts_collect(*, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """The supervision data: each alert when raised (its type code) and when closed (正常), after the cursors (new
    alerts by id; closed ones by closing time and id, since the sweep closes many in the same instant)."""
    if not upward_enabled():
        return 0
    now = now or timezone.now()
    raised_cursor, closed_cursor = cursor_locked("upward_alerts"), cursor_locked("upward_alerts_closed")
    related = ("case", "site", "department")
    raised = list(
        Alert.objects.filter(pk__gt=raised_cursor.last_sequence).select_related(*related).order_by("pk")[:batch]
    )
    closed_after = Q(closed_at__isnull=False, closed_at__lte=now - CLOSING_SETTLE)
    if closed_cursor.last_at:
        closed_after &= Q(closed_at__gt=closed_cursor.last_at) | Q(
            closed_at=closed_cursor.last_at, pk__gt=closed_cursor.last_sequence
        )
    closed = list(Alert.objects.filter(closed_after).select_related(*related).order_by("closed_at", "pk")[:batch])
    if not raised and not closed:
        return 0
    by_rule = rule_settings()
    messages = [_alert_message(alert, "raised", by_rule) for alert in raised]
    messages += [_alert_message(alert, "closed", by_rule) for alert in closed]
    queued = deliveries_enqueue(messages, destination=UPWARD, now=now)
    if raised:
        raised_cursor.last_sequence = raised[-1].pk
        raised_cursor.save(update_fields=["last_sequence"])
    if closed:
        closed_cursor.last_at, closed_cursor.last_sequence = closed[-1].closed_at, closed[-1].pk
        closed_cursor.save(update_fields=["last_at", "last_sequence"])
    return queued


def reported_up_to() -> int:
    """The last audit sequence the upward report has read (the staff page shows how far behind it is)."""
    return CollectorCursor.objects.filter(name="upward_cases").aggregate(last=Max("last_sequence"))["last"] or 0
