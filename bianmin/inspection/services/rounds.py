"""Inspector groups and inspection rounds: creation, the sites assigned to groups, and the round's moves (open,
close, publish). Closing computes every site's result and the rectification items of its failed indicators."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.dates import SHANGHAI
from bianmin.core.errors import DomainError
from bianmin.core.transitions import check_transition
from bianmin.core.workdays import add_workdays
from bianmin.org.models import Site

from ..models import (
    InspectingBody,
    InspectorGroup,
    InspectorMembership,
    Rectification,
    RectificationState,
    Round,
    RoundSite,
    RoundState,
    ScoreEntry,
    Sheet,
)
from .rectifications import RECTIFICATION_MOVES
from .sheets import require_county_administrator

# move -> the states it may start from
ROUND_MOVES = {
    "open": {RoundState.DRAFT},
    "close": {RoundState.OPEN},
    "publish": {RoundState.CLOSED},
}
MOVED_TO = {"open": RoundState.OPEN, "close": RoundState.CLOSED, "publish": RoundState.PUBLISHED}
# Working days a site has to rectify a failed indicator, from the day the round closes.
RECTIFICATION_WORKING_DAYS = 20


@transaction.atomic
def group_save(
    *, actor: User | None, name: str, bodies: list[str], group: InspectorGroup | None = None
) -> InspectorGroup:
    """An inspector group of one or more inspecting bodies (the plan, 三: 纪委、政府办、监察局、法制办、中心); ``group``
    renames an existing one, otherwise the group of that name is found or created."""
    require_county_administrator(actor)
    if not bodies or set(bodies) - set(InspectingBody.values):
        raise DomainError(_("Choose one or more of the inspecting bodies."), code="invalid_input")
    if not name.strip():
        raise DomainError(_("Give the group a name."), code="invalid_input")
    if group is not None and group.pk:
        group = InspectorGroup.objects.select_for_update().get(pk=group.pk)
        group.name = name.strip()
    else:
        group, _created = InspectorGroup.objects.select_for_update().get_or_create(name=name.strip())
    group.bodies = list(bodies)
    group.save()
    audit_record(actor=actor, action="inspection.group_save", obj=group, payload={"name": group.name, "bodies": bodies})
    return group


@transaction.atomic
def group_member_add(
    *, actor: User | None, group: InspectorGroup, user: User, body: str, is_active: bool = True
) -> InspectorMembership:
    """Make an account an inspector of the group, for the body it comes from (or no longer: ``is_active``)."""
    require_county_administrator(actor)
    if body not in group.bodies:
        raise DomainError(_("The group has no inspectors of this body."), code="invalid_input")
    membership, _created = InspectorMembership.objects.update_or_create(
        group=group, user=user, defaults={"body": body, "is_active": is_active}
    )
    audit_record(
        actor=actor,
        action="inspection.member_add" if is_active else "inspection.member_deactivate",
        obj=group,
        payload={"user": user.pk, "body": body},
    )
    return membership


def plan_phases(year: int) -> dict[str, datetime.date]:
    """The plan's phases of a round: 准备 3/1–4/30, 实施 5/1–5/31, 检查验收 6/1–6/20."""
    day = datetime.date
    return {
        "preparation_start": day(year, 3, 1),
        "preparation_end": day(year, 4, 30),
        "implementation_start": day(year, 5, 1),
        "implementation_end": day(year, 5, 31),
        "inspection_start": day(year, 6, 1),
        "inspection_end": day(year, 6, 20),
    }


@transaction.atomic
def round_create(*, actor: User | None, name: str, year: int, **phases: datetime.date) -> Round:
    """A round with the plan's phases of ``year`` (each date may be given instead)."""
    require_county_administrator(actor)
    dates = plan_phases(year) | phases
    order = list(plan_phases(year))
    if any(dates[earlier] > dates[later] for earlier, later in itertools.pairwise(order)):
        raise DomainError(_("The phases must follow one another in time."), code="invalid_input")
    round_ = Round.objects.create(name=name.strip(), created_by=actor, **dates)
    audit_record(
        actor=actor,
        action="inspection.round_create",
        obj=round_,
        payload={"name": round_.name, **{key: value.isoformat() for key, value in dates.items()}},
    )
    return round_


@transaction.atomic
def round_assign(*, actor: User | None, round_: Round, site: Site, group: InspectorGroup, level: str) -> RoundSite:
    """Assign a site to an inspector group, to be scored on its tier's active sheet of ``level``."""
    require_county_administrator(actor)
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.state not in (RoundState.DRAFT, RoundState.OPEN):
        raise DomainError(_("Sites are assigned before the round closes."), code="transition_not_allowed")
    sheet = Sheet.objects.filter(tier=site.level, level=level, is_active=True).order_by("pk").first()
    if sheet is None:
        raise DomainError(_("There is no active scoring sheet for this tier and level."), code="invalid_input")
    round_site, _created = RoundSite.objects.update_or_create(
        round=locked, site=site, defaults={"group": group, "sheet": sheet}
    )
    audit_record(
        actor=actor,
        action="inspection.round_assign",
        obj=round_site,
        payload={"round": locked.pk, "site": site.code, "group": group.pk, "sheet": sheet.pk},
    )
    return round_site


@transaction.atomic
def round_move(*, actor: User | None, round_: Round, move: str, today: datetime.date | None = None) -> Round:
    """Open a round for scoring, close it (every site's result, its rectification items, the re-check of the items
    of earlier rounds) or publish it (the plan, 三: 考核验收 and 评比)."""
    require_county_administrator(actor)
    if move not in ROUND_MOVES:
        raise DomainError(_("There is no such move."), code="invalid_input")
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    check_transition(
        ROUND_MOVES,
        move,
        locked.state,
        message=_("The round is %(state)s; this move is not possible now.") % {"state": locked.get_state_display()},
    )
    payload: dict = {"from": locked.state}
    if move == "close":
        locked.closed_on = today or timezone.localdate(timezone.now(), SHANGHAI)
        payload["results"] = _results_compute(locked)
    locked.state = MOVED_TO[move]
    locked.save()
    audit_record(actor=actor, action=f"inspection.round_{move}", obj=locked, payload=payload)
    return locked


def latest_scores(round_site_ids: list[int]) -> dict[tuple[int, int], ScoreEntry]:
    """The score that counts for each (site of a round, indicator): the latest by the device's time (one query)."""
    latest: dict[tuple[int, int], ScoreEntry] = {}
    entries = ScoreEntry.objects.filter(round_site_id__in=round_site_ids).order_by(
        "round_site_id", "indicator_id", "-taken_at", "-pk"
    )
    for entry in entries:
        latest.setdefault((entry.round_site_id, entry.indicator_id), entry)
    return latest


def _results_compute(round_: Round) -> dict[str, str]:
    """Every site's total, pass and 示范点 marks, a rectification item per failed indicator (scored below its
    points, or not scored), and the re-check of open items of the same sites from earlier rounds."""
    round_sites = list(RoundSite.objects.filter(round=round_).select_related("sheet", "site"))
    latest = latest_scores([rs.pk for rs in round_sites])
    leaves_by_sheet: dict[int, list] = {}
    deadline = add_workdays(round_.closed_on, RECTIFICATION_WORKING_DAYS).date
    results = {}
    items = []
    for round_site in round_sites:
        if round_site.sheet_id not in leaves_by_sheet:
            indicators = list(round_site.sheet.indicators.all())
            parents = {indicator.parent_id for indicator in indicators}
            leaves_by_sheet[round_site.sheet_id] = [i for i in indicators if i.pk not in parents]
        total = Decimal("0")
        passed_codes = set()
        for indicator in leaves_by_sheet[round_site.sheet_id]:
            entry = latest.get((round_site.pk, indicator.pk))
            scored = min(entry.points, indicator.points) if entry else Decimal("0")
            total += scored
            if scored < indicator.points:
                items.append(
                    Rectification(
                        round_site=round_site,
                        indicator=indicator,
                        points_missed=indicator.points - scored,
                        deadline=deadline,
                    )
                )
            else:
                passed_codes.add(indicator.code)
        round_site.total = total
        round_site.is_passed = total >= round_site.sheet.pass_score
        round_site.is_exemplary = round_site.is_passed and round_site.sheet.level == "exemplary"
        round_site.save(update_fields=["total", "is_passed", "is_exemplary"])
        _recheck(round_site, passed_codes)
        results[round_site.site.code] = str(total)
    Rectification.objects.bulk_create(items)
    return results


def _recheck(round_site: RoundSite, passed_codes: set[str]) -> None:
    """The next round re-checks the site's open and rectified items of earlier rounds by the indicator's code."""
    earlier = (
        Rectification.objects.select_for_update()
        .filter(
            round_site__site_id=round_site.site_id,
            state__in=RECTIFICATION_MOVES["recheck"],
        )
        .exclude(round_site__round_id=round_site.round_id)
        .select_related("indicator")
    )
    for item in earlier:
        check_transition(RECTIFICATION_MOVES, "recheck", item.state, message="")
        item.state = RectificationState.RESOLVED if item.indicator.code in passed_codes else RectificationState.FAILED
        item.rechecked_in = round_site
        item.save(update_fields=["state", "rechecked_in"])
        audit_record(
            actor=None,
            action="inspection.rectification_recheck",
            obj=item,
            payload={"state": item.state, "round_site": round_site.pk},
        )
