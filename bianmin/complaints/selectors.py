"""Who may see which complaints, and the complainant's identity (one door each).

Supervisors see the complaints at the sites of their jurisdiction; a site's staff those filed at their sites; a
department's head and chief representative those assigned to their department; a handler those assigned to them.
Another town's complaint is not found (404), never forbidden. The complainant's identity is shown only to a
supervisor of the jurisdiction and to the handler the supervisor assigned; everyone else sees it masked.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from bianmin.accounts.models import User
from bianmin.core.masking import mask_id_number, mask_name, mask_phone
from bianmin.org.models import Role
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope

from .models import QUERY_CODE_DIGITS, Complaint, IdentityView, PublicNotice

DEPARTMENT_LEADS = (Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE)
LIST_RELATED = ("site", "department", "handler")


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    """Every complaint ``user`` may see (see the module's docstring)."""
    complaints = Complaint.objects.select_related(*LIST_RELATED)
    if not user.is_authenticated:
        return complaints.none()
    scope = user_scope(user)
    if scope.everything:
        return complaints
    condition = Q(handler=user)
    if scope.subtree_paths or scope.exact_site_ids:
        condition |= scope.site_filter("site__")
    departments = scope.departments_of(*DEPARTMENT_LEADS)
    if departments:
        condition |= Q(department_id__in=sorted(departments))
    return complaints.filter(condition)


def complaint_get_for_user(user: User, pk: int) -> Complaint | None:
    return complaints_visible_to(user).select_related("case", "window", "staff").filter(pk=pk).first()


def complaints_handled_by(user: User) -> QuerySet[Complaint]:
    """The handler's list: complaints assigned to them, to their departments (as head or chief representative) or
    to a site they work at."""
    scope = user_scope(user)
    condition = Q(handler=user)
    departments = scope.departments_of(*DEPARTMENT_LEADS)
    if departments:
        condition |= Q(department_id__in=sorted(departments))
    sites = [site.pk for site in scope.sites_of(exclude=(Role.SUPERVISOR,))]
    if sites:
        condition |= Q(site_id__in=sites, department__isnull=True, state__in=Complaint.RUNNING_STATES)
    return Complaint.objects.select_related(*LIST_RELATED).filter(condition)


def complaint_handlers(complaint: Complaint) -> QuerySet[User]:
    """Who may be assigned the complaint: active staff of its site or of any department, never a supervisor."""
    return (
        User.objects.filter(is_active=True, role_assignments__is_active=True)
        .filter(Q(role_assignments__site=complaint.site) | Q(role_assignments__department__isnull=False))
        .exclude(role_assignments__role=Role.SUPERVISOR)
        .distinct()
        .order_by("username")
    )


def late_condition(today: datetime.date) -> Q:
    """Late: the clock runs and its deadline is over (the sweep's ``complaint_overdue`` rule as a filter)."""
    return Q(state__in=Complaint.RUNNING_STATES, due__lt=today)


def may_see_identity(user: User, complaint: Complaint) -> bool:
    """A supervisor of the complaint's jurisdiction, or the handler they assigned."""
    if complaint.handler_id is not None and complaint.handler_id == user.pk:
        return True
    return is_supervisor(user) and user_scope(user).covers_site(complaint.site)


@dataclass(frozen=True)
class Identity:
    name: str
    phone: str
    id_number: str
    is_masked: bool


def identity_masked(complaint: Complaint) -> Identity:
    return Identity(
        mask_name(complaint.name), mask_phone(complaint.phone), mask_id_number(complaint.id_number), is_masked=True
    )


def complaint_for_complainant(number: str, query_code: str = "", *, verified: frozenset[int] = frozenset()):
    """The complainant's way to their complaint: its number AND its query code, or the number of a complaint this
    session has verified already (``verified``: their ids)."""
    code = (query_code or "").strip()
    has_code = len(code) == QUERY_CODE_DIGITS and code.isdigit()
    if not has_code and not verified:
        return None
    complaint = Complaint.objects.select_related("site", "department").filter(number=(number or "").strip()).first()
    if complaint is None:
        return None
    if complaint.pk in verified or (has_code and secrets.compare_digest(complaint.query_code, code)):
        return complaint
    return None


def public_notices_visible_to(user: User) -> QuerySet[PublicNotice]:
    """通报: supervisors see those at the sites of their jurisdiction; department leads their departments'."""
    notices = PublicNotice.objects.select_related("complaint", "site", "department", "reminder")
    scope = user_scope(user)
    if is_supervisor(user) and scope.everything:
        return notices
    condition = Q(pk__in=[])
    if is_supervisor(user):
        condition |= scope.site_filter("site__")
    departments = scope.departments_of(*DEPARTMENT_LEADS)
    if departments:
        condition |= Q(department_id__in=sorted(departments))
    return notices.filter(condition)


def identity_views_visible_to(user: User) -> QuerySet[IdentityView]:
    """Who saw which complainant's identity: supervisors, for the complaints at their jurisdiction's sites."""
    if not is_supervisor(user):
        return IdentityView.objects.none()
    views = IdentityView.objects.select_related("viewer", "complaint")
    return views.filter(user_scope(user).site_filter("complaint__site__"))
