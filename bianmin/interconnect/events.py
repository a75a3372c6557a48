"""The public shape of an audit event for other systems: the event feed (``GET /api/v1/events``) answers it and the
webhooks deliver it, so a consumer parses one format whichever way the events reach it.

Only the object types in ``FEED_OBJECT_TYPES`` leave the platform; the events of accounts, roles and the
configuration stay inside. ``id`` is the event's place in the audit chain, the cursor a consumer resumes after.

The events of a case (``object.type == "case"``, ``object.id`` the case's id) and of a licence (``"licence"``, with
``data.case``, the case it was issued on). Every case event carries ``data.status``, the
case's status after the move (``draft``, ``received``, ``supplement_requested``, ``accepted``, ``suspended``,
``approved``, ``denied``, ``refused``, ``withdrawn``, ``closed``): a consumer keeps a case's status by taking the last
event's. Dates are ``YYYY-MM-DD`` in Asia/Shanghai, sites and items by code, notices by number. Staff-scoped systems
read the feed, so the data is unmasked, as in the case API (``EVENT_TYPES`` is the table; the OpenAPI description
of the operation shows it too).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bianmin.core.models import AuditEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The audit chain's object type → the name other systems see.
FEED_OBJECT_TYPES: dict[str, str] = {"cases.case": "case", "licences.licence": "licence"}

# Each event type of the feed → the fields of its ``data`` besides ``status``.
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "case.submit": (
        "received at intake",
        "channel, site, relay_site, version, delivery, delivery_site[, duplicate_of, reason]",
    ),
    "case.link_application": ("the applicant asked again for an open case", "site, channel"),
    "case.request_supplement": (
        "the one-time supplement notice (ALL art. 32)",
        "notice, problems, is_repeat, repeat_reason",
    ),
    "case.receive_supplement": ("supplementary materials received", "materials, outstanding"),
    "case.waive_material": ("a material recorded as not needed", "material, reason"),
    "case.accept": ("accepted (ALL art. 32)", "accepted_on, promised_due, statutory_due, notice, after_window, reason"),
    "case.accept_deemed": (
        "accepted by law after 5 working days",
        "accepted_on, promised_due, statutory_due, notice, after_window, reason",
    ),
    "case.refuse": ("not accepted", "notice, reasons, competent_organ"),
    "case.forward": ("moved to the site of its open step", "to_site"),
    "case.complete_task": ("a review step done", "task, outcome, comment, late"),
    "case.consent_by_silence": ("a joint review taken as consent", "task, department, due"),
    "case.suspend": ("a special procedure began (ALL art. 45)", "kind, reason, expected_days, notice"),
    "case.resume": ("the special procedure ended", "suspended_working_days, promised_due"),
    "case.request_extension": ("an extension asked for (ALL art. 42)", "days, reason"),
    "case.decide_extension": ("the extension decided", "approved, days, promised_due"),
    "case.recompute_deadlines": ("the calendar changed the deadlines", "years, promised_due, statutory_due"),
    "case.approve": ("approved", "notice, reasons, on_time"),
    "case.deny": ("denied", "notice, reasons, on_time"),
    "case.issue_certificate": ("the licence issued (制证)", "certificate, licence, valid_from, valid_until, late"),
    "case.collect_fee": ("the fee collected", "amount, receipt, notice"),
    "case.mark_ready": ("the result is ready", "method, delivery_site, sent_from"),
    "case.receive_result": ("the result arrived at the delivery site", "site"),
    "case.deliver": ("the result handed over; the case is closed", "method, note, site, notice, post_tracking_number"),
    "case.record_signature": ("the signed delivery receipt returned", "(none)"),
    "case.withdraw": ("the applicant withdrew", "reason"),
    "case.imported": (
        "imported from another system",
        "imported (true), source, original_number, tracking_number, item, site, current_site, received_on, "
        "accepted_on, acceptance_due, promised_due, statutory_due",
    ),
    # A licence's own moves (its issue is the case's ``case.issue_certificate``); ``data.status`` is the licence's.
    "licence.revoke": ("the licence revoked (ALL art. 69–70)", "number, case, reason"),
    "licence.replace": ("the licence replaced (补证) by a new one", "number, case, reason, successor"),
    "licence.change": ("the licence changed (变更): a new one replaces it", "number, case, reason, successor"),
}


def event_types_table() -> str:
    """``EVENT_TYPES`` as a Markdown table (the feed operation's OpenAPI description)."""
    lines = ["| type | when | data besides status |", "|---|---|---|"]
    lines += [f"| `{name}` | {when} | {fields} |" for name, (when, fields) in EVENT_TYPES.items()]
    return "\n".join(lines)


def event_body(event: AuditEvent) -> dict:
    """One event as other systems receive it: ``{"id", "type", "occurred_at", "object": {"type", "id"}, "data"}``.

    ``data`` is the event's payload as the audit chain holds it (for a case: its ``status`` after the move and
    what the move recorded)."""
    return {
        "id": event.sequence,
        "type": event.action,
        "occurred_at": event.occurred_at.astimezone(SHANGHAI).isoformat(),
        "object": {"type": FEED_OBJECT_TYPES[event.object_type], "id": event.object_id},
        "data": dict(event.payload),
    }
