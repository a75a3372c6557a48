"""Who sees which licence: staff see a licence when they see its case (the cases' access keys); the public reaches
one licence by its id and check code only (the QR code's link)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.crypto import constant_time_compare

from bianmin.accounts.models import User
from bianmin.cases.access import scope_keys
from bianmin.cases.models import CaseAccess
from bianmin.org.selectors import user_scope

from .models import Licence, LicenceStatus

REGISTRY_COLUMNS = (
    "id",
    "number",
    "type__code",
    "type__name",
    "holder_name",
    "holder_id_number",
    "valid_from",
    "valid_until",
    "issued_at",
    "status",
    "organ_name",
)


def licences_visible_to(user: User) -> QuerySet[Licence]:
    """The licences of the cases the user may see (another town's are not there)."""
    scope = user_scope(user)
    if scope.is_empty:
        return Licence.objects.none()
    licences = Licence.objects.select_related("type")
    if scope.everything:
        return licences
    keys = scope_keys(scope)
    return licences.filter(Exists(CaseAccess.objects.filter(case=OuterRef("case_id"), key__in=keys)))


def licence_get_for_user(user: User, pk: int) -> Licence | None:
    return (
        licences_visible_to(user)
        .select_related("case", "case__department", "replaces", "type__item")
        .filter(pk=pk)
        .first()
    )


def licences_of_case(user: User, case_id: int) -> list[Licence]:
    return list(licences_visible_to(user).filter(case_id=case_id).order_by("issued_at", "id"))


def licence_registry(
    user: User,
    *,
    type_id: int | None = None,
    holder: str = "",
    status: str = "",
    expiring_within: int | None = None,
    today: datetime.date,
) -> QuerySet[Licence]:
    """The registry's rows, newest first (or soonest expiry first when asking for expiring ones): by type, holder
    (name or document number, exactly or its start), status, and valid licences expiring within N days."""
    licences = licences_visible_to(user).only(*REGISTRY_COLUMNS)
    if type_id:
        licences = licences.filter(type_id=type_id)
    if holder.strip():
        holder = holder.strip()
        licences = licences.filter(Q(holder_name__startswith=holder) | Q(holder_id_number__startswith=holder))
    if expiring_within is not None:
        return licences.filter(
            status=LicenceStatus.VALID,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=expiring_within),
        ).order_by("valid_until", "id")
    if status:
        licences = licences.filter(status=status)
    return licences.order_by("-issued_at", "-id")


def licence_for_verification(pk: int, check_code: str) -> Licence | None:
    """The public's one way to a licence: its id AND the check code printed in its QR code (compared in constant
    time). Anything else, a forged or mistyped code included, finds nothing."""
    licence = Licence.objects.select_related("type", "replaces").filter(pk=pk).first()
    if licence is None or not check_code or not constant_time_compare(licence.check_code, check_code.strip()):
        return None
    return licence
