"""Yellow thresholds: when a case's clock turns yellow (预警, the deadline is near).

A threshold is "``days_left`` working days left or fewer, or ``share_used_percent`` % of the promised limit
used"; a limit left empty is not applied. The most specific row wins as a whole: the item's row, else the
department's, else the global row, else the built-in default (1 working day, 80 %). The monitor, the alert
sweep and the staff queues read them through the clock columns of each case (``cases.clock``), which a change
recomputes for the cases it applies to.

Who sets them: supervisors (纪委/监察局 decide what counts as "near the deadline") and centre administrators
(管理办 runs the hall), both only with the whole county in their jurisdiction, because items, departments and
the global row are county-wide: a town's supervisor must not change the county's yellow.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.cases.access import cases_clock_copy
from bianmin.cases.clock import RUNNING_STATUSES
from bianmin.cases.models import Case, YellowThreshold
from bianmin.catalog.models import ServiceItem
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.org.models import Department, Role
from bianmin.org.selectors import user_scope

THRESHOLD_MANAGER_ROLES = frozenset({Role.SUPERVISOR, Role.CENTRE_ADMIN})
MAX_DAYS_LEFT = 30


def can_manage_thresholds(user: User | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    scope = user_scope(user)
    return scope.everything and bool(scope.roles & THRESHOLD_MANAGER_ROLES)


def _require_manager(actor: User | None) -> None:
    if not can_manage_thresholds(actor):
        raise PermissionDenied(
            _("Only supervisors and centre administrators of the whole county may change the yellow thresholds.")
        )


def _validated_limits(days_left: int | None, share_used_percent: int | None) -> None:
    if days_left is None and share_used_percent is None:
        raise DomainError(
            _("Give working days left, a share of the limit used, or both: a threshold needs at least one."),
            code="threshold_without_limit",
        )
    if days_left is not None and not 0 <= days_left <= MAX_DAYS_LEFT:
        raise DomainError(
            _("Working days left must be between 0 and %(max)d.") % {"max": MAX_DAYS_LEFT},
            code="threshold_days_out_of_range",
        )
    if share_used_percent is not None and not 1 <= share_used_percent <= 100:
        raise DomainError(
            _("The share of the promised limit used must be between 1 and 100 per cent."),
            code="threshold_percent_out_of_range",
        )


def _target(department: Department | None, item: ServiceItem | None) -> Q:
    if department is not None and item is not None:
        raise DomainError(
            _("A threshold applies to one department or one item, not both."), code="threshold_two_targets"
        )
    if item is not None:
        return Q(item=item)
    if department is not None:
        return Q(department=department)
    return Q(item__isnull=True, department__isnull=True)


def _describe(threshold: YellowThreshold) -> dict:
    return {
        "target": _target_code(threshold),
        "days_left": threshold.days_left,
        "share_used_percent": threshold.share_used_percent,
    }


def _target_code(threshold: YellowThreshold) -> str:
    if threshold.item_id:
        return f"item:{threshold.item.code}"
    if threshold.department_id:
        return f"department:{threshold.department.code}"
    return "global"


def _recolour(department: Department | None, item: ServiceItem | None) -> None:
    """The running cases the threshold applies to get their first yellow day again (cases/clock.py), in the
    transaction of the change: the monitor and the queues show the new yellow at once."""
    cases = Case.objects.filter(status__in=RUNNING_STATUSES)
    if item is not None:
        cases = cases.filter(item=item)
    elif department is not None:
        cases = cases.filter(department=department)
    cases_clock_copy(cases)


def yellow_threshold_set(
    *,
    actor: User | None,
    department: Department | None = None,
    item: ServiceItem | None = None,
    days_left: int | None,
    share_used_percent: int | None,
) -> YellowThreshold:
    """Create or replace the yellow threshold of an item, a department, or the global one (neither given)."""
    _require_manager(actor)
    target = _target(department, item)
    _validated_limits(days_left, share_used_percent)
    with transaction.atomic():
        threshold = YellowThreshold.objects.select_for_update().filter(target).first()
        before = _describe(threshold) if threshold else None
        if threshold is None:
            try:
                with transaction.atomic():
                    threshold = YellowThreshold.objects.create(
                        department=department,
                        item=item,
                        days_left=days_left,
                        share_used_percent=share_used_percent,
                        updated_by=actor,
                    )
            except IntegrityError:
                # Another request created the same row a moment ago: update that one instead.
                threshold = YellowThreshold.objects.select_for_update().get(target)
                before = _describe(threshold)
        if before is not None:
            threshold.days_left = days_left
            threshold.share_used_percent = share_used_percent
            threshold.updated_by = actor
            threshold.save(update_fields=["days_left", "share_used_percent", "updated_by", "updated_at"])
        _recolour(department, item)
        audit_record(
            actor=actor,
            action="yellow_threshold.set",
            obj=threshold,
            payload={"before": before, "after": _describe(threshold)},
        )
    return threshold


@transaction.atomic
def yellow_threshold_delete(*, actor: User | None, threshold: YellowThreshold) -> None:
    """Remove a threshold: its item or department falls back to the next one (department, global, default)."""
    _require_manager(actor)
    locked = YellowThreshold.objects.select_for_update().filter(pk=threshold.pk).first()
    if locked is None:
        raise DomainError(_("This threshold was already removed."), code="threshold_gone")
    audit_record(
        actor=actor,
        action="yellow_threshold.delete",
        obj=locked,
        payload={"before": _describe(locked)},
    )
    locked.delete()
    _recolour(locked.department, locked.item)
