"""Every read of cases that a permission limits goes through here."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from bianmin.accounts.models import User
from bianmin.core.workdays import CalendarGap, workday_ordinal_expression
from bianmin.org.selectors import user_scope

from .models import Case, ReviewTask


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases handled, received or relayed at a site in the user's scope, or of (or reviewed by) their department."""
    scope = user_scope(user)
    if scope.is_empty:
        return Case.objects.none()
    cases = Case.objects.select_related("item", "version", "department", "receiving_site", "current_site")
    if scope.everything:
        return cases
    condition = scope.site_filter("current_site__") | scope.site_filter("receiving_site__")
    condition |= scope.site_filter("relay_site__")
    if scope.department_ids:
        departments = list(scope.department_ids)
        reviewed = ReviewTask.objects.filter(department_id__in=departments).values("case_id")
        condition |= Q(department_id__in=departments) | Q(pk__in=reviewed)
    return cases.filter(condition).exclude(status="draft")


def case_get_for_user(user: User, pk: int) -> Case | None:
    return cases_visible_to(user).filter(pk=pk).first()


def case_for_applicant(tracking_number: str, id_tail: str) -> Case | None:
    """The public tracking page: the number AND the last six characters of the applicant's document number."""
    tail = (id_tail or "").strip().upper()
    if len(tail) != 6 or not tracking_number:
        return None
    case = (
        Case.objects.select_related("item", "version", "department", "current_site", "receiving_site")
        .filter(tracking_number=tracking_number.strip().upper())
        .first()
    )
    if case is None or not case.applicant_id_number.upper().endswith(tail):
        return None
    return case


# The built-in yellow threshold, used when no YellowThreshold row applies (supervision.services.thresholds):
# yellow with this many working days left or fewer, or once this share of the promised limit is used up.
YELLOW_DAYS_LEFT = 1
YELLOW_SHARE_USED = 0.8


def clock(case: Case, today: datetime.date) -> dict:
    """The case's clock: colour (green, yellow, red, paused, done) and working days left.

    One definition: the SQL of ``supervision.selectors.monitor.annotate_clock`` (configurable yellow
    thresholds, per item, department or globally) asked for this one case, so the case page, the API and the
    live monitor always agree. Paused while suspended or waiting for the applicant's supplementary materials;
    red once the deadline day is over. Raises CalendarGap when a date it needs is outside the calendar.
    """
    from bianmin.core.models import CalendarDay
    from bianmin.supervision.selectors.monitor import annotate_clock

    if case.pk is None:
        return {"colour": "done", "days_left": None}
    row = annotate_clock(Case.objects.filter(pk=case.pk), today).values("colour", "days_left").first()
    if row is None:
        return {"colour": "done", "days_left": None}
    if row["colour"] == "unknown":
        if not CalendarDay.objects.filter(date=today).exists():
            raise CalendarGap(today)
        raise CalendarGap(case.promised_due if case.status == "accepted" else case.acceptance_due)
    return {"colour": row["colour"], "days_left": row["days_left"]}


def annotate_days_left(cases: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
    """Working days left to the promised deadline, computed in SQL for a whole queue (ALL art. 82)."""
    from bianmin.core.models import CalendarDay

    today_ordinal = CalendarDay.objects.filter(date=today).values_list("ordinal", flat=True).first() or 0
    return cases.annotate(days_left=workday_ordinal_expression("promised_due") - today_ordinal)
