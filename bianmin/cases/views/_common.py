"""What the staff pages of cases share: page sizes, a visible case or 404, the item choices."""

from __future__ import annotations

from django.http import Http404

from bianmin.accounts.models import User
from bianmin.catalog.models import ServiceItem

from ..models import (
    Case,
)
from ..selectors import case_get_for_user

QUEUE_PAGE_SIZE = 25
LEDGER_PAGE_SIZE = 100
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _case_or_404(user: User, pk: int) -> Case:
    case = case_get_for_user(user, pk)
    if case is None:
        raise Http404
    return case


def _item_choices() -> list[tuple[str, str]]:
    # Only the two columns shown: an item's current version is a large row (its whole guide).
    items = ServiceItem.objects.filter(current_version__isnull=False).order_by("code")
    return [(code, f"{code} {name}") for code, name in items.values_list("code", "current_version__name")]
