"""Cases accepted in another system, imported (a town that ran its own system joins the platform).

A batch is validated whole before anything is written: every problem is reported with its row and field, and one
bad row means nothing is imported. Each imported case:

- keeps its number in the original system (``Case.original_number``, with ``original_source``; unique per source,
  so the same batch imported twice is refused) and gets a tracking number of ours as well, from the receiving
  site's counter of its receipt day. Ours, because the tracking number is the platform's one public key (the
  tracking page, the SMS, the notices, the upward report) and its form names the site and day; the other system's
  numbers follow another pattern and may repeat across systems. The original number is in the import's event,
  so the case page's and the API's timeline show it, and so does the feed;
- is received at a site by code, for an item by code (the item's current version), on the dates the other system
  recorded; our calendar computes the clocks: ``acceptance_due`` (ALL art. 32, 5 working days) for a case still
  awaiting acceptance, the promised and statutory deadlines (ALL art. 42, 82) for an accepted one, whose review
  steps then open here as at an acceptance;
- is recorded in the audit chain by one event ``case.imported`` whose payload says ``imported: true``, the source,
  the original number and the status, so the feed and the timeline show where the case came from. No notice is
  issued and no SMS sent: the other system did that when it received and accepted the case.

Only ``received`` and ``accepted`` cases are imported: the cases still running, which the town goes on handling
here. Finished cases stay in the archive of the old system.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.accounts.models import User
from bianmin.catalog.models import ServiceItem
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.workdays import add_workdays
from bianmin.org.models import Site
from bianmin.org.selectors import administration_of

from ..access import cases_index_refresh_ids
from ..idnumbers import validate_id_number
from ..models import Case, Channel, DeliveryMethod, IdType, Status
from ._common import PRECHECK_WORKING_DAYS, _local_date, _now, _set_deadlines, _tracking_number
from .duplicates import normalised_id_number
from .intake import PHONE, _open_tasks

MAX_ROWS = 2000
IMPORTABLE_STATUSES = (Status.RECEIVED, Status.ACCEPTED)
# The fields of a row, in the order of the file's columns (the template, the API's schema).
FIELDS = (
    "original_number",
    "item",
    "site",
    "applicant_name",
    "applicant_id_type",
    "applicant_id_number",
    "applicant_phone",
    "applicant_address",
    "channel",
    "received_on",
    "accepted_on",
    "status",
    "details",
)
REQUIRED = ("original_number", "item", "site", "applicant_name", "applicant_id_number", "applicant_phone")
MAX_LENGTHS = {
    "original_number": 40,
    "applicant_name": 100,
    "applicant_id_number": 40,
    "applicant_phone": 20,
    "applicant_address": 200,
    "details": 2000,
}
# What a field is called in an error message.
FIELD_NAMES = {
    "original_number": gettext_lazy("original number"),
    "item": gettext_lazy("item code"),
    "site": gettext_lazy("site code"),
    "applicant_name": gettext_lazy("applicant"),
    "applicant_id_type": gettext_lazy("identity document"),
    "applicant_id_number": gettext_lazy("document number"),
    "applicant_phone": gettext_lazy("mobile phone"),
    "applicant_address": gettext_lazy("address"),
    "channel": gettext_lazy("channel"),
    "received_on": gettext_lazy("received on"),
    "accepted_on": gettext_lazy("accepted on"),
    "status": gettext_lazy("status"),
    "details": gettext_lazy("what is applied for"),
}


@dataclass(frozen=True)
class ImportProblem:
    """One problem of a batch: the row (the file's row number, or the position in the API's list from 1), the
    field (a name of ``FIELDS``; empty for the batch as a whole) and a translated sentence."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        if not self.field:
            return self.message
        return _("Row %(row)d, %(field)s: %(problem)s") % {
            "row": self.row,
            "field": FIELD_NAMES[self.field],
            "problem": self.message,
        }

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


class CaseImportRefused(DomainError):
    """Nothing was imported; ``problems`` lists every problem found, each with its row and field."""

    code = "import_invalid"
    status = 422

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        self.errors = [problem.as_dict() for problem in problems]
        super().__init__(
            _("Nothing was imported: %(count)d problem(s) in the batch.") % {"count": len(problems)}
            + " "
            + " ".join(str(problem) for problem in problems)
        )


@dataclass
class _Checked:
    """A row that passed every check, with what it refers to loaded."""

    row: int
    values: dict[str, Any]
    item: ServiceItem
    site: Site


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> datetime.date | None:
    """A date from a file's cell or a JSON string: an Excel date, or ``YYYY-MM-DD``; None when it is not one."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        return None


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class _Batch:
    """The checks of a batch, collecting every problem instead of stopping at the first."""

    def __init__(self, actor: User, source: str, today: datetime.date, row_numbers: list[int]):
        self.administration = administration_of(actor)
        self.source = source
        self.today = today
        self.row_numbers = row_numbers
        self.problems: list[ImportProblem] = []
        self.seen: dict[str, int] = {}

    def problem(self, row: int, field: str, message: str) -> None:
        self.problems.append(ImportProblem(row, field, message))

    def check(self, rows: list[dict[str, Any]]) -> list[_Checked]:
        texts = [{name: _text(values.get(name)) for name in FIELDS} for values in rows]
        items = {
            item.code: item
            for item in ServiceItem.objects.select_related("current_version", "department").filter(
                code__in={values["item"] for values in texts}
            )
        }
        sites = {
            site.code: site
            for site in Site.objects.filter(code__in={values["site"] for values in texts}, is_active=True)
        }
        taken = set(
            Case.objects.filter(
                original_source=self.source, original_number__in=[values["original_number"] for values in texts]
            ).values_list("original_number", flat=True)
        )
        checked = []
        for index, (raw, values) in enumerate(zip(rows, texts, strict=True)):
            row = self.row_numbers[index]
            before = len(self.problems)
            unknown = sorted(set(raw) - set(FIELDS))
            if unknown:
                self.problem(
                    row,
                    "",
                    _("Row %(row)d: unknown columns %(columns)s.") % {"row": row, "columns": ", ".join(unknown)},
                )
            item, site = self._row(row, raw, values, items, sites, taken)
            if len(self.problems) == before:
                checked.append(_Checked(row, values | self._dates(raw), item, site))
        return checked

    def _dates(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"received_on": _date(raw.get("received_on")), "accepted_on": _date(raw.get("accepted_on"))}

    def _row(self, row, raw, values, items, sites, taken) -> tuple[ServiceItem | None, Site | None]:
        for name in REQUIRED:
            if not values[name]:
                self.problem(row, name, _("This field is required."))
        for name, length in MAX_LENGTHS.items():
            if len(values[name]) > length:
                self.problem(row, name, _("At most %(max)d characters.") % {"max": length})
        number = values["original_number"]
        if number:
            if number in self.seen:
                self.problem(
                    row, "original_number", _("The same number is on row %(row)d.") % {"row": self.seen[number]}
                )
            elif number in taken:
                self.problem(
                    row, "original_number", _("A case with this number was imported from this system already.")
                )
            self.seen.setdefault(number, row)
        item = self._item(row, values, items)
        site = self._site(row, values, sites, item)
        self._applicant(row, values)
        self._status_and_dates(row, raw, values)
        return item, site

    def _item(self, row, values, items) -> ServiceItem | None:
        item = items.get(values["item"])
        if values["item"] and (item is None or item.current_version is None):
            self.problem(row, "item", _("There is no published item with this code."))
            return None
        return item

    def _site(self, row, values, sites, item) -> Site | None:
        site = sites.get(values["site"])
        if not values["site"]:
            return None
        if site is None:
            self.problem(row, "site", _("There is no site with this code."))
            return None
        if not self.administration.covers(site.path):
            self.problem(row, "site", _("You are not the centre administrator of this site."))
            return None
        if item is not None and item.current_version and site.level not in item.current_version.accepting_level_list:
            self.problem(row, "site", _("This item is not received at a site of this level."))
        return site

    def _applicant(self, row, values) -> None:
        id_type = values["applicant_id_type"] or IdType.RESIDENT_ID
        if id_type not in IdType.values:
            self.problem(
                row, "applicant_id_type", _("Not one of: %(choices)s.") % {"choices": ", ".join(IdType.values)}
            )
        elif values["applicant_id_number"]:
            for message in validate_id_number(id_type, values["applicant_id_number"])[:1]:
                self.problem(row, "applicant_id_number", message)
        if values["applicant_phone"] and not PHONE.match(values["applicant_phone"]):
            self.problem(row, "applicant_phone", _("Enter a mobile number of 11 digits or a landline number."))
        if values["channel"] and values["channel"] not in (Channel.WINDOW, Channel.ONLINE):
            self.problem(row, "channel", _("Not one of: %(choices)s.") % {"choices": "window, online"})

    def _status_and_dates(self, row, raw, values) -> None:
        status = values["status"] or Status.ACCEPTED
        if status not in IMPORTABLE_STATUSES:
            self.problem(row, "status", _("Not one of: %(choices)s.") % {"choices": ", ".join(IMPORTABLE_STATUSES)})
        received_on, accepted_on = _date(raw.get("received_on")), _date(raw.get("accepted_on"))
        if received_on is None:
            self.problem(row, "received_on", _("Enter a date as YYYY-MM-DD."))
        elif received_on > self.today:
            self.problem(row, "received_on", _("The date is in the future."))
        if status == Status.RECEIVED and values["accepted_on"]:
            self.problem(row, "accepted_on", _("A case awaiting acceptance has no date of acceptance."))
        if status != Status.ACCEPTED:
            return
        if accepted_on is None:
            self.problem(row, "accepted_on", _("Enter a date as YYYY-MM-DD."))
        elif accepted_on > self.today:
            self.problem(row, "accepted_on", _("The date is in the future."))
        elif received_on is not None and accepted_on < received_on:
            self.problem(row, "accepted_on", _("A case is accepted on or after the day it was received."))


def _create(checked: _Checked, actor: User, source: str, now: datetime.datetime) -> Case:
    values, item, site = checked.values, checked.item, checked.site
    version = item.current_version
    received_on: datetime.date = values["received_on"]
    status = values["status"] or Status.ACCEPTED
    case = Case.objects.create(
        item=item,
        version=version,
        department=item.department,
        channel=values["channel"] or Channel.WINDOW,
        status=status,
        applicant_name=values["applicant_name"],
        applicant_id_type=values["applicant_id_type"] or IdType.RESIDENT_ID,
        applicant_id_number=normalised_id_number(values["applicant_id_number"]),
        applicant_phone=values["applicant_phone"],
        applicant_address=values["applicant_address"],
        details=values["details"],
        receiving_site=site,
        current_site=site,
        received_at=_local_midnight(received_on),
        received_on=received_on,
        acceptance_due=add_workdays(received_on, PRECHECK_WORKING_DAYS).date,
        tracking_number=_tracking_number(site, received_on),
        delivery_method=DeliveryMethod.WINDOW,
        delivery_site=site,
        original_number=values["original_number"],
        original_source=source,
    )
    if status == Status.ACCEPTED:
        case.accepted_on = values["accepted_on"]
        case.accepted_at = _local_midnight(case.accepted_on)
        _set_deadlines(case)
        case.save()
        task = _open_tasks(case, now, actor)
        if task is not None and task.site_id != case.current_site_id:
            # The open step is done at another tier: the case is there now (as ``_move_to_step`` does).
            case.current_site, case.forwarded_at = task.site, now
            case.save(update_fields=["current_site", "forwarded_at"])
    audit_record(
        actor=actor,
        action="case.imported",
        obj=case,
        occurred_at=now,
        payload={
            "status": case.status,
            "imported": True,
            "source": source,
            "original_number": case.original_number,
            "tracking_number": case.tracking_number,
            "item": item.code,
            "site": site.code,
            "current_site": case.current_site.code,
            "received_on": case.received_on,
            "accepted_on": case.accepted_on,
            "acceptance_due": case.acceptance_due,
            "promised_due": case.promised_due,
            "statutory_due": case.statutory_due,
        },
    )
    return case


@transaction.atomic
def cases_import(
    *,
    actor: User,
    rows: list[dict[str, Any]],
    source: str,
    row_numbers: list[int] | None = None,
    now: datetime.datetime | None = None,
) -> list[Case]:
    """Import a batch of cases accepted in another system, all or nothing (centre administrators, for the sites
    they administer). ``rows`` are dicts of ``FIELDS`` (values as text, or dates from a workbook); ``row_numbers``
    are their rows in the caller's file (by default 1, 2, 3 …: the position in the list), so problems name the row
    a person sees. Raises ``CaseImportRefused`` with every problem, having written nothing."""
    now = _now(now)
    if not administration_of(actor).is_administrator:
        raise PermissionDenied(_("Only a centre administrator imports cases."))
    source = _text(source)
    if not source or len(source) > 60:
        raise CaseImportRefused([ImportProblem(0, "", _("Name the original system (at most 60 characters)."))])
    if not rows:
        raise CaseImportRefused([ImportProblem(0, "", _("The batch has no cases."))])
    if len(rows) > MAX_ROWS:
        raise CaseImportRefused([ImportProblem(0, "", _("A batch has at most %(max)d cases.") % {"max": MAX_ROWS})])
    batch = _Batch(actor, source, _local_date(now), row_numbers or list(range(1, len(rows) + 1)))
    checked = batch.check(rows)
    if batch.problems:
        raise CaseImportRefused(batch.problems)
    cases = [_create(row, actor, source, now) for row in checked]
    cases_index_refresh_ids([case.pk for case in cases])
    return cases
