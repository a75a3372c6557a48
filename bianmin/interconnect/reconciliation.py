"""对账: each day, what the upward report delivered compared with what the upper platform says it holds.

Per ``<message type>/<code>`` of the day (the case's national status; an alert's type), both sides compute the count
and the SHA-256 of the sorted message ids (``receiver.figures_of``): equal checksums mean the same messages, not
merely as many. Any difference (or a receiver that does not answer) is recorded on the ``Reconciliation`` row,
shown on the outbound page, and sent to the inbox of the county's centre administrators — the people who can
re-send — rather than raised as a supervision alert: a lost message is the platform's fault, not a department's,
and supervision's alerts are reserved for the conduct of staff it scores.
"""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.org.models import Role, RoleAssignment
from bianmin.supervision.inbox import inbox_send

from .delivery import signed_headers
from .models import UPWARD, Delivery, Reconciliation
from .receiver import figures_of


def figures_ours(day: datetime.date) -> dict[str, dict]:
    """Our figures of the day: every upward message delivered (sent or acknowledged), by message type and code."""
    rows = Delivery.objects.filter(destination=UPWARD, day=day, state__in=Delivery.DELIVERED).values_list(
        "message_id", "message_type", "code"
    )
    return figures_of(
        {message_id: (day.isoformat(), f"{kind}/{code}") for message_id, kind, code in rows}, day.isoformat()
    )


def figures_theirs(day: datetime.date, *, now: datetime.datetime) -> dict[str, dict]:
    """The receiver's figures of the day (a signed GET of its reconciliation endpoint); ``OSError`` when it fails."""
    url = settings.INTERCONNECT_UPWARD_URL.rstrip("/") + "/reconciliation?" + urlencode({"day": day.isoformat()})
    headers = signed_headers(settings.INTERCONNECT_UPWARD_SECRET, f"reconciliation-{day.isoformat()}", b"", now)
    request = urllib.request.Request(url, headers=headers, method="GET")
    with urllib.request.urlopen(request, timeout=settings.INTERCONNECT_TIMEOUT_SECONDS) as response:
        answer = json.loads(response.read(4 * 1024 * 1024))
    return answer.get("figures", {}) if isinstance(answer, dict) else {}


def figures_compare(ours: dict[str, dict], theirs: dict[str, dict]) -> list[dict]:
    """The keys whose count or checksum differ, with both sides' figures (an empty side: zero, no checksum)."""
    empty = {"count": 0, "checksum": ""}
    return [
        {"key": key, "ours": ours.get(key, empty), "theirs": theirs.get(key, empty)}
        for key in sorted(set(ours) | set(theirs))
        if ours.get(key, empty) != theirs.get(key, empty)
    ]


def _county_administrators() -> list[int]:
    return list(
        RoleAssignment.objects.filter(
            role=Role.CENTRE_ADMIN, is_active=True, site__parent__isnull=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def reconcile_day(day: datetime.date, *, now: datetime.datetime | None = None) -> Reconciliation:
    """Compare one day and record it; tell the county's administrators when it does not balance."""
    now = now or timezone.now()
    ours = figures_ours(day)
    error = ""
    try:
        theirs = figures_theirs(day, now=now)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        theirs, error = {}, str(getattr(exc, "reason", exc))[:300]
    differences = [] if error else figures_compare(ours, theirs)
    with transaction.atomic():
        run = Reconciliation.objects.create(
            day=day, ran_at=now, ours=ours, theirs=theirs, differences=differences, error=error
        )
        if not run.is_balanced:
            counts: dict[str, int] = defaultdict(int)
            for difference in differences:
                counts["missing"] += max(difference["ours"]["count"] - difference["theirs"]["count"], 0)
            body = (
                _("The upper platform could not be asked for its figures: %(error)s") % {"error": error}
                if error
                else _("%(keys)s figures differ; the receiver is missing %(missing)s messages.")
                % {"keys": len(differences), "missing": counts["missing"]}
            )
            inbox_send(
                recipient_ids=_county_administrators(),
                subject=_("The upward report of %(day)s does not reconcile") % {"day": day.isoformat()},
                body=body,
                url=reverse("interconnect:deliveries"),
                now=now,
            )
    return run


# Days that did not balance are compared again on the following days (a message still in flight at midnight, a
# re-send after the alert), for this many days.
RECHECK_DAYS = 7


def days_to_reconcile(today: datetime.date) -> list[datetime.date]:
    """Yesterday, and every day of the last week whose latest comparison did not balance."""
    since = today - datetime.timedelta(days=RECHECK_DAYS)
    latest: dict[datetime.date, Reconciliation] = {}
    for run in Reconciliation.objects.filter(day__gte=since, day__lt=today).order_by("day", "ran_at", "pk"):
        latest[run.day] = run
    unbalanced = {day for day, run in latest.items() if not run.is_balanced}
    return sorted(unbalanced | {today - datetime.timedelta(days=1)})


def reconcile_recent(*, now: datetime.datetime | None = None) -> list[Reconciliation]:
    """The daily task: yesterday (Beijing time) and the recent days that did not balance, while an upper platform
    is configured."""
    if not settings.INTERCONNECT_UPWARD_URL:
        return []
    now = now or timezone.now()
    return [reconcile_day(day, now=now) for day in days_to_reconcile(timezone.localdate(now))]
