"""Accountability records (责任追究): the consequence a supervisor records for a violation, linked to the alerts
and orders behind it, and its annulment. Assessment reads the records in force through
``selectors.orders.accountability_for``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.org.models import Department, Site
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import Scope, staff_visible_to, user_scope

from ..models import AccountabilityRecord, Alert, SupervisionOrder
from ..selectors.orders import alerts_in_scope, orders_visible_to, site_in_scope, supervisor_home_site

Measure = AccountabilityRecord.Measure
MAX_POINTS = Decimal(100)


def _points(measure: str, points) -> Decimal | None:
    """Points are required for a deduction (more than 0, at most 100, one decimal) and refused for any other
    measure."""
    if measure != Measure.DEDUCTION:
        if points not in (None, ""):
            raise DomainError(_("Only a deduction deducts points."), code="points_not_allowed")
        return None
    try:
        value = Decimal(str(points)) if points not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not Decimal(0) < value <= MAX_POINTS or value != round(value, 1):
        raise DomainError(
            _("A deduction needs the points deducted: more than 0 and at most 100, with one decimal at most."),
            code="points_invalid",
        )
    return value


def _linked(actor: User, alerts: Iterable[Alert], orders: Iterable[SupervisionOrder]) -> tuple[list[int], list[int]]:
    alert_ids = sorted({alert.pk for alert in alerts})
    order_ids = sorted({order.pk for order in orders})
    visible_alerts = set(alerts_in_scope(actor).filter(pk__in=alert_ids).values_list("pk", flat=True))
    visible_orders = set(orders_visible_to(actor).filter(pk__in=order_ids).values_list("pk", flat=True))
    if visible_alerts != set(alert_ids) or visible_orders != set(order_ids):
        raise DomainError(
            _("A linked alert or order is not in your jurisdiction."), code="accountability_link_out_of_scope"
        )
    return alert_ids, order_ids


def _person_site(actor: User, person: User) -> Site | None:
    """The most specific site the person works at within the actor's jurisdiction, if any."""
    scope = user_scope(actor)
    sites = [
        assignment.site
        for assignment in staff_visible_to(actor).filter(user=person)
        if assignment.site is not None and site_in_scope(scope, assignment.site)
    ]
    return max(sites, key=lambda site: len(site.path), default=None)


def _check_person(actor: User, person: User | None) -> None:
    if person is not None and not staff_visible_to(actor, include_inactive=True).filter(user=person).exists():
        raise DomainError(_("This person is not on the staff of your jurisdiction."), code="person_out_of_scope")


def _record_site(actor: User, scope: Scope, *, site: Site | None, person: User | None, links: list) -> Site:
    """Where the record is filed: the site given; otherwise the site of the first linked order or alert, then the
    person's site; otherwise the top of the supervisor's jurisdiction (a department works across every site)."""
    if site is not None:
        if not site_in_scope(scope, site):
            raise DomainError(_("This site is not in your jurisdiction."), code="site_out_of_scope")
        return site
    if links:
        return links[0].site
    found = _person_site(actor, person) if person is not None else None
    return found or supervisor_home_site(actor)


def accountability_record_create(
    *,
    actor: User,
    finding: str,
    measure: str,
    decided_on: datetime.date,
    person: User | None = None,
    department: Department | None = None,
    site: Site | None = None,
    points=None,
    alerts: Iterable[Alert] = (),
    orders: Iterable[SupervisionOrder] = (),
    now: datetime.datetime | None = None,
) -> AccountabilityRecord:
    """责任追究: record the measure taken against a person and/or a department for a finding (local assessment
    rules: criticism, circulated criticism, admonishing talk, deduction of points)."""
    now = now or timezone.now()
    if not is_supervisor(actor):
        raise PermissionDenied(_("Only supervisors record accountability."))
    finding = (finding or "").strip()
    if not finding:
        raise DomainError(_("Write the finding."), code="finding_required")
    if measure not in Measure.values:
        raise DomainError(_("Choose a measure."), code="measure_invalid")
    if person is None and department is None:
        raise DomainError(
            _("Name the person or the department held accountable."), code="accountability_subject_required"
        )
    if decided_on is None or decided_on > timezone.localdate(now):
        raise DomainError(_("The decision date cannot be in the future."), code="decided_on_invalid")
    value = _points(measure, points)
    _check_person(actor, person)
    alerts, orders = list(alerts), list(orders)
    alert_ids, order_ids = _linked(actor, alerts, orders)
    scope = user_scope(actor)
    with transaction.atomic():
        links = list(orders_visible_to(actor).filter(pk__in=order_ids[:1])) or list(
            alerts_in_scope(actor).select_related("site").filter(pk__in=alert_ids[:1])
        )
        record = AccountabilityRecord.objects.create(
            finding=finding,
            person=person,
            department=department,
            site=_record_site(actor, scope, site=site, person=person, links=links),
            measure=measure,
            points=value,
            decided_on=decided_on,
            recorded_by=actor,
            recorded_at=now,
        )
        record.alerts.set(alert_ids)
        record.orders.set(order_ids)
        audit_record(
            actor=actor,
            action="accountability.record",
            obj=record,
            payload={
                "measure": measure,
                "points": value,
                "person": person.pk if person else None,
                "department": department.code if department else None,
                "site": record.site.code,
                "decided_on": decided_on,
                "alerts": alert_ids,
                "orders": order_ids,
            },
            occurred_at=now,
        )
    return record


def accountability_record_annul(
    *, actor: User, record: AccountabilityRecord, reason: str, now: datetime.datetime | None = None
) -> AccountabilityRecord:
    """Annul a record (decided in error, or overturned on appeal); it stays on file, out of assessment."""
    now = now or timezone.now()
    with transaction.atomic():
        record = AccountabilityRecord.objects.select_for_update(of=("self",)).select_related("site").get(pk=record.pk)
        if not (is_supervisor(actor) and site_in_scope(user_scope(actor), record.site)):
            raise PermissionDenied(_("Only a supervisor of this jurisdiction annuls the record."))
        if record.annulled_at is not None:
            raise DomainError(_("This record is already annulled."), code="already_annulled")
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_("Say why the record is annulled."), code="reason_required")
        record.annulled_at, record.annulment_reason = now, reason
        record.save(update_fields=["annulled_at", "annulment_reason"])
        audit_record(
            actor=actor, action="accountability.annul", obj=record, payload={"reason": reason}, occurred_at=now
        )
    return record
