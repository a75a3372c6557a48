"""Role × endpoint matrix: every URL pattern and every API operation, called as every role on an object in its scope
and one outside it, against the table below (``ENTRIES``).

- A pattern or API operation without an entry fails ``test_every_endpoint_has_an_entry`` naming it; an entry that
  names no endpoint fails too. Adding an endpoint means adding one line here.
- Outcomes: *allowed* is anything but a denial and never a 5xx (a write may fail validation: 400/409/422 are fine);
  *denied* is a redirect to the login page for the anonymous visitor of a page (401 on the API) and 401/403/404, or
  the admin's redirect to its login, for everyone else (the applicant's tracking pages send to the tracking form).
  Where a role is allowed on its own object but not on the other one, the other one is not found (404; in the admin,
  its "does not exist" redirect to the index): another town's object is never even confirmed to exist.
- Writes are called on a case in the status the move starts from (a move is checked against the transition table
  before the permission), with a valid body where the input is checked before the permission.
- A denied write changes nothing: no audit event, and no case changes status or clock.

The world (tests/access_matrix_world.py) is the demo county with one case per place: a case relayed from the village
room 白沙村 (BS01) under the town 白沙镇 (BS), a case at the town 浮屠镇 (FT), a market-department (SJ) case at the
county centre (YX) and the applicant's own online application. ``access_matrix_world.ROLES`` says which place is each
role's "in" and "out".
"""

from __future__ import annotations

import functools
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from bianmin.accounts.models import User
from bianmin.api import api
from bianmin.api_tokens import OPERATION_SCOPES
from bianmin.cases.models import Case
from bianmin.cases.public_views import TRACKED_SESSION_KEY
from bianmin.catalog.models import MaterialRequirement, Topic
from bianmin.core.models import AuditEvent, CalendarYear, OutboundMessage
from bianmin.core.testing import ID_NUMBER
from bianmin.org.models import Delegation
from bianmin.ratings.tablet import tablet_key

from .access_matrix_world import NOW, ROLES, TOKEN_CALLERS, World, world_build

IN, OUT = "in", "out"
ALL_ROLES = tuple(ROLES)
ROLE_HOLDERS = tuple(role for role in ROLES if role not in ("anonymous", "applicant", *TOKEN_CALLERS))


@dataclass(frozen=True)
class Entry:
    """Who is allowed: ``both`` on their own and on the other place's object, ``own`` on their own only; every other
    role is denied. ``method`` is how the matrix calls it (POST for writes); ``params`` name the object kind of a
    URL parameter where its name does not say it; ``url`` builds the whole URL where the pattern is a regex."""

    both: tuple[str, ...] = ()
    own: tuple[str, ...] = ()
    method: str = "GET"
    params: dict[str, str] = field(default_factory=dict)
    url: Callable[[World, str, str], str] | None = None
    # Where a denied visitor is redirected (besides 401/403/404): the login pages, the tracking form.
    login: tuple[str, ...] = ("/accounts/login/", "/admin/login/")

    def allowed(self, role: str, side: str) -> bool:
        return role in self.both or (side == IN and role in self.own)


def e(both=(), own=(), *, method="GET", url=None, login=None, **params: str) -> Entry:
    """The table's one-line constructor."""
    return Entry(tuple(both), tuple(own), method, params, url, *([login] if login else []))


# Signed in to the pages: the token callers are not (on a page a token is nobody); on the API they are allowed what
# the role their system acts as is allowed, where their token holds the operation's scope (``_allowed``).
LOGGED_IN = tuple(role for role in ROLES if role not in ("anonymous", *TOKEN_CALLERS))
MONITORS = ("chief_representative", "department_head", "centre_admin", "supervisor", "superuser")
DEPARTMENT_LEADS = ("chief_representative", "department_head")
SUPERVISORS = ("supervisor", "superuser")
HOTLINE_DESK = ("centre_admin", "supervisor", "superuser")
COMPLAINT_READERS_OWN = ("town_clerk", "county_clerk", "centre_admin", "supervisor")
PUBLIC = e(ALL_ROLES)
# Staff whose scope holds the site (a town's staff: its village rooms too), not a department-wide role.
INSPECTION_SITE_STAFF = ("town_clerk", "village_agent", "county_clerk", "centre_admin")
POST_PUBLIC = e(ALL_ROLES, method="POST")
# The applicant's tracking pages: only in the session that verified the case (the applicant's, for their own);
# everyone else is sent to the tracking form, whether the number exists or not.
TRACKING_FORM = ("/cases/track/",)
COMPLAINT_TRACKING_FORM = ("/complaints/track/",)
OWN_APPLICATION = e(own=("applicant",), login=TRACKING_FORM)
# The admin: centre administrators and superusers only; third-party models (groups, login attempts, task results)
# the superuser only; nothing is deleted; read-only records are never added there.
ADMIN_GATE = e(("centre_admin", "superuser"))


def _admin_model(
    prefix: str,
    *,
    kind: str = "none",
    add: bool = True,
    scoped: bool = False,
    third_party: bool = False,
    delete: bool = True,
    exists: bool = True,
) -> dict[str, Entry]:
    """The six patterns Django's admin registers per model. ``scoped``: the objects belong to a site, so a town's
    centre administrator sees their own town's only (another town's is "not found"). ``third_party``: Django's own
    per-model permissions apply, which only the superuser holds (``delete``: the superuser may delete there).
    ``exists``: the world has such an object (otherwise its pages are "not found" for everyone)."""
    if third_party:
        gate = e(("superuser",))
        obj = e(("superuser",), object_id=kind) if exists else e(object_id=kind)
        removal = obj if delete else e(object_id=kind)
    else:
        gate = ADMIN_GATE
        obj = e(("superuser",), own=("centre_admin",), object_id=kind) if scoped else e(ADMIN_GATE.both, object_id=kind)
        removal = e(object_id=kind)
    return {
        f"admin/{prefix}/": gate,
        f"admin/{prefix}/add/": gate if add else e(),
        f"admin/{prefix}/<path:object_id>/history/": obj,
        f"admin/{prefix}/<path:object_id>/delete/": removal,
        f"admin/{prefix}/<path:object_id>/change/": obj,
        # The admin's redirect to the change page (which checks the object): behind the admin's gate only.
        f"admin/{prefix}/<path:object_id>/": e(ADMIN_GATE.both, object_id=kind),
    }


SITE_ROLES_OWN = ("town_clerk", "village_agent", "county_clerk", "centre_admin", "supervisor")
CASE_READERS_OWN = (
    "town_clerk",
    "village_agent",
    "county_clerk",
    "chief_representative",
    "department_head",
    "centre_admin",
    "supervisor",
)
# Moves at the window on a case (cases.permissions.can): the clerks of the site handling it, the department's head
# and chief representative (within the delegation: the market department's includes no extension), never a centre
# administrator or a supervisor. The village room's agent relays the case (and hands over its result once it was
# sent back there), the town hall handles it.
WINDOW_MOVERS = ("town_clerk", "county_clerk", "chief_representative", "department_head")
RECTIFICATION_READERS = (
    "town_clerk",
    "county_clerk",
    "chief_representative",
    "department_head",
    "centre_admin",
    "supervisor",
)


def case_move(*movers: str, status: str = "case", **params: str) -> Entry:
    """A move on a case in ``status`` (the move's starting status): allowed for ``movers`` on their own place's case
    and for the superuser anywhere."""
    return e(("superuser",), own=movers, method="POST", case_id=status, **params)


ENTRIES: dict[str, Entry] = {
    # --- Core and the public site --------------------------------------------------------------------------------
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "i18n/setlang/": POST_PUBLIC,
    "accounts/login/": PUBLIC,
    "accounts/logout/": POST_PUBLIC,
    # One's own password: whoever is signed in, for their own account only (nothing to be out of scope of).
    "accounts/password/": e(LOGGED_IN),
    "": PUBLIC,
    "sites/": PUBLIC,
    "sites/<str:code>/": e(ALL_ROLES, code="site_code"),
    "deadline/": PUBLIC,
    "results/": PUBLIC,
    "results/feed.atom": PUBLIC,
    "results/feed.json": PUBLIC,
    # The hall's and the windows' display screens: public, like the hall itself.
    "screens/<str:code>/": e(ALL_ROLES, code="site_code"),
    "screens/<str:code>/panel/": e(ALL_ROLES, code="site_code"),
    "screens/<str:code>/windows/<str:number>/": e(ALL_ROLES, code="site_code", number="window_number"),
    "screens/<str:code>/windows/<str:number>/panel/": e(ALL_ROLES, code="site_code", number="window_number"),
    "items/": PUBLIC,
    "items/<str:code>/": PUBLIC,
    "items/<str:code>/v<int:number>/": PUBLIC,
    "items/<str:code>/card.pdf": PUBLIC,
    "items/<str:code>/qr.svg": PUBLIC,
    "items/<str:code>/v<int:number>/materials/<int:material_id>/<str:kind>/": e(
        ALL_ROLES, code="sample_code", number="sample_number", material_id="sample_material"
    ),
    "kiosk/": PUBLIC,
    "kiosk/items/": PUBLIC,
    "kiosk/items/<str:code>/": PUBLIC,
    # --- The applicant's pages -----------------------------------------------------------------------------------
    "cases/apply/<str:code>/": PUBLIC,
    "cases/apply/<str:code>/phone/": PUBLIC,
    "cases/submitted/<str:tracking_number>/": OWN_APPLICATION,
    "cases/track/": PUBLIC,
    "cases/track/forget/": POST_PUBLIC,
    "cases/track/<str:tracking_number>/": OWN_APPLICATION,
    "cases/track/<str:tracking_number>/notices/<int:notice_id>.pdf": e(own=("applicant",)),
    "cases/track/<str:tracking_number>/withdraw/": e(own=("applicant",), method="POST", login=TRACKING_FORM),
    # Complaints: anyone complains; following one needs its number and query code, verified in the session (no
    # role's session has verified one, so every visitor is sent to the form).
    "complaints/": PUBLIC,
    "complaints/kiosk/": PUBLIC,
    "complaints/track/": PUBLIC,
    "complaints/submitted/<str:number>/": e(login=COMPLAINT_TRACKING_FORM, number="complaint_number"),
    "complaints/track/<str:number>/": e(login=COMPLAINT_TRACKING_FORM, number="complaint_number"),
    "complaints/track/<str:number>/rate/": e(method="POST", login=COMPLAINT_TRACKING_FORM, number="complaint_number"),
    # --- The workbench ------------------------------------------------------------------------------------------
    "workbench/": e(ROLE_HOLDERS),
    "workbench/sites/": e(ROLE_HOLDERS),
    "workbench/sites/<int:pk>/": e(("superuser",), own=SITE_ROLES_OWN, pk="site"),
    # Outside systems and their tokens: centre administrators, for systems whose account lies in their subtree (the
    # matrix's systems act at 白沙镇, the town administrator's).
    "workbench/systems/": e(("centre_admin", "superuser")),
    "workbench/systems/new/": e(("centre_admin", "superuser"), method="POST"),
    "workbench/systems/<int:pk>/": e(("centre_admin", "superuser"), pk="system"),
    "workbench/systems/<int:pk>/tokens/new/": e(("centre_admin", "superuser"), method="POST", pk="system"),
    "workbench/systems/<int:pk>/tokens/<int:token_pk>/revoke/": e(
        ("centre_admin", "superuser"), method="POST", pk="system", token_pk="system_token"
    ),
    # Interconnection: the whole deployment's outbound messages, for the county's administrators (and supervisors,
    # reading); the matrix's administrator and supervisor are a town's.
    "workbench/interconnect/": e(("superuser",)),
    "workbench/interconnect/<int:pk>/": e(("superuser",), pk="delivery"),
    "workbench/interconnect/<int:pk>/resend/": e(("superuser",), method="POST", pk="delivery"),
    "workbench/interconnect/webhooks/": e(("superuser",)),
    "workbench/interconnect/webhooks/<int:pk>/toggle/": e(("superuser",), method="POST", pk="webhook"),
    # The duty roster: kept by the site's centre administrator (a supervisor in sight of the site is forbidden).
    "workbench/duty/": e(("superuser",), own=("centre_admin",)),
    "workbench/duty/<int:site_id>/": e(("superuser",), own=("centre_admin",)),
    "workbench/duty/<int:site_id>/shifts/": e(("superuser",), own=("centre_admin",), method="POST"),
    "workbench/duty/<int:site_id>/shifts/<int:pk>/remove/": e(
        ("superuser",), own=("centre_admin",), method="POST", pk="duty_shift"
    ),
    "workbench/duty/<int:site_id>/shifts/<int:pk>/swap/": e(
        ("superuser",), own=("centre_admin",), method="POST", pk="duty_shift"
    ),
    "workbench/duty/<int:site_id>/copy/": e(("superuser",), own=("centre_admin",), method="POST"),
    "workbench/catalog/excel/": e(("department_head", "superuser")),
    "workbench/catalog/excel/export/": e(("superuser",)),
    "workbench/catalog/excel/template/": e(("department_head", "superuser")),
    "workbench/catalog/imports/<int:pk>/": e(("superuser",), pk="catalog_import"),
    "workbench/catalog/imports/<int:pk>/status/": e(("superuser",), pk="catalog_import"),
    "workbench/cases/": e(ROLE_HOLDERS),
    "workbench/cases/counts/": e(ROLE_HOLDERS),
    "workbench/cases/new/": e(("town_clerk", "village_agent", "county_clerk", "chief_representative", "superuser")),
    "workbench/cases/new/check-id/": e(ROLE_HOLDERS),
    "workbench/cases/ledger/": e(ROLE_HOLDERS),
    "workbench/cases/inquiries/": e(ROLE_HOLDERS),
    # Inquiries are answered or handed over by their owner (the clerk who logged them) only.
    "workbench/cases/inquiries/<int:pk>/answer/": e(own=("town_clerk", "county_clerk"), method="POST", pk="inquiry"),
    "workbench/cases/inquiries/<int:pk>/handover/": e(own=("town_clerk", "county_clerk"), method="POST", pk="inquiry"),
    "workbench/cases/<int:pk>/": e(("superuser",), own=CASE_READERS_OWN, pk="case"),
    # Assessment: the county's centre administrators define, run and publish (the matrix's centre administrator is a
    # town's: denied), its supervisors read everything (the matrix's is a town's: only the published runs, like any
    # staff member); a result is read by its subject (the window's clerk) and objected to by them.
    "workbench/assessment/": e(ROLE_HOLDERS),
    "workbench/assessment/new/": e(("superuser",), method="POST"),
    "workbench/assessment/<int:pk>/": e(ROLE_HOLDERS, pk="assessment_scheme"),
    "workbench/assessment/<int:pk>/items/": e(("superuser",), method="POST", pk="assessment_scheme"),
    "workbench/assessment/<int:pk>/manual/": e(("superuser",), method="POST", pk="assessment_scheme"),
    "workbench/assessment/<int:pk>/runs/": e(("superuser",), method="POST", pk="assessment_scheme"),
    "workbench/assessment/<int:pk>/<slug:move>/": e(
        ("superuser",), method="POST", pk="assessment_scheme", move="assessment_move"
    ),
    "workbench/assessment/runs/<int:pk>/": e(ROLE_HOLDERS, pk="assessment_run"),
    "workbench/assessment/runs/<int:pk>/progress/": e(ROLE_HOLDERS, pk="assessment_run"),
    "workbench/assessment/runs/<int:pk>/publish/": e(("superuser",), method="POST", pk="assessment_run"),
    "workbench/assessment/runs/<int:pk>/ranking.xlsx": e(ROLE_HOLDERS, pk="assessment_run"),
    "workbench/assessment/runs/<int:pk>/report.pdf": e(("superuser",), pk="assessment_run"),
    "workbench/assessment/results/<int:pk>/": e(
        ("superuser",), own=("town_clerk", "county_clerk"), pk="assessment_result"
    ),
    "workbench/assessment/results/<int:pk>/report.pdf": e(
        ("superuser",), own=("town_clerk", "county_clerk"), pk="assessment_result"
    ),
    "workbench/assessment/results/<int:pk>/recommendation.pdf": e(("superuser",), pk="assessment_result"),
    "workbench/assessment/results/<int:pk>/recommendation/": e(("superuser",), method="POST", pk="assessment_result"),
    "workbench/assessment/results/<int:pk>/objection/": e(
        ("superuser",), own=("town_clerk", "county_clerk"), method="POST", pk="assessment_result"
    ),
    "workbench/assessment/objections/<int:pk>/answer/": e(("superuser",), method="POST", pk="assessment_objection"),
    # The inspection: every role holder has its home; supervisors (and county administrators) read every round and
    # site; a site's staff read their own sites' results and rectify them; only an inspector of the site's group
    # (here the superuser) scores, and only a county administrator moves a round.
    "workbench/inspection/": e(ROLE_HOLDERS),
    # Importing cases from another system: centre administrators (each row's site must be theirs) and superusers.
    "workbench/imports/cases/": e(("centre_admin", "superuser")),
    "workbench/inspection/sw.js": PUBLIC,
    "workbench/inspection/rounds/new/": e(("superuser",), method="POST"),
    "workbench/inspection/rounds/<int:round_id>/": e(SUPERVISORS, round_id="inspection_round"),
    "workbench/inspection/rounds/<int:round_id>/assign/": e(("superuser",), method="POST", round_id="inspection_round"),
    "workbench/inspection/rounds/<int:round_id>/<str:move>/": e(
        ("superuser",), method="POST", round_id="inspection_round", move="inspection_move"
    ),
    "workbench/inspection/rounds/<int:round_id>/sites/<int:site_id>/": e(
        SUPERVISORS, own=INSPECTION_SITE_STAFF, round_id="inspection_round"
    ),
    "workbench/inspection/rounds/<int:round_id>/sites/<int:site_id>/score/": e(
        ("superuser",), round_id="inspection_round"
    ),
    "workbench/inspection/rounds/<int:round_id>/sites/<int:site_id>/sync/": e(
        ("superuser",), method="POST", round_id="inspection_round"
    ),
    "workbench/inspection/photos/<int:pk>/": e(SUPERVISORS, own=INSPECTION_SITE_STAFF, pk="inspection_photo"),
    "workbench/inspection/rectifications/<int:pk>/rectify/": e(
        ("superuser",), own=INSPECTION_SITE_STAFF, method="POST", pk="inspection_item"
    ),
    "workbench/licences/": e(ROLE_HOLDERS),
    "workbench/licences/<int:pk>/": e(("superuser",), own=CASE_READERS_OWN, pk="licence"),
    "workbench/licences/<int:pk>/pdf/": e(("superuser",), own=CASE_READERS_OWN, pk="licence"),
    "workbench/licences/<int:pk>/<str:move>/": e(
        ("superuser",), own=WINDOW_MOVERS, method="POST", pk="licence", move="licence_move"
    ),
    "verify/<int:pk>": e(
        ALL_ROLES,
        url=lambda w, role, side: f"/verify/{w.places['BS'].licence.pk}?c={w.places['BS'].licence.check_code}",
    ),
    "workbench/cases/<int:pk>/notices/<int:notice_pk>.pdf": e(("superuser",), own=CASE_READERS_OWN, pk="case"),
    "workbench/cases/<int:pk>/materials/<int:material_pk>/": e(("superuser",), own=CASE_READERS_OWN, pk="case"),
    "workbench/cases/<int:pk>/<slug:action>/": e(
        ("superuser",), own=WINDOW_MOVERS, method="POST", pk="received", action="case_action"
    ),
    # --- Supervision and statistics ------------------------------------------------------------------------------
    "supervision/": e(MONITORS),
    "supervision/live/": e(MONITORS),
    "supervision/thresholds/": e(MONITORS),
    "supervision/thresholds/<int:pk>/delete/": e(("superuser",), method="POST", pk="threshold"),
    "supervision/alerts/": e((*DEPARTMENT_LEADS, *SUPERVISORS)),
    "supervision/alerts/sweep/": e(SUPERVISORS, method="POST"),
    "supervision/alerts/<int:pk>/": e(("superuser",), own=(*DEPARTMENT_LEADS, "supervisor"), pk="alert"),
    "supervision/alerts/<int:pk>/<slug:action>/": e(
        ("superuser",), own=("supervisor",), method="POST", pk="alert", action="alert_action"
    ),
    "supervision/rules/": e((*DEPARTMENT_LEADS, *SUPERVISORS)),
    "supervision/inbox/": e(ROLE_HOLDERS),
    "supervision/inbox/read-all/": e(ROLE_HOLDERS, method="POST"),
    "supervision/inbox/<int:pk>/read/": e(own=ROLE_HOLDERS, method="POST", pk="inbox"),
    "supervision/orders/": e(ROLE_HOLDERS),
    "supervision/orders/new/": e(SUPERVISORS),
    "supervision/orders/<int:pk>/": e(("superuser",), own=(*DEPARTMENT_LEADS, "supervisor"), pk="order"),
    "supervision/orders/<int:pk>/<slug:action>/": e(
        ("superuser",), own=("supervisor",), method="POST", pk="order", action="order_action"
    ),
    "supervision/accountability/": e(ROLE_HOLDERS),
    "supervision/accountability/new/": e(SUPERVISORS),
    "supervision/accountability/<int:pk>/": e(("superuser",), own=(*DEPARTMENT_LEADS, "supervisor"), pk="record"),
    "supervision/accountability/<int:pk>/annul/": e(("superuser",), own=("supervisor",), method="POST", pk="record"),
    "supervision/audit/": e(("centre_admin", *SUPERVISORS)),
    "supervision/audit/verify/": e(("centre_admin", *SUPERVISORS), method="POST"),
    "supervision/data-views/": e(SUPERVISORS),
    "supervision/statistics/": e(MONITORS),
    "supervision/statistics/cases/": e(MONITORS),
    # Complaints: a place's complaint is at its case's site, awaiting acceptance (no department, no handler yet), so
    # the site's staff and supervisors see it; a supervisor of the jurisdiction accepts it; the hotline's desk
    # (supervisors, centre administrators) receives work orders.
    "workbench/complaints/": e(ROLE_HOLDERS),
    "workbench/complaints/mine/": e(ROLE_HOLDERS),
    "workbench/complaints/notices/": e((*DEPARTMENT_LEADS, *SUPERVISORS)),
    "workbench/complaints/identity-views/": e(SUPERVISORS),
    "workbench/complaints/new/": e(ROLE_HOLDERS),
    "workbench/complaints/import/": e(HOTLINE_DESK),
    "workbench/complaints/import/template/": e(HOTLINE_DESK),
    "workbench/complaints/<int:pk>/": e(("superuser",), own=COMPLAINT_READERS_OWN, pk="complaint"),
    "workbench/complaints/<int:pk>/<slug:move>/": e(
        ("superuser",), own=("supervisor",), method="POST", pk="complaint", move="complaint_move"
    ),
    # --- Ratings (好差评): the applicant's pages, the window tablet, the staff pages ---------------------------------
    "ratings/": PUBLIC,  # the portal's monthly figures
    "rate/<str:tracking_number>/": OWN_APPLICATION,
    "rate/<str:tracking_number>/fix/": e(own=("applicant",), method="POST", login=TRACKING_FORM),
    # The tablet's key is the window's signed id: whoever holds it sees the prompt (never a staff member's rating).
    "rate/window/<str:key>/": e(ALL_ROLES, url=lambda w, role, side: f"/rate/window/{tablet_key(w.windows['YX'])}/"),
    "rate/window/<str:key>/now/": e(
        ALL_ROLES, url=lambda w, role, side: f"/rate/window/{tablet_key(w.windows['YX'])}/now/"
    ),
    "rate/window/<str:key>/submit/": e(
        ALL_ROLES, method="POST", url=lambda w, role, side: f"/rate/window/{tablet_key(w.windows['YX'])}/submit/"
    ),
    "workbench/ratings/": e(ROLE_HOLDERS),
    # A rectification: the sites in scope (the village room's agent: only its room) and the department's leads.
    "workbench/ratings/<int:pk>/": e(("superuser",), own=RECTIFICATION_READERS, pk="rectification"),
    "workbench/ratings/<int:pk>/appeals/<int:appeal_id>/evidence/": e(pk="rectification", appeal_id="none"),
    # The department appeals (its head and chief representative); the others who see the task are refused.
    "workbench/ratings/<int:pk>/<slug:action>/": e(
        ("superuser",), own=DEPARTMENT_LEADS, method="POST", pk="rectification", action="rectification_action"
    ),
    "workbench/ratings/appeals/": e(SUPERVISORS),
    "workbench/ratings/figures/": e(("department_head", "centre_admin", *SUPERVISORS)),
    "workbench/ratings/tablets/": e(("centre_admin", "superuser")),
    # The clerk asks for a rating on their own window's tablet (the superuser has no window).
    "workbench/ratings/prompt/<int:case_id>/": e(own=("town_clerk", "county_clerk"), method="POST", case_id="case"),
    # --- The API: its own pages, then one entry per operation (METHOD path) --------------------------------------
    "api/v1/": e(),  # no page at the root
    "api/v1/openapi.json": PUBLIC,
    "api/v1/docs": PUBLIC,
    "GET /api/v1/org/sites": e(LOGGED_IN),
    "GET /api/v1/org/sites/{site_id}": e(("superuser",), own=SITE_ROLES_OWN, site_id="site"),
    "GET /api/v1/org/me": e(LOGGED_IN),
    "GET /api/v1/calendar/add": e(LOGGED_IN),
    "GET /api/v1/calendar/between": e(LOGGED_IN),
    "GET /api/v1/calendar/years": e(LOGGED_IN),
    "GET /api/v1/catalog/items": PUBLIC,
    "GET /api/v1/catalog/items/{code}": PUBLIC,
    "GET /api/v1/catalog/items/{code}/versions": PUBLIC,
    "GET /api/v1/catalog/items/{code}/versions/{number}": PUBLIC,
    "GET /api/v1/cases/": e(LOGGED_IN),  # the caller's cases: an empty list for a person without a role
    "GET /api/v1/events": e(LOGGED_IN),  # the feed of the caller's cases: no events for a person without a role
    "POST /api/v1/imports/cases": e(("centre_admin", "superuser"), method="POST"),
    # Receiving at a site: its clerks and agents, a chief representative at the site of their window (another
    # site is refused: the site is in the body, not the URL).
    "POST /api/v1/cases/": e(
        ("superuser",), own=("town_clerk", "village_agent", "county_clerk", "chief_representative"), method="POST"
    ),
    "GET /api/v1/cases/{case_id}": e(("superuser",), own=CASE_READERS_OWN),
    "GET /api/v1/cases/{case_id}/timeline": e(("superuser",), own=CASE_READERS_OWN),
    "GET /api/v1/cases/{case_id}/notices": e(("superuser",), own=CASE_READERS_OWN),
    "GET /api/v1/cases/{case_id}/notices/{notice_id}": e(("superuser",), own=CASE_READERS_OWN),
    "GET /api/v1/cases/{case_id}/notices/{notice_id}/pdf": e(("superuser",), own=CASE_READERS_OWN),
    "GET /api/v1/cases/{case_id}/materials/{material_id}/file": e(
        ("superuser",), own=CASE_READERS_OWN, material_id="material_pk"
    ),
    # A scan is added by whoever may receive the case's materials at the window (multipart: MULTIPART_BODIES).
    "POST /api/v1/cases/{case_id}/materials/{material_id}/scans": case_move(
        *WINDOW_MOVERS, status="material_missing", material_id="missing_material"
    ),
    "POST /api/v1/cases/{case_id}/supplement": case_move(*WINDOW_MOVERS, status="received"),
    "POST /api/v1/cases/{case_id}/supplement-received": case_move(*WINDOW_MOVERS, status="supplement_requested"),
    "POST /api/v1/cases/{case_id}/accept": case_move(*WINDOW_MOVERS, status="received"),
    "POST /api/v1/cases/{case_id}/materials/{material_id}/waiver": case_move(
        *WINDOW_MOVERS, status="material_missing", material_id="missing_material"
    ),
    "POST /api/v1/cases/{case_id}/refuse": case_move(*WINDOW_MOVERS, status="received"),
    # The open step of an accepted case is its department's (head, chief representative).
    "POST /api/v1/cases/{case_id}/tasks/{task_id}/complete": case_move(*DEPARTMENT_LEADS, task_id="open_task"),
    "POST /api/v1/cases/{case_id}/suspend": case_move(*WINDOW_MOVERS),
    "POST /api/v1/cases/{case_id}/resume": case_move(*WINDOW_MOVERS, status="suspended"),
    "POST /api/v1/cases/{case_id}/extensions": case_move("town_clerk", "county_clerk", "department_head"),
    "POST /api/v1/cases/{case_id}/extensions/{extension_id}/decision": case_move("department_head"),
    "POST /api/v1/cases/{case_id}/decision": case_move(*DEPARTMENT_LEADS),
    "POST /api/v1/cases/{case_id}/certificate": case_move(*WINDOW_MOVERS, status="approved"),
    # Electronic licences: read by whoever sees the case; replaced or changed by who issues; revoked by who decides;
    # verified by anyone holding the QR code's link (id and check code) or a copy's signed content.
    # Assessment results: the caller's own (the window's clerk) or every one (the county's administrators and
    # supervisors, here the superuser); a run's list is open to the staff (filtered), not to an applicant.
    "GET /api/v1/assessment/runs/{run_id}/results": e(ROLE_HOLDERS, run_id="assessment_run"),
    "GET /api/v1/assessment/results/{result_id}": e(
        ("superuser",), own=("town_clerk", "county_clerk"), result_id="assessment_result"
    ),
    "GET /api/v1/licences/": e(LOGGED_IN),
    "GET /api/v1/licences/{licence_id}": e(("superuser",), own=CASE_READERS_OWN, licence_id="licence"),
    "GET /api/v1/licences/{licence_id}/pdf": e(("superuser",), own=CASE_READERS_OWN, licence_id="licence"),
    "POST /api/v1/licences/{licence_id}/revoke": e(
        ("superuser",), own=DEPARTMENT_LEADS, method="POST", licence_id="licence"
    ),
    "POST /api/v1/licences/{licence_id}/replace": e(
        ("superuser",), own=WINDOW_MOVERS, method="POST", licence_id="licence"
    ),
    "POST /api/v1/licences/{licence_id}/change": e(
        ("superuser",), own=WINDOW_MOVERS, method="POST", licence_id="licence"
    ),
    "GET /api/v1/licences/{licence_id}/verification": e(
        ALL_ROLES,
        url=lambda w, role, side: (
            f"/api/v1/licences/{w.places['BS'].licence.pk}/verification?c={w.places['BS'].licence.check_code}"
        ),
    ),
    "POST /api/v1/licences/verify": POST_PUBLIC,
    "POST /api/v1/cases/{case_id}/fee": case_move(*WINDOW_MOVERS, status="approved"),
    "POST /api/v1/cases/{case_id}/ready": case_move(*WINDOW_MOVERS, status="approved"),
    # A result goes back where the applicant came (结果反馈): the relayed case's to the village room, where its agent
    # (and the town's clerk) record its arrival and hand it over; a result already where it was decided has arrived.
    "POST /api/v1/cases/{case_id}/result-arrival": case_move(
        "town_clerk", "village_agent", "county_clerk", status="sent"
    ),
    "POST /api/v1/cases/{case_id}/delivery": case_move(*WINDOW_MOVERS, status="approved"),
    "POST /api/v1/cases/{case_id}/delivery/signature": case_move(*WINDOW_MOVERS, "village_agent", status="closed"),
    "POST /api/v1/cases/{case_id}/withdrawal": case_move(*WINDOW_MOVERS),
    # The applicant's API: an account's own applications (the world's online case is the applicant's); anyone
    # logged in may apply and list their own (staff: an empty list), nobody reaches another person's application.
    "GET /api/v1/applications/": e(LOGGED_IN),
    "POST /api/v1/applications/": e(LOGGED_IN, method="POST"),
    "GET /api/v1/applications/{case_id}": e(own=("applicant",)),
    "GET /api/v1/applications/{case_id}/notices/{notice_id}/pdf": e(own=("applicant",)),
    "POST /api/v1/applications/{case_id}/withdrawal": e(own=("applicant",), method="POST"),
    # The case pages' other work: the workbench's door (a role); inquiries answered or handed over by their owner;
    # logging one needs a role that writes (supervisors read only); linking at intake needs an intake desk.
    "GET /api/v1/cases/queue-counts": e(ROLE_HOLDERS),
    "GET /api/v1/cases/inquiries": e(ROLE_HOLDERS),
    "POST /api/v1/cases/inquiries": e(tuple(role for role in ROLE_HOLDERS if role != "supervisor"), method="POST"),
    "POST /api/v1/cases/inquiries/{inquiry_id}/answer": e(
        own=("town_clerk", "county_clerk"), method="POST", inquiry_id="inquiry"
    ),
    "POST /api/v1/cases/inquiries/{inquiry_id}/handover": e(
        own=("town_clerk", "county_clerk"), method="POST", inquiry_id="inquiry"
    ),
    "GET /api/v1/cases/ledger": e(ROLE_HOLDERS),
    "GET /api/v1/cases/ledger/xlsx": e(ROLE_HOLDERS),
    "GET /api/v1/cases/intake/id-check": e(
        ROLE_HOLDERS, url=lambda w, role, side: f"/api/v1/cases/intake/id-check?id_number={ID_NUMBER}&item=SF-0003"
    ),
    "POST /api/v1/cases/intake/link": e(
        ("town_clerk", "village_agent", "county_clerk", "chief_representative", "superuser"), method="POST"
    ),
    "POST /api/v1/complaints/work-orders": e(HOTLINE_DESK, method="POST"),
    "GET /api/v1/complaints/{complaint_id}": e(("superuser",), own=COMPLAINT_READERS_OWN, complaint_id="complaint"),
    # Ratings: the applicant rates in the session that verified the case (their own case is rated already: 409).
    "POST /api/v1/ratings/cases/{tracking_number}": e(own=("applicant",), method="POST"),
    "GET /api/v1/ratings/": e(LOGGED_IN),  # the caller's scope: an empty list for a person without a role
    "GET /api/v1/ratings/rectifications": e(LOGGED_IN),
    # Supervision: as its pages (the selectors and services are the pages'); a move a supervisor may not make on the
    # world's objects in their state is a 409, which the matrix counts as allowed (the permission passed).
    "GET /api/v1/supervision/alerts": e((*DEPARTMENT_LEADS, *SUPERVISORS)),
    "GET /api/v1/supervision/alerts/{alert_id}": e(
        ("superuser",), own=(*DEPARTMENT_LEADS, "supervisor"), alert_id="alert"
    ),
    "POST /api/v1/supervision/alerts/{alert_id}/confirm": e(
        ("superuser",), own=("supervisor",), method="POST", alert_id="alert"
    ),
    "POST /api/v1/supervision/alerts/{alert_id}/dismiss": e(
        ("superuser",), own=("supervisor",), method="POST", alert_id="alert"
    ),
    "POST /api/v1/supervision/alerts/{alert_id}/resolve": e(
        ("superuser",), own=("supervisor",), method="POST", alert_id="alert"
    ),
    "GET /api/v1/supervision/orders": e(LOGGED_IN),  # the caller's orders: an empty list for most
    "POST /api/v1/supervision/orders": e(SUPERVISORS, method="POST"),
    "GET /api/v1/supervision/orders/{order_id}": e(
        ("superuser",), own=(*DEPARTMENT_LEADS, "supervisor"), order_id="order"
    ),
    "POST /api/v1/supervision/orders/{order_id}/respond": e(own=DEPARTMENT_LEADS, method="POST", order_id="order"),
    "POST /api/v1/supervision/orders/{order_id}/accept": e(
        ("superuser",), own=("supervisor",), method="POST", order_id="order"
    ),
    "POST /api/v1/supervision/orders/{order_id}/return": e(
        ("superuser",), own=("supervisor",), method="POST", order_id="order"
    ),
    "POST /api/v1/supervision/orders/{order_id}/withdraw": e(
        ("superuser",), own=("supervisor",), method="POST", order_id="order"
    ),
    "GET /api/v1/supervision/accountability": e(LOGGED_IN),  # the records about the caller at least
    "POST /api/v1/supervision/accountability": e(SUPERVISORS, method="POST"),
    "GET /api/v1/supervision/accountability/{record_id}": e(
        ("superuser",), own=(*DEPARTMENT_LEADS, "supervisor"), record_id="record"
    ),
    "POST /api/v1/supervision/accountability/{record_id}/annul": e(
        ("superuser",), own=("supervisor",), method="POST", record_id="record"
    ),
    "GET /api/v1/supervision/audit": e(("centre_admin", *SUPERVISORS)),
    "POST /api/v1/supervision/audit/verify": e(("centre_admin", *SUPERVISORS), method="POST"),
    # The complaint pages' operations (a place's complaint awaits acceptance: the moves that start elsewhere are 409
    # for whoever sees it, and 404 for the others); the lists are the caller's scope, empty without a role.
    "GET /api/v1/complaints/": e(LOGGED_IN),
    "POST /api/v1/complaints/": e(ROLE_HOLDERS, method="POST"),
    "GET /api/v1/complaints/mine": e(LOGGED_IN),
    "GET /api/v1/complaints/notices": e((*DEPARTMENT_LEADS, *SUPERVISORS)),
    "GET /api/v1/complaints/identity-views": e(SUPERVISORS),
    "POST /api/v1/complaints/work-orders/import": e(HOTLINE_DESK, method="POST"),
    "GET /api/v1/complaints/work-orders/template": e(HOTLINE_DESK),
    **{
        f"POST /api/v1/complaints/{{complaint_id}}/{move}": e(
            ("superuser",), own=("supervisor",), method="POST", complaint_id="complaint"
        )
        for move in ("accept", "refuse", "remind")
    },
    **{
        f"POST /api/v1/complaints/{{complaint_id}}/{move}": e(
            ("superuser",), own=COMPLAINT_READERS_OWN, method="POST", complaint_id="complaint"
        )
        for move in ("assign", "handle", "reply", "finish", "call-back")
    },
    # The rectification pages' operations (a place's task is open: verify and appeal start there; the other moves
    # are 409 for whoever sees the task).
    "GET /api/v1/ratings/rectifications/{rectification_id}": e(
        ("superuser",), own=RECTIFICATION_READERS, rectification_id="rectification"
    ),
    "GET /api/v1/ratings/rectifications/{rectification_id}/appeals/{appeal_id}/evidence": e(
        rectification_id="rectification", appeal_id="none"
    ),
    # Verified by the case's handler (the county clerk handled the county's case) or the department's leads.
    "POST /api/v1/ratings/rectifications/{rectification_id}/verify": e(
        ("superuser",), own=("county_clerk", *DEPARTMENT_LEADS), method="POST", rectification_id="rectification"
    ),
    "POST /api/v1/ratings/rectifications/{rectification_id}/appeal": e(
        ("superuser",), own=DEPARTMENT_LEADS, method="POST", rectification_id="rectification"
    ),
    **{
        f"POST /api/v1/ratings/rectifications/{{rectification_id}}/{move}": e(
            ("superuser",), own=RECTIFICATION_READERS, method="POST", rectification_id="rectification"
        )
        for move in ("rectify", "call-back", "record-outcome", "uphold", "reject")
    },
    "GET /api/v1/ratings/appeals": e(SUPERVISORS),
    "GET /api/v1/ratings/figures": e(("department_head", "centre_admin", *SUPERVISORS)),
    # The duty roster: kept by the site's centre administrator, as on its pages.
    "GET /api/v1/duty/sites": e(("superuser",), own=("centre_admin",)),
    "GET /api/v1/duty/sites/{site_id}/week": e(("superuser",), own=("centre_admin",)),
    "POST /api/v1/duty/sites/{site_id}/shifts": e(("superuser",), own=("centre_admin",), method="POST"),
    "POST /api/v1/duty/sites/{site_id}/shifts/{shift_id}/remove": e(
        ("superuser",), own=("centre_admin",), method="POST", shift_id="duty_shift"
    ),
    "POST /api/v1/duty/sites/{site_id}/shifts/{shift_id}/swap": e(
        ("superuser",), own=("centre_admin",), method="POST", shift_id="duty_shift"
    ),
    "POST /api/v1/duty/sites/{site_id}/copy": e(("superuser",), own=("centre_admin",), method="POST"),
    # --- The admin ------------------------------------------------------------------------------------------------
    "admin/": ADMIN_GATE,
    "admin/login/": PUBLIC,
    "admin/logout/": POST_PUBLIC,
    "admin/password_change/": ADMIN_GATE,
    "admin/password_change/done/": ADMIN_GATE,
    "admin/autocomplete/": e(),  # answers the admin's autocomplete fields only; none are configured
    "admin/jsi18n/": ADMIN_GATE,
    # "View on site": no model has a public page of its own.
    "admin/r/<path:content_type_id>/<path:object_id>/": e(url=lambda w, role, side: _view_on_site(w)),
    "admin/^(?P<app_label>auth|axes|django_tasks_database|core|accounts|org|catalog|cases|ratings|duty|complaints|licences|inspection)/$": e(  # noqa: E501
        ADMIN_GATE.both, url=lambda w, role, side: "/admin/org/"
    ),
    "admin/(?P<url>.*)$": e(url=lambda w, role, side: "/admin/no-such-page/"),
    # Another town's account is beyond a town's centre administrator (org.services.require_power_over).
    "admin/accounts/user/<id>/password/": e(("superuser",), own=("centre_admin",), id="user"),
    "admin/core/calendaryear/import/": e(("superuser",)),  # the county's centre administrator only
    "admin/catalog/serviceitem/<int:pk>/draft/": e(ADMIN_GATE.both, pk="item"),
    **_admin_model("auth/group", kind="group", third_party=True),
    **_admin_model("axes/accessattempt", kind="access_attempt", add=False, third_party=True),
    **_admin_model("axes/accesslog", kind="access_log", add=False, third_party=True),
    **_admin_model("axes/accessfailurelog", kind="access_failure", add=False, third_party=True),
    # Tests run tasks at once (the immediate backend): there is no task result to open, so "not found" for all.
    **_admin_model("django_tasks_database/dbtaskresult", add=False, third_party=True, delete=False, exists=False),
    **_admin_model("core/auditevent", add=False, kind="audit_event"),
    **_admin_model("core/outboundmessage", add=False, kind="outbound"),
    **_admin_model("core/calendaryear", add=False, kind="calendar_year"),
    **_admin_model("core/calendarday", add=False, kind="calendar_day"),
    **_admin_model("accounts/user", kind="user", scoped=True),
    **_admin_model("org/site", kind="site", scoped=True),
    **_admin_model("org/department", kind="department"),
    **_admin_model("org/window", kind="window", scoped=True),
    **_admin_model("org/roleassignment", kind="assignment", scoped=True),
    **_admin_model("org/delegation", kind="delegation"),
    **_admin_model("catalog/topic", kind="topic"),
    **_admin_model("catalog/serviceitem", kind="item", add=False),
    **_admin_model("catalog/serviceitemversion", add=False, kind="version"),
    **_admin_model("catalog/catalogimport", add=False, kind="catalog_import"),
    **_admin_model("cases/case", add=False, kind="case", scoped=True),
    **_admin_model("cases/notice", add=False, kind="notice", scoped=True),
    **_admin_model("cases/inquiry", add=False, kind="inquiry", scoped=True),
    **_admin_model("complaints/complaint", add=False, kind="complaint", scoped=True),
    **_admin_model("ratings/rating", add=False, kind="rating", scoped=True),
    **_admin_model("ratings/rectification", add=False, kind="rectification", scoped=True),
    **_admin_model("duty/dutyshift", add=False, kind="duty_shift", scoped=True),
    **_admin_model("duty/dutyswap", add=False, kind="duty_swap", scoped=True),
    **_admin_model("licences/licencetype", add=False, kind="licence_type"),
    **_admin_model("inspection/sheet", kind="inspection_sheet"),
    **_admin_model("inspection/inspectorgroup", kind="inspection_group"),
}

# The actions the matrix posts where a URL names one, and the bodies of the page forms that check their input before
# the permission (so that a refusal, not a form error, is what the matrix sees).
ACTIONS = {
    "case_action": "accept",
    "alert_action": "confirm",
    "order_action": "withdraw",
    "complaint_move": "accept",
    "rectification_action": "appeal",
    "licence_move": "replace",
    "inspection_move": "publish",
}
PAGE_BODIES = {
    "workbench/ratings/<int:pk>/<slug:action>/": {"appeal-reason": "评价人误选。"},
    "supervision/orders/<int:pk>/<slug:action>/": {"withdraw-reason": "已整改。"},
    "supervision/accountability/<int:pk>/annul/": {"reason": "认定有误。"},
    "workbench/licences/<int:pk>/<str:move>/": {"replace-reason": "原证遗失。"},
    "workbench/inspection/rectifications/<int:pk>/rectify/": {"account": "已整改。"},
}


def _intake_body(role: str, side: str) -> dict:
    """An application received at the role's own site, or at the other one."""
    return {
        "item": "SF-0003",  # received at every tier
        "channel": "window",
        "receiving_site": ROLES[role].in_site if side == IN else ROLES[role].out_site,
        "applicant": {"name": "张三", "id_type": "resident_id", "id_number": ID_NUMBER, "phone": "13800000000"},
    }


# A valid body per API move (by the end of its path): the API checks the input before the view runs.
# API writes that take a multipart upload instead of JSON.
MULTIPART_BODIES: dict[str, Callable[[], dict]] = {
    # No files for an item that requires some: refused by the form's checks (422) for whoever may apply.
    "POST /api/v1/applications/": lambda: {
        "item": "SJ-0004",
        "name": "张三",
        "id_number": ID_NUMBER,
        "address": "阳新县",
        "details": "申请。",
    },
    "POST /api/v1/cases/{case_id}/materials/{material_id}/scans": lambda: {
        "file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    },
    "POST /api/v1/complaints/work-orders/import": lambda: {
        "file": SimpleUploadedFile("orders.xlsx", b"not a workbook")
    },
    "POST /api/v1/ratings/rectifications/{rectification_id}/appeal": lambda: {"reason": "评价人误选。"},
}

API_BODIES = {
    "/inquiries": {"asked_by": "王大妈", "question": "要带什么？"},
    "/answer": {"answer": "详见服务指南。"},
    "/handover": {"to_department": "SJ"},
    "/intake/link": {"item": "SF-0003", "id_number": ID_NUMBER, "case_id": 999999},
    "/ratings/cases/{tracking_number}": {"level": 5},
    "/supplement": {"problems": [{"material": "身份证", "problem": "未提供"}]},
    "/supplement-received": {"materials": [{"name": "身份证"}]},
    "/waiver": {"reason": "申请人为个人，无需营业执照"},
    "/refuse": {"reasons": "不属于本机关职权范围。"},
    "/complete": {"outcome": "agree"},
    "/suspend": {"kind": "hearing", "reason": "听证", "expected_days": 5},
    "/extensions": {"days": 3, "reason": "专家评审"},
    "/extensions/{extension_id}/decision": {"approve": True},
    "/decision": {"approve": True},
    "/fee": {"fee_rule_ids": [1], "amount": "10.00"},
    "/ready": {"method": "window"},
    "/result-arrival": {},
    "/delivery": {},
    "/signature": {},
    "/withdrawal": {"reason": "不再需要。"},
    "/revoke": {"reason": "以欺骗手段取得许可。"},
    "/replace": {"reason": "原证遗失。"},
    "/change": {"reason": "名称变更。", "holder_name": "张三餐饮店"},
    "/licences/verify": {"content": "{}", "signature": "A" * 86},
    "/imports/cases": {
        "source": "矩阵旧系统",
        "cases": [
            {
                "original_number": "MATRIX-1",
                "item": "SF-0003",
                "site": "BS",
                "applicant_name": "张三",
                "applicant_id_number": ID_NUMBER,
                "applicant_phone": "13800000000",
                "received_on": "2026-03-02",
                "status": "received",
            }
        ],
    },
    "/dismiss": {"reason": "规则误报。"},
    "/resolve": {"note": "已督促整改。"},
    "/supervision/orders": {"instruction": "限期整改。", "due_days": 5, "department": "SJ"},
    "/respond": {"text": "已整改。"},
    "/orders/{order_id}/return": {"note": "整改不到位。"},
    "/orders/{order_id}/withdraw": {"reason": "已整改。"},
    "/supervision/accountability": {
        "finding": "超期未办结。",
        "measure": "criticism",
        "decided_on": "2026-03-02",
        "department": "SJ",
    },
    "/annul": {"reason": "认定有误。"},
    "/complaints/": {"text": "窗口态度差。", "name": "李四", "phone": "13700001111"},
    "/complaints/{complaint_id}/refuse": {"reason": "不属于受理范围。"},
    "/complaints/{complaint_id}/assign": {"handler_id": 1},
    "/complaints/{complaint_id}/reply": {"reply": "已核实处理。"},
    "/complaints/{complaint_id}/finish": {"finding": "upheld"},
    "/complaints/{complaint_id}/call-back": {"note": "满意。"},
    "/rectifications/{rectification_id}/verify": {"is_founded": True, "findings": "属实。"},
    "/rectifications/{rectification_id}/rectify": {"measures": "已整改。"},
    "/rectifications/{rectification_id}/call-back": {"note": "满意。"},
    "/rectifications/{rectification_id}/record-outcome": {"outcome": "已办结。"},
    "/rectifications/{rectification_id}/uphold": {"note": "申诉成立。"},
    "/rectifications/{rectification_id}/reject": {"note": "申诉不成立。"},
    "/duty/sites/{site_id}/shifts": {"date": "2026-03-02", "cadre_name": "张三", "phone": "13800000000"},
    "/shifts/{shift_id}/swap": {"cadre_name": "李四", "phone": "13700001111", "approved_by_id": 1, "reason": "出差"},
    "/duty/sites/{site_id}/copy": {"week": "2026-03-02"},
    "/work-orders": {
        "hotline_number": "12345-MATRIX-1",
        "kind": "complaint",
        "text": "态度差。",
        "name": "李四",
        "phone": "13700001111",
    },
}


# --- Enumerating the endpoints -------------------------------------------------------------------------------------


def _patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _api_operations() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return [f"{method.upper()} {path}" for path, methods in paths.items() for method in methods]


def _api_route(operation: str) -> str:
    """The URL pattern an API operation is served by (``{case_id}`` → ``<case_id>``), without the leading slash."""
    return re.sub(r"\{(\w+)\}", r"<\1>", operation.split(" ", 1)[1].lstrip("/"))


def endpoints() -> list[str]:
    """Every URL pattern not served by an API operation, and every API operation."""
    operations = _api_operations()
    served = {_api_route(operation) for operation in operations}
    return [pattern for pattern in dict.fromkeys(_patterns()) if pattern not in served] + operations


def test_every_endpoint_has_an_entry():
    found = endpoints()
    missing = [endpoint for endpoint in found if endpoint not in ENTRIES]
    stale = [key for key in ENTRIES if key not in found]

    assert missing == [], f"endpoints without an entry in tests/test_access_matrix.py ENTRIES: {missing}"
    assert stale == [], f"entries in ENTRIES that name no endpoint: {stale}"


# --- Calling them --------------------------------------------------------------------------------------------------


def _view_on_site(world: World) -> str:
    return f"/admin/r/{ContentType.objects.get_for_model(Case).pk}/{world.places['BS'].case.pk}/"


def _sample() -> MaterialRequirement:
    """A published material with a filled sample file (the demo catalogue attaches some)."""
    return (
        MaterialRequirement.objects.exclude(sample="")
        .filter(version__published_at__isnull=False)
        .select_related("version__item")
        .order_by("pk")
        .first()
    )


def _object(kind: str, world: World, role: str, side: str):
    """The value of a URL parameter of this kind for the role on this side."""
    spec = ROLES[role]
    place = world.places[spec.in_key if side == IN else spec.out_key]
    site_code = spec.in_site if side == IN else spec.out_site

    values: dict[str, Callable[[], object]] = {
        "case": lambda: place.case.pk,
        "case_id": lambda: place.case.pk,
        "received": lambda: place.in_status["received"].pk,
        "supplement_requested": lambda: place.in_status["supplement_requested"].pk,
        "suspended": lambda: place.in_status["suspended"].pk,
        "material_missing": lambda: place.in_status["material_missing"].pk,
        "missing_material": lambda: place.in_status["material_missing"].materials.get(state="missing").pk,
        "approved": lambda: place.in_status["approved"].pk,
        "sent": lambda: place.in_status["sent"].pk,
        "closed": lambda: place.in_status["closed"].pk,
        "task_id": lambda: place.task.pk,
        "open_task": lambda: place.case.tasks.filter(state="open").order_by("pk").first().pk,
        "group": lambda: world.group.pk,
        "access_attempt": lambda: world.access[0].pk,
        "access_log": lambda: world.access[1].pk,
        "access_failure": lambda: world.access[2].pk,
        "extension_id": lambda: place.extension.pk,
        "notice_pk": lambda: place.notice.pk,
        "notice_id": lambda: place.notice.pk,
        "notice": lambda: place.notice.pk,
        "material_pk": lambda: place.material.pk,
        "tracking_number": lambda: place.case.tracking_number,
        "code": lambda: place.case.item.code,
        "number": lambda: place.case.version.number,
        "sample_material": lambda: _sample().pk,
        "sample_code": lambda: _sample().version.item.code,
        "sample_number": lambda: _sample().version.number,
        "kind": lambda: "sample",
        "inquiry": lambda: place.inquiry.pk,
        "alert": lambda: place.alert.pk,
        "order": lambda: place.order.pk,
        "record": lambda: place.record.pk,
        "site": lambda: world.sites[site_code].pk,
        "site_id": lambda: world.sites[site_code].pk,
        "window": lambda: world.windows[site_code].pk,
        "window_number": lambda: world.windows[site_code].number,
        "site_code": lambda: site_code,
        "duty_shift": lambda: world.shifts[site_code].pk,
        "duty_swap": lambda: world.swaps[site_code].pk,
        "assignment": lambda: world.assignments[site_code].pk,
        "user": lambda: world.assignments[site_code].user_id,
        "inbox": lambda: world.inbox[spec.username if side == IN and spec.username else "futu_clerk"].pk,
        "threshold": lambda: world.threshold.pk,
        "catalog_import": lambda: world.catalog_import.pk,
        "delivery": lambda: world.delivery.pk,
        "webhook": lambda: world.webhook.pk,
        "item": lambda: place.case.item.pk,
        "version": lambda: place.case.version.pk,
        "department": lambda: place.case.department_id,
        "delegation": lambda: Delegation.objects.order_by("pk").first().pk,
        "topic": lambda: Topic.objects.order_by("pk").first().pk,
        "audit_event": lambda: AuditEvent.objects.order_by("pk").first().pk,
        "outbound": lambda: OutboundMessage.objects.order_by("pk").first().pk,
        "calendar_year": lambda: CalendarYear.objects.order_by("year").first().pk,
        "calendar_day": lambda: "2026-03-02",
        "none": lambda: 999999,
        "case_action": lambda: ACTIONS["case_action"],
        "alert_action": lambda: ACTIONS["alert_action"],
        "order_action": lambda: ACTIONS["order_action"],
        "complaint": lambda: place.complaint.pk,
        "complaint_id": lambda: place.complaint.pk,
        "complaint_number": lambda: place.complaint.number,
        "complaint_move": lambda: ACTIONS["complaint_move"],
        "rectification_action": lambda: ACTIONS["rectification_action"],
        "rectification": lambda: place.rectification.pk,
        "rating": lambda: place.rectification.rating_id,
        "licence": lambda: place.licence.pk,
        "licence_id": lambda: place.licence.pk,
        "licence_move": lambda: ACTIONS["licence_move"],
        "licence_type": lambda: place.licence.type_id,
        "assessment_scheme": lambda: world.assessment_scheme.pk,
        "assessment_move": lambda: "activate",
        "assessment_run": lambda: world.assessment_run.pk,
        "assessment_result": lambda: world.assessment_results[spec.in_key if side == IN else spec.out_key].pk,
        "assessment_objection": lambda: world.assessment_objection.pk,
        "inspection_round": lambda: world.inspection_round.pk,
        "inspection_sheet": lambda: world.inspection_round.sites.order_by("pk").first().sheet_id,
        "inspection_group": lambda: world.inspection_round.sites.order_by("pk").first().group_id,
        "inspection_move": lambda: ACTIONS["inspection_move"],
        "inspection_photo": lambda: world.inspection_photos[site_code].pk,
        "inspection_item": lambda: world.inspection_items[site_code].pk,
        "system": lambda: world.systems["token_reader"].pk,
        "system_token": lambda: world.system_tokens["token_reader"].pk,
    }
    return values[kind]()


def _url(endpoint: str, entry: Entry, world: World, role: str, side: str) -> tuple[str, str]:
    if entry.url is not None:
        return entry.method, entry.url(world, role, side)
    if " " in endpoint:  # an API operation
        method, path = endpoint.split(" ", 1)
        return method, re.sub(
            r"\{(\w+)\}", lambda m: str(_object(entry.params.get(m[1], m[1]), world, role, side)), path
        )
    path = re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: str(_object(entry.params.get(m[1], m[1]), world, role, side)), endpoint
    )
    return entry.method, "/" + path


def _api_body(endpoint: str, role: str, side: str) -> dict:
    path = endpoint.split(" ", 1)[1]
    if path == "/api/v1/cases/":
        return _intake_body(role, side)
    suffix = max((suffix for suffix in API_BODIES if path.endswith(suffix)), key=len, default=None)
    return API_BODIES[suffix] if suffix else {}


# Objects that belong to no place (the catalogue, the calendar, configuration): called once per role.
GLOBAL_KINDS = {
    "code",
    "number",
    "sample_code",
    "sample_number",
    "sample_material",
    "kind",
    "none",
    "group",
    "access_attempt",
    "access_log",
    "access_failure",
    "audit_event",
    "outbound",
    "calendar_year",
    "calendar_day",
    "department",
    "delegation",
    "topic",
    "item",
    "version",
    "catalog_import",
    "delivery",
    "webhook",
    "threshold",
    "licence_type",
    "assessment_scheme",
    "assessment_move",
    "assessment_run",
    "assessment_objection",
    "inspection_round",
    "inspection_move",
    "inspection_sheet",
    "inspection_group",
    "system",
    "system_token",
}


def _has_objects(endpoint: str, entry: Entry) -> bool:
    """Whether the URL names an object of a place (so it is called on the role's own place's and the other one's)."""
    if endpoint == "POST /api/v1/cases/":
        return True  # the receiving site is in the body
    if entry.url is not None:
        return False
    names = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", endpoint)
    return any(entry.params.get(name, name) not in GLOBAL_KINDS for pair in names for name in pair if name)


def _callers(endpoint: str) -> list[tuple[str, str]]:
    """Every role, on its own place's object and, where the URL names one, on the other place's."""
    sides = (IN, OUT) if _has_objects(endpoint, ENTRIES[endpoint]) else (IN,)
    return [(role, side) for role in ROLES for side in sides]


def _cases() -> list:
    """One test per endpoint (the roles and sides are its calls: one test per call cost more in the test runner's
    own bookkeeping than in the calls)."""
    return [pytest.param(endpoint, id=endpoint) for endpoint in endpoints() if endpoint in ENTRIES]


@pytest.fixture(scope="module")
def world(demo_rows, django_db_blocker):
    """The world, built once for the module inside a transaction rolled back at its end, with a session per role."""
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    with django_db_blocker.unblock(), transaction.atomic():
        demo_rows["county"].replay()
        built = world_build()
        sessions = {}
        for role, spec in ROLES.items():
            if spec.username:
                client = Client()
                client.force_login(User.objects.get(username=spec.username))
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        # The applicant's session verified their own application (by its phone code), as the tracking form does.
        session = SessionStore(session_key=sessions["applicant"])
        session[TRACKED_SESSION_KEY] = {str(built.places["ONLINE"].case.pk): time.time() + 7200}
        session.save()
        yield built, sessions
        transaction.set_rollback(True)
    traveller.stop()


CASE_STATE = (
    "status",
    "current_site_id",
    "accepted_on",
    "clock_due",
    "decided_at",
    "certificate_issued_at",
    "fee_paid_at",
    "ready_at",
    "result_arrived_at",
    "closed_at",
    "delivery_signed_at",
    "withdrawn_at",
)


def _snapshot() -> tuple:
    """What a denied write must leave as it was: the audit chain's length and every case's status and clocks."""
    return AuditEvent.objects.count(), list(Case.objects.order_by("pk").values_list("pk", *CASE_STATE))


def _is_login_redirect(response, entry: Entry) -> bool:
    location = response.headers.get("Location", "").split("?", 1)[0]
    return response.status_code == 302 and location.endswith(entry.login)


def _is_admin_not_found(response, endpoint: str) -> bool:
    """The admin answers an object it does not show (or that does not exist) with a redirect to its index."""
    is_object_page = endpoint.startswith("admin/") and "<path:object_id>" in endpoint
    return is_object_page and response.status_code == 302 and response.headers["Location"] == "/admin/"


@functools.cache
def _operations_by_endpoint() -> dict[str, tuple[str, bool]]:
    """``METHOD path`` → (operation id, whether it needs authentication)."""
    paths = api.get_openapi_schema()["paths"]
    return {
        f"{method.upper()} {path}": (operation["operationId"], bool(operation.get("security")))
        for path, methods in paths.items()
        for method, operation in methods.items()
    }


# Where a system's account is not the person it acts as: a window's assessment result is read by the clerks staffing
# the window, and a system staffs none.
# A token acts as its own service account: another person's assessment result or inquiry is never its own.
NOT_FOR_SYSTEMS = {
    "GET /api/v1/assessment/results/{result_id}",
    "POST /api/v1/cases/inquiries/{inquiry_id}/answer",
    "POST /api/v1/cases/inquiries/{inquiry_id}/handover",
}


def _allowed(entry: Entry, endpoint: str, role: str, side: str) -> bool:
    if role not in TOKEN_CALLERS:
        return entry.allowed(role, side)
    acts_as, scopes = TOKEN_CALLERS[role]
    if endpoint in NOT_FOR_SYSTEMS:
        return False
    operation = _operations_by_endpoint().get(endpoint) if " " in endpoint else None
    if operation is None or not operation[1]:
        return entry.allowed("anonymous", side)  # a page, or a public operation: the token counts for nothing
    return entry.allowed(acts_as, side) and OPERATION_SCOPES.get(operation[0]) in scopes


def _send(client: Client, endpoint: str, method: str, url: str, role: str, side: str):
    if endpoint in MULTIPART_BODIES:
        return client.post(url, MULTIPART_BODIES[endpoint](), headers={"Idempotency-Key": str(uuid.uuid4())})
    if " " in endpoint and method == "POST":
        return client.post(
            url,
            _api_body(endpoint, role, side),
            content_type="application/json",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    if method == "POST":
        return client.post(url, PAGE_BODIES.get(endpoint, {}))
    return client.get(url)


@pytest.mark.parametrize("endpoint", _cases())
def test_access(world, db, tmp_path, endpoint: str):
    """Each role and side is called as a test of its own would be: in a savepoint rolled back after the call, with
    an empty cache (throttles), the default language and an empty checkpoint directory; every wrong answer is
    reported, not only the first."""
    from django.core.cache import cache
    from django.test import override_settings
    from django.utils import translation

    wrong = []
    for number, (role, side) in enumerate(_callers(endpoint)):
        cache.clear()
        translation.activate(settings.LANGUAGE_CODE)
        with override_settings(AUDIT_CHECKPOINT_DIR=tmp_path / str(number)), transaction.atomic():
            try:
                _call(world, endpoint, role, side)
            except AssertionError as error:
                wrong.append(str(error).splitlines()[0])
            transaction.set_rollback(True)
    assert wrong == []


def _call(world, endpoint: str, role: str, side: str) -> None:
    built, sessions = world
    entry = ENTRIES[endpoint]
    method, url = _url(endpoint, entry, built, role, side)
    client = Client()  # a fresh cookie jar: a logout in one call must not log the role out in the next
    if role in sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    if role in TOKEN_CALLERS:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {built.tokens[role]}"
    is_api = " " in endpoint
    before = _snapshot() if method == "POST" else None
    response = _send(client, endpoint, method, url, role, side)

    status = response.status_code
    got = f"{status} {response.headers.get('Location', '')}".strip()
    if response.headers.get("Content-Type", "").startswith("application/json") and status >= 400:
        got += f" {response.content[:300].decode(errors='replace')}"
    assert status < 500, f"{method} {url} as {role} ({side}): {got}"
    redirected = _is_login_redirect(response, entry)
    not_found = status == 404 or _is_admin_not_found(response, endpoint)
    denied = status in (401, 403) or not_found or redirected
    if _allowed(entry, endpoint, role, side):
        assert not denied, f"{method} {url} as {role} ({side}) should be allowed, got {got}"
        return
    assert denied, f"{method} {url} as {role} ({side}) should be denied, got {got}"
    if role == "anonymous":
        assert status == 401 if is_api else redirected or status in (403, 404), f"{method} {url} anonymous: {got}"
    if side == OUT and _allowed(entry, endpoint, role, IN) and not redirected and endpoint != "POST /api/v1/cases/":
        assert not_found, f"{method} {url} as {role}: another place's object must be not found, got {got}"
    if before is not None:
        assert _snapshot() == before, f"{method} {url} as {role} ({side}) was denied but changed something"
