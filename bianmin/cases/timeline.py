"""A case's story from its audit chain, in words: every event for the staff's case page, the milestones for the
applicant's tracking page. One table says how each event reads to each of them."""

from __future__ import annotations

import zoneinfo
from typing import NamedTuple

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from bianmin.catalog.models import SpecialProcedure
from bianmin.core.audit import audit_events_for

from .models import Case, Channel, DeliveryChoice, DeliveryMethod, ReviewTask, Status

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Label(NamedTuple):
    """How an event reads on the case page, and to the applicant when it is a milestone of theirs (None: not shown)."""

    staff: Promise
    applicant: Promise | None = None


def _everyone(label: Promise) -> Label:
    """An event that reads the same on the case page and to the applicant."""
    return Label(label, label)


# audit action -> its label; the chain stores stable codes.
LABELS: dict[str, Label] = {
    "case.submit": _everyone(gettext_lazy("Application received")),
    "case.request_supplement": Label(
        gettext_lazy("Supplement notice issued"),
        gettext_lazy("Supplementary materials requested"),
    ),
    "case.receive_supplement": _everyone(gettext_lazy("Supplementary materials received")),
    "case.waive_material": Label(gettext_lazy("Material recorded as not needed")),
    "case.attach_scan": Label(gettext_lazy("Scan of a material added")),
    "case.link_application": Label(gettext_lazy("The applicant asked again elsewhere: linked to this case")),
    "case.accept": _everyone(gettext_lazy("Accepted")),
    "case.accept_deemed": Label(
        gettext_lazy("Accepted by law: no answer within 5 working days"),
        gettext_lazy("Accepted by law: no answer came within 5 working days"),
    ),
    "case.refuse": _everyone(gettext_lazy("Not accepted")),
    "case.complete_task": Label(gettext_lazy("Review step completed")),
    "case.forward": Label(gettext_lazy("Forwarded to the site of its next step")),
    "case.consent_by_silence": Label(gettext_lazy("Joint review: consent by silence")),
    "case.suspend": Label(
        gettext_lazy("Suspended for a special procedure"),
        gettext_lazy("Paused for a special procedure"),
    ),
    "case.resume": Label(gettext_lazy("Special procedure ended, clock resumed"), gettext_lazy("Resumed")),
    "case.request_extension": Label(gettext_lazy("Extension requested")),
    "case.decide_extension": Label(gettext_lazy("Extension decided"), gettext_lazy("Time limit extended")),
    "case.approve": Label(gettext_lazy("Approved"), gettext_lazy("Decided: approved")),
    "case.deny": Label(gettext_lazy("Denied"), gettext_lazy("Decided: denied")),
    "case.issue_certificate": Label(gettext_lazy("Certificate issued")),
    "case.collect_fee": Label(gettext_lazy("Fee collected")),
    "case.mark_ready": _everyone(gettext_lazy("Result ready")),
    "case.receive_result": Label(
        gettext_lazy("Result arrived at the site that hands it over"), gettext_lazy("Result ready for collection")
    ),
    "case.deliver": Label(gettext_lazy("Result delivered, case closed"), gettext_lazy("Result delivered")),
    "case.record_signature": Label(gettext_lazy("Signed delivery receipt recorded")),
    "case.withdraw": Label(gettext_lazy("Withdrawn by the applicant"), pgettext_lazy("case status", "Withdrawn")),
    "case.recompute_deadlines": Label(gettext_lazy("Deadlines recomputed after a calendar change")),
    "case.imported": Label(gettext_lazy("Imported from the system where it was received")),
}
MILESTONES = [action for action, label in LABELS.items() if label.applicant is not None]

PAYLOAD_LABELS = {
    "channel": gettext_lazy("Channel"),
    "site": gettext_lazy("Site"),
    "relay_site": gettext_lazy("Relaying site"),
    "version": gettext_lazy("Item version"),
    "notice": gettext_lazy("Notice"),
    "problems": gettext_lazy("Materials listed"),
    "is_repeat": gettext_lazy("Repeated notice"),
    "repeat_reason": gettext_lazy("Reason for a second notice"),
    "materials": gettext_lazy("Materials"),
    "material": gettext_lazy("Material"),
    "file_name": gettext_lazy("File"),
    "replaced": gettext_lazy("Replaced an earlier scan"),
    "outstanding": gettext_lazy("Still missing or defective"),
    "duplicate_of": gettext_lazy("Registered beside the open case"),
    "accepted_on": gettext_lazy("Accepted on"),
    "promised_due": gettext_lazy("Promised deadline"),
    "statutory_due": gettext_lazy("Statutory deadline"),
    "reason": gettext_lazy("Reason"),
    "reasons": gettext_lazy("Reasons"),
    "competent_organ": gettext_lazy("Competent organ"),
    "task": gettext_lazy("Step"),
    "outcome": gettext_lazy("Opinion"),
    "comment": gettext_lazy("Comments"),
    "late": gettext_lazy("Late"),
    "to_site": gettext_lazy("To site"),
    "department": gettext_lazy("Department"),
    "due": gettext_lazy("Due"),
    "kind": gettext_lazy("Procedure"),
    "expected_days": gettext_lazy("Expected working days"),
    "suspended_working_days": gettext_lazy("Working days suspended"),
    "days": gettext_lazy("Working days"),
    "approved": pgettext_lazy("extension", "Approved"),
    "on_time": gettext_lazy("On time"),
    "certificate": gettext_lazy("Certificate number"),
    "valid_until": gettext_lazy("Valid until"),
    "amount": gettext_lazy("Amount (yuan)"),
    "receipt": gettext_lazy("Receipt number"),
    "method": gettext_lazy("Delivery"),
    "delivery": gettext_lazy("Where the result is handed over"),
    "delivery_site": gettext_lazy("Delivery site"),
    "sent_from": gettext_lazy("Result sent from"),
    "post_tracking_number": gettext_lazy("Postal tracking number"),
    "note": gettext_lazy("Note"),
    "years": gettext_lazy("Calendar years"),
    "source": gettext_lazy("Original system"),
    "original_number": gettext_lazy("Number in the original system"),
}
# Flags shown only when they are set (a "late: no" on every row is noise).
SHOWN_WHEN_TRUE = {"late", "is_repeat", "replaced"}


def _value_choices() -> dict[str, dict]:
    return {
        "channel": dict(Channel.choices),
        "outcome": dict(ReviewTask.Outcome.choices),
        "kind": dict(SpecialProcedure.Kind.choices),
        "method": dict(DeliveryMethod.choices),
        "delivery": dict(DeliveryChoice.choices),
    }


def _payload_text(key: str, value, choices: dict[str, dict]) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(str(part) for part in value)
    if key in choices:
        return str(choices[key].get(value, value))
    return str(value)


def _payload_details(payload: dict, choices: dict[str, dict]) -> list[tuple[str, str]]:
    details = []
    for key, label in PAYLOAD_LABELS.items():
        value = payload.get(key)
        if value in (None, "", []) or (key in SHOWN_WHEN_TRUE and not value):
            continue
        details.append((label, _payload_text(key, value, choices)))
    return details


def case_timeline(case: Case) -> list[dict]:
    """The case's audit events as the page shows them: Beijing time, who, what (in words), key details."""
    choices = _value_choices()
    statuses = dict(Status.choices)
    timeline = []
    for event in audit_events_for(case).select_related("actor"):
        timeline.append(
            {
                "at": timezone.localtime(event.occurred_at, SHANGHAI),
                "actor": event.actor.get_full_name() if event.actor else _("System"),
                "label": LABELS[event.action].staff if event.action in LABELS else event.action,
                "status": statuses.get(event.payload.get("status"), ""),
                "details": _payload_details(event.payload, choices),
            }
        )
    return timeline


PROCEDURES = dict(SpecialProcedure.Kind.choices)


def case_milestones(case: Case) -> list[dict]:
    """The applicant's milestones from the case's audit chain; staff names and comments are not shown."""
    events = audit_events_for(case).filter(action__in=MILESTONES).only("action", "occurred_at", "payload")
    timeline = []
    for event in events:
        if event.action == "case.decide_extension" and not event.payload.get("approved"):
            continue
        timeline.append(
            {
                "label": LABELS[event.action].applicant,
                "at": event.occurred_at,
                "days": event.payload.get("days") or event.payload.get("expected_days"),
                "procedure": PROCEDURES.get(event.payload.get("kind", ""), ""),  # only a suspension names one
            }
        )
    return timeline
