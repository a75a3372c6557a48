"""Every read of cases that a permission limits goes through here."""

from __future__ import annotations

import datetime
import secrets

from django.db.models import Case as CaseWhen
from django.db.models import F, IntegerField, QuerySet, Value, When

from bianmin.accounts.models import User
from bianmin.org.selectors import user_scope

from .access import access_rows, scope_keys, visible_condition
from .clock import today_ordinal
from .models import QUERY_CODE_DIGITS, Case, CaseAccess, Status


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases handled, received or relayed at a site in the user's scope, or of (or reviewed by) their department.

    Read through the cases' access keys (cases/access.py): a probe of one index per case, never a match of site
    paths. Lists that show a page of them in order read the keys' own index (``case_access_for``)."""
    scope = user_scope(user)
    if scope.is_empty:
        return Case.objects.none()
    cases = Case.objects.select_related("item", "version", "department", "receiving_site", "current_site")
    if scope.everything:
        return cases.exclude(status=Status.DRAFT)
    return cases.filter(visible_condition(scope_keys(scope))).exclude(status=Status.DRAFT)


def case_access_for(user: User) -> QuerySet[CaseAccess]:
    """The access rows of the cases the user may see: the index every ordered list of cases reads its page from.

    One row per case (see ``access.access_rows``)."""
    scope = user_scope(user)
    if scope.is_empty:
        return CaseAccess.objects.none()
    return access_rows(scope_keys(scope))


def page_of_cases(rows: QuerySet[CaseAccess], cases: QuerySet[Case]) -> list[Case]:
    """The cases of a page of access rows (ordered, sliced, ``values_list("case_id", flat=True)``), in its order."""
    ids = list(dict.fromkeys(rows))
    by_id = {case.pk: case for case in cases.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def case_get_for_user(user: User, pk: int) -> Case | None:
    return cases_visible_to(user).filter(pk=pk).first()


def _public_case(tracking_number: str) -> Case | None:
    if not tracking_number:
        return None
    return (
        Case.objects.select_related("item", "version", "department", "current_site", "receiving_site")
        .filter(tracking_number=tracking_number.strip().upper())
        .first()
    )


def case_for_applicant(tracking_number: str, query_code: str) -> Case | None:
    """The public tracking page: the number AND the case's query code (查询码, 8 random digits), printed on the
    applicant's part of the receipt and sent in the intake SMS."""
    code = (query_code or "").strip()
    if len(code) != QUERY_CODE_DIGITS or not code.isdigit():
        return None
    case = _public_case(tracking_number)
    if case is None or not secrets.compare_digest(case.query_code, code):
        return None
    return case


def case_for_phone_check(tracking_number: str, id_tail: str) -> Case | None:
    """The tracking page's other way in: the number and the last six characters of the applicant's document
    number name the case whose phone is sent a code. Not enough to see the case: only with that code."""
    tail = (id_tail or "").strip().upper()
    if len(tail) != 6:
        return None
    case = _public_case(tracking_number)
    if case is None or not case.applicant_id_number.upper().endswith(tail):
        return None
    return case


def annotate_days_left(cases: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
    """Working days left to the promised deadline of accepted cases (ALL art. 82), from the case's own row."""
    ordinal = today_ordinal(today)
    if ordinal is None:
        return cases.annotate(days_left=Value(None, output_field=IntegerField()))
    return cases.annotate(
        days_left=CaseWhen(
            When(status=Status.ACCEPTED, then=F("clock_due_ordinal") - Value(ordinal)),
            default=None,
            output_field=IntegerField(),
        )
    )
