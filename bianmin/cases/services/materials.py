"""A case's materials, one row each for their whole life (ALL art. 32): checked at intake, listed in the one-time
supplement notice, supplied, or recorded as not needed; every change a line of the row's history (who, when)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.core.uploads import SCAN_KINDS, upload_clean

from .. import permissions
from ..models import Case, CaseMaterial, CaseMaterialEvent, Status
from ..workflow import check_transition
from ._common import _audit, _local_date, _lock, _now

Kind = CaseMaterialEvent.Kind


@dataclass
class MaterialCheck:
    """One material at intake: seen as an original, a copy kept, or missing/defective with the problem."""

    name: str
    requirement_id: int | None = None
    state: str = CaseMaterial.State.PROVIDED
    original_seen: bool = False
    copy_kept: bool = False
    problem: str = ""
    file: object | None = None


def _record(material: CaseMaterial, kind: str, actor: User | None, at: datetime.datetime, note: str = "") -> None:
    CaseMaterialEvent.objects.create(material=material, kind=kind, state=material.state, note=note, by=actor, at=at)


def _attach(row: CaseMaterial, check: MaterialCheck) -> None:
    if check.file is not None:
        # Stored under a random name (core.uploads.RandomName); the name it came with is shown and downloaded.
        row.file = check.file
        row.file_name = PurePosixPath(check.file.name or "").name[-100:]


def materials_record_intake(
    case: Case, checks: Iterable[MaterialCheck], *, actor: User | None, at: datetime.datetime
) -> None:
    """The materials as checked at intake, each with the first line of its history: two statements, whatever the
    number of materials (the case's count of outstanding ones is written with the case: ``outstanding_at_intake``)."""
    checks = list(checks)
    rows = []
    for position, check in enumerate(checks, start=1):
        row = CaseMaterial(
            case=case,
            requirement_id=check.requirement_id,
            name=check.name,
            state=check.state,
            original_seen=check.original_seen,
            copy_kept=check.copy_kept,
            problem=check.problem,
            position=position,
        )
        _attach(row, check)
        rows.append(row)
    CaseMaterial.objects.bulk_create(rows)  # stores each file as save() would (its field's pre_save)
    CaseMaterialEvent.objects.bulk_create(
        CaseMaterialEvent(material=row, kind=Kind.INTAKE, state=row.state, note=check.problem, by=actor, at=at)
        for row, check in zip(rows, checks, strict=True)
    )


def outstanding_at_intake(checks: Iterable[MaterialCheck]) -> int:
    """How many of the materials checked at intake are missing or defective (``materials_outstanding_count``'s
    figure for the rows ``materials_record_intake`` writes)."""
    return sum(check.state in CaseMaterial.OUTSTANDING for check in checks)


def _find(rows: list[CaseMaterial], *, name: str, requirement_id: int | None = None) -> CaseMaterial | None:
    """The case's row of this material: by its requirement, else by its name; an outstanding one first."""
    matching = [
        row
        for row in rows
        if (requirement_id is not None and row.requirement_id == requirement_id) or row.name.strip() == name.strip()
    ]
    matching.sort(key=lambda row: (not row.is_outstanding, row.position))
    return matching[0] if matching else None


def _new_row(case: Case, rows: list[CaseMaterial], *, name: str, state: str, problem: str = "") -> CaseMaterial:
    row = CaseMaterial.objects.create(
        case=case,
        name=name.strip(),
        state=state,
        problem=problem,
        position=max((row.position for row in rows), default=0) + 1,
    )
    rows.append(row)
    return row


def materials_list_in_notice(
    case: Case, problems: list[tuple[str, str]], *, actor: User | None, at: datetime.datetime
) -> None:
    """What the supplement notice lists, on the material's own row: one missing at intake stays missing, one
    provided but found wanting becomes defective, one the case never had gets its row (missing)."""
    rows = list(case.materials.all())
    for name, problem in problems:
        row = _find(rows, name=name)
        if row is None:
            row = _new_row(case, rows, name=name, state=CaseMaterial.State.MISSING, problem=problem.strip())
        else:
            if row.state == CaseMaterial.State.PROVIDED:
                row.state = CaseMaterial.State.DEFECTIVE
            elif row.state == CaseMaterial.State.WAIVED:
                row.state = CaseMaterial.State.MISSING
            row.problem = problem.strip()[:200]
            row.save(update_fields=["state", "problem"])
        _record(row, Kind.NOTICE, actor, at, problem.strip())


def materials_unlisted(case: Case, problems: list[tuple[str, str]]) -> list[str]:
    """The outstanding materials a supplement notice would leave out (the law wants one notice with all of them)."""
    listed = {name.strip() for name, _problem in problems}
    return [row.name for row in case.materials.all() if row.is_outstanding and row.name.strip() not in listed]


def materials_supply(
    case: Case, checks: Iterable[MaterialCheck], *, actor: User | None, at: datetime.datetime
) -> list[str]:
    """The applicant brought these: each material's row becomes provided (a material never listed gets a row)."""
    rows = list(case.materials.all())
    supplied = []
    for check in checks:
        row = _find(rows, name=check.name, requirement_id=check.requirement_id)
        if row is None:
            row = _new_row(case, rows, name=check.name, state=CaseMaterial.State.PROVIDED)
        row.state = CaseMaterial.State.PROVIDED
        row.original_seen = check.original_seen
        row.copy_kept = check.copy_kept
        row.problem = ""
        _attach(row, check)
        row.save()
        _record(row, Kind.SUPPLIED, actor, at)
        supplied.append(row.name)
    return supplied


def materials_outstanding_count(case: Case) -> None:
    """Keep the case's count of missing or defective materials (what acceptance waits for) up to its rows."""
    case.materials_outstanding = case.materials.filter(state__in=CaseMaterial.OUTSTANDING).count()


def outstanding_names(case: Case) -> list[str]:
    return [row.name for row in case.materials.all() if row.is_outstanding]


@transaction.atomic
def case_waive_material(
    *, actor: User | None, case: Case, material_id: int, reason: str, now: datetime.datetime | None = None
) -> CaseMaterial:
    """ALL art. 32 (materials required by law only): the clerk records why a material marked missing or defective
    is not needed for this case, so acceptance no longer waits for it."""
    now = _now(now)
    case = _lock(case)
    check_transition(case, "waive_material")
    permissions.require(permissions.can(actor, "waive_material", case, on=_local_date(now)))
    material = case.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFound(_("This material is not part of the case."))
    if not material.is_outstanding:
        raise TransitionNotAllowed(
            _("Only a material marked missing or defective can be recorded as not needed."),
            code="material_not_outstanding",
        )
    if not reason.strip():
        raise DomainError(_("Say why the material is not needed for this case."), code="reason_required")
    material.state = CaseMaterial.State.WAIVED
    material.save(update_fields=["state"])
    _record(material, Kind.WAIVED, actor, now, reason.strip())
    materials_outstanding_count(case)
    case.save(update_fields=["materials_outstanding"])
    _audit(actor, "waive_material", case, at=now, material=material.name, reason=reason.strip())
    return material


# While the materials are still examined: from receipt until the decision (a scan cannot change a decided case).
SCAN_STATUSES = frozenset({Status.RECEIVED, Status.SUPPLEMENT_REQUESTED, Status.ACCEPTED, Status.SUSPENDED})


@transaction.atomic
def case_attach_scan(
    *, actor: User | None, case: Case, material_id: int, upload: File, now: datetime.datetime | None = None
) -> CaseMaterial:
    """Add (or replace) the scan of one of the case's materials, as the intake and supplement forms attach one:
    the same checks of kind and size (``core.uploads.upload_clean``: recognised from its bytes, pictures
    re-encoded), stored under a random name and served only to those who see the case. Whoever may receive the
    case's materials at the window may; only while the case is examined (ALL art. 32: the materials the
    decision rests on). The material's state is unchanged; its history records the scan."""
    now = _now(now)
    case = _lock(case)
    if case.status not in SCAN_STATUSES:
        raise TransitionNotAllowed(
            _("This cannot be done now: the case is “%(status)s”.") % {"status": case.get_status_display()}
        )
    permissions.require(permissions.can(actor, "receive_supplement", case, on=_local_date(now)))
    material = case.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFound(_("This material is not part of the case."))
    scan = upload_clean(upload, kinds=SCAN_KINDS)
    replaced = bool(material.file)
    _attach(material, MaterialCheck(name=material.name, file=scan))
    material.save(update_fields=["file", "file_name"])
    _record(material, Kind.SCANNED, actor, now, material.file_name)
    _audit(actor, "attach_scan", case, at=now, material=material.name, file_name=material.file_name, replaced=replaced)
    return material
