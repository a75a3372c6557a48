"""The duty roster (干部值班) over the REST API: what the roster pages do, for the site's centre administrator.

Reads: the sites whose roster the caller keeps, and one site's week (its shifts in date and period order, the swaps
recorded on them, and who may approve a swap). Writes, each through its one service of ``services`` with the
Idempotency-Key bookkeeping: set a slot (replacing what was there), remove a shift, record a swap (换班) approved by
a centre administrator of the site, copy the week before into a week. Permission is the pages': another place's site
is not found (404); a site in sight but not kept by the caller (a supervisor's) is forbidden (403). Who is on duty
today is public on the hall screen, a device, not an API operation.
"""

import datetime
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from bianmin.core.api_contract import ErrorOut, Id, plain_text, responses
from bianmin.core.dates import SHANGHAI
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.org.models import Site
from bianmin.org.selectors import site_get_for_user, sites_visible_to

from . import services
from .models import DutyShift, Period
from .selectors import shift_get, shifts_of_week, swap_approvers, swaps_of_week, week_start_of

router = Router(tags=["duty"])

FORBIDDEN = {403: ErrorOut}


class InvalidRoster(DomainError):
    """A value the schema allows and the roster's model refuses (a phone of fewer than 7 digits …): 400, a rule of
    the roster rather than a malformed request."""

    code = "duty_invalid"
    status = 400


@contextmanager
def _model_errors():
    """The model's ValidationError as the API's 400 ``duty_invalid``, every message said."""
    try:
        yield
    except ValidationError as error:
        raise InvalidRoster(" ".join(error.messages)) from None


def _keeper_error() -> PermissionDenied:
    return PermissionDenied(_("Only the site's centre administrator may change its duty roster."))


def _roster_site(request, site_id: int) -> Site:
    site = site_get_for_user(request.auth, site_id)
    if site is None:
        raise Http404
    if not services.can_keep_roster(request.auth, site):
        raise _keeper_error()
    return site


def _this_week() -> datetime.date:
    return week_start_of(timezone.localdate(timezone.now(), SHANGHAI))


# A roster's dates: the days of a century, so a week before or after is still a date (no overflow at the ends).
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
RosterDate = datetime.date


def _on_roster(day: datetime.date) -> datetime.date:
    """A date of the roster's century, else 400 ``duty_date_out_of_range`` (a rule, not a malformed request)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError(_("A roster's dates run from 2000 to 2099."), code="duty_date_out_of_range")
    return day


class RosterSiteOut(Schema):
    id: int
    code: str
    name: str


class DutyShiftOut(Schema):
    id: int
    date: datetime.date
    period: str
    cadre_name: str
    title: str
    phone: str
    note: str


class DutySwapOut(Schema):
    id: int
    shift_id: int
    previous_name: str
    previous_phone: str
    new_name: str
    new_phone: str
    reason: str
    approved_by_id: int
    recorded_by_id: int | None
    recorded_at: datetime.datetime


class SwapApproverOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(user) -> str:
        return user.get_full_name() or user.username


class RosterWeekOut(Schema):
    site: RosterSiteOut
    week_start: datetime.date = Field(description="The week's Monday.")
    shifts: list[DutyShiftOut]
    swaps: list[DutySwapOut] = Field(description="The swaps recorded on the week's shifts, newest first.")
    approvers: list[SwapApproverOut] = Field(description="Who may approve a swap at the site.")


class RosterWeekIn(Schema):
    week: RosterDate | None = Field(None, description="Any day of the week (2000 to 2099); this week if absent.")


@router.get(
    "/sites", response=responses(list[RosterSiteOut], has_input=False) | FORBIDDEN, summary="The rosters I keep"
)
def roster_sites(request):
    """The sites whose roster the caller keeps (a centre administrator's subtree; the superuser's every site)."""
    sites = [site for site in sites_visible_to(request.auth) if services.can_keep_roster(request.auth, site)]
    if not sites:
        raise _keeper_error()
    return sites


def _week(site: Site, week_start: datetime.date) -> dict:
    return {
        "site": site,
        "week_start": week_start,
        "shifts": shifts_of_week(site.pk, week_start),
        "swaps": list(swaps_of_week(site.pk, week_start)),
        "approvers": swap_approvers(site),
    }


@router.get(
    "/sites/{site_id}/week",
    response=responses(RosterWeekOut, not_found=True, refusal=True) | FORBIDDEN,
    summary="A site's roster for one week",
)
def roster_week(request, site_id: Id, filters: Query[RosterWeekIn]):
    site = _roster_site(request, site_id)
    return _week(site, week_start_of(_on_roster(filters.week)) if filters.week else _this_week())


def _write(path: str, *, summary: str, response=RosterWeekOut, status: int = 200):
    def register(view):
        return router.post(
            path,
            response=responses(response, status=status, not_found=True, write=True),
            summary=summary,
            openapi_extra={"parameters": [OPENAPI_PARAMETER]},
        )(idempotent(view))

    return register


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class DutyShiftIn(Input):
    date: RosterDate
    period: Period = Period.DAY
    cadre_name: plain_text(60, min_length=1)
    title: plain_text(60) = ""
    phone: plain_text(40, min_length=1)


class DutySwapIn(Input):
    cadre_name: plain_text(60, min_length=1)
    phone: plain_text(40, min_length=1)
    approved_by_id: Id = Field(description="A centre administrator of the site (the week's ``approvers``).")
    reason: plain_text(200, min_length=1)


class RosterCopyIn(Input):
    week: RosterDate = Field(description="Any day of the week to fill from the week before (2000 to 2099).")


def _shift(site: Site, shift_id: int) -> DutyShift:
    shift = shift_get(site.pk, shift_id)
    if shift is None:
        raise Http404
    return shift


@_write("/sites/{site_id}/shifts", summary="Set the cadre on duty for one slot (replacing what was there)")
def shift_set(request, site_id: Id, payload: DutyShiftIn):
    """A whole-day shift and a half-day shift of one date cannot both stand (400 ``duty_slot_taken``). Answers the
    week of the shift."""
    site = _roster_site(request, site_id)
    _on_roster(payload.date)
    with _model_errors():
        services.shift_save(actor=request.auth, site=site, **payload.model_dump())
    return Status(200, RosterWeekOut.model_validate(_week(site, week_start_of(payload.date))))


@_write("/sites/{site_id}/shifts/{shift_id}/remove", summary="Take a shift off the roster")
def shift_remove(request, site_id: Id, shift_id: Id):
    site = _roster_site(request, site_id)
    shift = _shift(site, shift_id)
    services.shift_remove(actor=request.auth, shift=shift)
    return Status(200, RosterWeekOut.model_validate(_week(site, week_start_of(shift.date))))


@_write("/sites/{site_id}/shifts/{shift_id}/swap", summary="Hand a shift to another cadre (换班), approved")
def shift_swap(request, site_id: Id, shift_id: Id, payload: DutySwapIn):
    site = _roster_site(request, site_id)
    shift = _shift(site, shift_id)
    approver = next((user for user in swap_approvers(site) if user.pk == payload.approved_by_id), None)
    if approver is None:
        raise DomainError(_("A swap is approved by a centre administrator of the site."), code="duty_swap_approver")
    with _model_errors():
        services.shift_swap(
            actor=request.auth,
            shift=shift,
            cadre_name=payload.cadre_name,
            phone=payload.phone,
            approved_by=approver,
            reason=payload.reason,
        )
    return Status(200, RosterWeekOut.model_validate(_week(site, week_start_of(shift.date))))


class RosterCopyOut(RosterWeekOut):
    copied: int = Field(description="How many shifts were copied (slots already set are kept).")


@_write("/sites/{site_id}/copy", summary="Copy the week before into a week", response=RosterCopyOut)
def week_copy(request, site_id: Id, payload: RosterCopyIn):
    site = _roster_site(request, site_id)
    week_start = week_start_of(_on_roster(payload.week))
    copied = services.shift_copy_week(actor=request.auth, site=site, week_start=week_start)
    return Status(200, RosterCopyOut.model_validate({**_week(site, week_start), "copied": copied}))
