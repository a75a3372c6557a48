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


SHEET_FIELDS = ["tier", "level", "name", "pass_score", "is_active"]
INDICATOR_FIELDS = ["parent_id", "code", "title", "points", "method", "evidence", "order"]


def _validated(instance) -> None:
    from django.core.exceptions import ValidationError

    from bianmin.core.errors import DomainError

    try:
        instance.full_clean()
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid_input") from exc


@transaction.atomic
def sheet_save(*, actor: User | None, sheet: Sheet) -> Sheet:
    """A county administrator configures a scoring sheet (tier, level, name, pass score, active). A round keeps the
    sheet its sites were assigned to; a changed sheet counts from the next close on."""
    require_county_administrator(actor)
    before = Sheet.objects.select_for_update().filter(pk=sheet.pk).first() if sheet.pk else None
    _validated(sheet)
    sheet.save()
    changed = [field for field in SHEET_FIELDS if before is None or getattr(before, field) != getattr(sheet, field)]
    audit_record(
        actor=actor,
        action="inspection.sheet_create" if before is None else "inspection.sheet_update",
        obj=sheet,
        payload={"name": sheet.name, "changed": changed},
    )
    return sheet


@transaction.atomic
def indicator_save(*, actor: User | None, indicator: Indicator) -> Indicator:
    """A county administrator adds or corrects an indicator of a sheet (its group, points, how it is checked, the
    evidence required)."""
    from bianmin.core.errors import DomainError

    require_county_administrator(actor)
    if indicator.parent_id and (indicator.parent.sheet_id != indicator.sheet_id or indicator.parent.parent_id):
        raise DomainError(_("An indicator's group is a top-level line of the same sheet."), code="invalid_input")
    before = Indicator.objects.select_for_update().filter(pk=indicator.pk).first() if indicator.pk else None
    _validated(indicator)
    indicator.save()
    changed = [f for f in INDICATOR_FIELDS if before is None or getattr(before, f) != getattr(indicator, f)]
    audit_record(
        actor=actor,
        action="inspection.indicator_create" if before is None else "inspection.indicator_update",
        obj=indicator,
        payload={"sheet": indicator.sheet_id, "code": indicator.code, "changed": changed},
    )
    return indicator
