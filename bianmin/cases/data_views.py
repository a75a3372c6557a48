"""The log of supervisors' views of personal data (who saw whose data, when): issue 5, "Trust"."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.accounts.models import User
from bianmin.org.permissions import is_supervisor

from .models import Case, PersonalDataView

# What a supervisor saw: the value stored in PersonalDataView.what, and its label on the log page.
WHAT_LABELS = {
    "case_page": _("Case page"),
    "material": _("Material scan"),
    "notice": _("Notice"),
    "ledger": _("Site ledger"),
    "api": _("Case through the API"),
    "licence": _("Licence"),
}


def personal_data_view_record(
    *, viewer: User, cases: Iterable[Case] | QuerySet[Case], what: str, now: datetime.datetime | None = None
) -> int:
    """Record that a supervisor saw the personal data of ``cases`` (one row per case, one bulk insert).

    Other staff see personal data as part of their work and are not logged here: for them this does nothing and
    reads nothing. Not an audit-chain event: a read changes nothing, and the log is append-only by its service.
    Returns the number of rows written.
    """
    if not is_supervisor(viewer):
        return 0
    now = now or timezone.now()
    # A queryset (a ledger page, an export) is read as its ids only.
    is_queryset = isinstance(cases, QuerySet)
    case_ids = list(cases.values_list("pk", flat=True)) if is_queryset else [case.pk for case in cases]
    rows = [PersonalDataView(viewer=viewer, case_id=case_id, what=what, viewed_at=now) for case_id in case_ids]
    PersonalDataView.objects.bulk_create(rows)
    return len(rows)
