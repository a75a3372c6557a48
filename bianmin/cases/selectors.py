"""Every read of cases that a permission limits goes through here."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from bianmin.accounts.models import User
from bianmin.core.workdays import workday_ordinal_expression, workdays_between
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


# Yellow when this many working days are left, or when this share of the promised limit is used up.
YELLOW_DAYS_LEFT = 1
YELLOW_SHARE_USED = 0.8


def clock(case: Case, today: datetime.date) -> dict:
    """The case's clock for the queues: colour (green, yellow, red, paused, done) and working days left."""
    if case.status == "suspended":
        return {"colour": "paused", "days_left": None}
    if case.status not in ("accepted",) or case.promised_due is None:
        if case.status == "received" and case.acceptance_due:
            left = workdays_between(today, case.acceptance_due)
            return {"colour": "red" if left < 0 else ("yellow" if left <= YELLOW_DAYS_LEFT else "green"),
                    "days_left": left}
        return {"colour": "done", "days_left": None}
    left = workdays_between(today, case.promised_due)
    total = max(1, workdays_between(case.accepted_on, case.promised_due))
    used = 1 - left / total
    if left < 0:
        colour = "red"
    elif left <= YELLOW_DAYS_LEFT or used >= YELLOW_SHARE_USED:
        colour = "yellow"
    else:
        colour = "green"
    return {"colour": colour, "days_left": left}


def annotate_days_left(cases: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
    """Working days left to the promised deadline, computed in SQL for a whole queue (ALL art. 82)."""
    from bianmin.core.models import CalendarDay

    today_ordinal = CalendarDay.objects.filter(date=today).values_list("ordinal", flat=True).first() or 0
    return cases.annotate(days_left=workday_ordinal_expression("promised_due") - today_ordinal)
