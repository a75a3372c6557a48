"""The scoring sheets: seeded from the plan (``..sheets``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import PermissionDenied

from ..access import is_county_administrator
from ..models import Indicator, Sheet
from ..sheets import AREA, SHEETS


def require_county_administrator(actor: User | None) -> None:
    # actor None: a trusted caller (a management command, the demo loader).
    if actor is not None and not is_county_administrator(actor):
        raise PermissionDenied(_("Only a centre administrator of the whole county keeps the inspection."))


@transaction.atomic
def sheets_seed(*, actor: User | None) -> int:
    """Write the plan's scoring sheets (二(二), 三) that do not exist yet; returns how many were written."""
    require_county_administrator(actor)
    written = 0
    for tier, level, name, pass_score, rows in SHEETS:
        if Sheet.objects.filter(tier=tier, level=level, name=name).exists():
            continue
        sheet = Sheet.objects.create(tier=tier, level=level, name=name, pass_score=pass_score)
        order = 0
        for row in rows:
            order += 1
            if isinstance(row[2], list):
                code, title, children = row
                group = Indicator.objects.create(sheet=sheet, code=code, title=title, order=order)
                for child in children:
                    order += 1
                    _indicator(sheet, child, order, parent=group, level=level)
            else:
                _indicator(sheet, row, order, parent=None, level=level)
        audit_record(actor=actor, action="inspection.sheet_create", obj=sheet, payload={"name": name})
        written += 1
    return written


def _indicator(sheet: Sheet, row: tuple, order: int, *, parent: Indicator | None, level: str) -> Indicator:
    code, title, points, method, evidence = row
    return Indicator.objects.create(
        sheet=sheet,
        parent=parent,
        code=code,
        title=title.format(area=AREA[level]),
        points=points,
        method=method,
        evidence=evidence,
        order=order,
    )
