"""What every move of a case shares: the law's periods, the clock, the row lock, notices, the audit, the SMS."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.catalog.models import ServiceItemVersion
from bianmin.core.audit import audit_record
from bianmin.core.notify import notify
from bianmin.core.numbering import counter_next
from bianmin.core.workdays import add_workdays
from bianmin.org.models import Site

from ..access import case_index_refresh
from ..models import (
    Case,
    Notice,
    ReviewTask,
)

PRECHECK_WORKING_DAYS = 5  # ALL art. 32
CERTIFICATE_WORKING_DAYS = 10  # ALL art. 44
APPEAL_RIGHTS = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
)


# --- Small helpers ------------------------------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "version", "department", "receiving_site", "current_site", "relay_site")
        .get(pk=case.pk)
    )


def _tracking_number(site: Site, on: datetime.date) -> str:
    return f"{site.code}-{on:%Y%m%d}-{counter_next(f'track:{site.code}:{on:%Y%m%d}'):04d}"


NOTICE_PREFIX = {
    Notice.Kind.ACCEPTANCE: "SL",
    Notice.Kind.SUPPLEMENT: "BZ",
    Notice.Kind.REFUSAL: "BY",
    Notice.Kind.SUSPENSION: "TB",
    Notice.Kind.EXTENSION: "YQ",
    Notice.Kind.APPROVAL: "ZY",
    Notice.Kind.DENIAL: "BX",
    Notice.Kind.FEE_RECEIPT: "SF",
    Notice.Kind.DELIVERY: "SD",
}


def _issue(case: Case, kind: str, actor: User | None, now: datetime.datetime, content: dict, **extra) -> Notice:
    if kind == Notice.Kind.RECEIPT:
        number = case.tracking_number
    else:
        year = _local_date(now).year
        number = f"{case.current_site.code}-{NOTICE_PREFIX[kind]}-{year}-{counter_next(f'notice:{kind}:{year}'):05d}"
    return Notice.objects.create(
        case=case,
        kind=kind,
        number=number,
        issued_at=now,
        issued_by=actor,
        issuer_name=case.version.responsible_organisation,
        content=content,
        **extra,
    )


def _audit(actor: User | None, action: str, case: Case, *, at: datetime.datetime | None = None, **payload) -> None:
    """Record the move, and bring the case's clock columns and access keys up to what it saved (every service
    ends here, in its transaction, so lists and scopes never see a case in a state it was not left in)."""
    case_index_refresh(case)
    audit_record(
        actor=actor, action=f"case.{action}", obj=case, payload={"status": case.status, **payload}, occurred_at=at
    )


def _tell(case: Case, event: str, text: str) -> None:
    notify(
        phone=case.applicant_phone,
        subject=_("Your application %(number)s") % {"number": case.tracking_number},
        body=f"【便民服务】{case.applicant_name}：{text}（办件编号 {case.tracking_number}）",
        obj=case,
        event=event,
    )


def _deciding_site_of(version: ServiceItemVersion, site: Site) -> Site:
    """The ancestor of ``site`` (itself included) at the level that decides ``version``'s applications."""
    while site.level != version.deciding_level and site.parent_id:
        site = site.parent
    return site


# --- Steps and clocks (acceptance, review, the sweeps) --------------------------------------------------------


def _open_next_step(case: Case, on: datetime.date) -> ReviewTask | None:
    task = (
        case.tasks.filter(is_parallel=False, state=ReviewTask.State.WAITING)
        .select_related("site")
        .order_by("position")
        .first()
    )
    if task is None:
        return None
    _step_opened(task, on)
    task.save(update_fields=["state", "opened_on", "due"])
    return task


def _step_opened(task: ReviewTask, on: datetime.date) -> None:
    """A step opens on ``on`` and is due its limit in working days later (the caller writes it)."""
    task.state = ReviewTask.State.OPEN
    task.opened_on = on
    task.due = add_workdays(on, task.limit_days).date


def _move_to_step(case: Case, task: ReviewTask | None, actor: User | None, now: datetime.datetime) -> None:
    """The case goes where its open step is done (up to the town or the county, or back): forwarded, audited. Called
    after the move's own audit, so the timeline reads "step done, then forwarded"."""
    if task is None or task.site_id == case.current_site_id:
        return
    case.current_site = task.site
    case.forwarded_at = now
    case.save(update_fields=["current_site", "forwarded_at"])
    _audit(actor, "forward", case, at=now, to_site=task.site.code)


def _set_deadlines(case: Case) -> None:
    """Case-level clocks from acceptance: promised and statutory limit, plus extensions and suspended days."""
    version = case.version
    shift = case.extension_days + case.suspended_days
    promised = add_workdays(case.accepted_on, version.promised_days + shift)
    statutory = add_workdays(case.accepted_on, version.statutory_days + shift)
    case.promised_due, case.statutory_due = promised.date, statutory.date
    case.deadlines_provisional = promised.is_provisional or statutory.is_provisional


def _finish_task(task: ReviewTask, actor: User | None, outcome: str, comment: str, now: datetime.datetime) -> None:
    task.state = ReviewTask.State.DONE
    task.completed_at = now
    task.completed_by = actor
    task.outcome = outcome
    task.comment = comment.strip()
    task.save(update_fields=["state", "completed_at", "completed_by", "outcome", "comment"])
