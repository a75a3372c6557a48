"""The workbench's menus: each link carries the question its page asks before it answers, so a role sees exactly the
pages it may open (no link that ends in 403).

The questions are the views' own (``may_take_intake`` is what the intake page asks, ``sees_alerts`` what the alert
feed and the rule settings ask, ``figures_scope`` what the statistics ask, …), imported here, not restated: change a
page's rule and its link follows. ``tests/test_menus.py`` opens every link of every demo role's menus and expects 200.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import ResolverMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bianmin.accounts.models import User
from bianmin.cases.views.intake import may_take_intake
from bianmin.catalog.staff_views import may_use_catalog_excel
from bianmin.inspection.access import uses_inspection
from bianmin.interconnect.access import may_read_interconnect
from bianmin.interconnect.import_views import may_import_cases
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope
from bianmin.statistics.selectors import figures_scope
from bianmin.supervision.selectors.alerts import sees_alerts
from bianmin.supervision.selectors.monitor import can_monitor
from bianmin.supervision.views.audit_chain import reads_audit_chain
from bianmin.workbench.systems import manages_systems


def _every_staff_member(user: User) -> bool:
    # The page is behind staff_required only, as is the workbench itself: a role, or a superuser (an inspector of
    # the inspecting bodies may hold no role and sees the inspection's link only).
    return user.is_superuser or bool(user_scope(user).roles)


def _reads_statistics(user: User) -> bool:
    return figures_scope(user) is not None


def _in(*view_names: str) -> Callable[[ResolverMatch], bool]:
    return lambda match: match.view_name in view_names


def _in_app(*app_names: str) -> Callable[[ResolverMatch], bool]:
    return lambda match: match.app_name in app_names


@dataclass(frozen=True)
class MenuLink:
    view_name: str
    label: str | Promise
    may_open: Callable[[User], bool]
    is_current: Callable[[ResolverMatch], bool]


MAIN_MENU = [
    MenuLink("workbench:home", _("My work"), _every_staff_member, _in("workbench:home")),
    MenuLink("cases:queue", _("Cases"), _every_staff_member, _in("cases:queue", "cases:detail")),
    MenuLink("cases:intake", _("Window intake"), may_take_intake, _in("cases:intake")),
    MenuLink("cases:inquiries", _("First-inquiry log"), _every_staff_member, _in("cases:inquiries")),
    MenuLink("cases:ledger", _("Site ledger"), _every_staff_member, _in("cases:ledger")),
    MenuLink("complaints:list", _("Complaints"), _every_staff_member, _in_app("complaints")),
    MenuLink("licences:registry", _("Licences"), _every_staff_member, _in_app("licences")),
    MenuLink("inspection:home", _("Inspection"), uses_inspection, _in_app("inspection")),
    MenuLink(
        "supervision:monitor",
        _("Electronic supervision"),
        can_monitor,
        lambda match: match.app_name == "statistics" or (match.app_name == "supervision" and match.url_name != "inbox"),
    ),
    MenuLink("supervision:inbox", _("Inbox"), _every_staff_member, _in("supervision:inbox")),
    MenuLink("ratings:rectifications", _("Rectification of bad reviews"), _every_staff_member, _in_app("ratings")),
    MenuLink("assessment:schemes", _("Assessment"), _every_staff_member, _in_app("assessment")),
    MenuLink(
        "workbench:sites", _("Sites and staff"), _every_staff_member, _in("workbench:sites", "workbench:site_detail")
    ),
    MenuLink("catalog_staff:excel", _("Catalogue in Excel"), may_use_catalog_excel, _in_app("catalog_staff")),
    MenuLink("case_imports:cases", _("Import cases"), may_import_cases, _in_app("case_imports")),
    MenuLink(
        "workbench:systems",
        _("Outside systems"),
        manages_systems,
        lambda match: match.app_name == "workbench" and match.url_name.startswith(("system", "token")),
    ),
    MenuLink("interconnect:deliveries", _("Interconnection"), may_read_interconnect, _in_app("interconnect")),
]

SUPERVISION_MENU = [
    MenuLink("supervision:monitor", _("Live monitor"), can_monitor, _in("supervision:monitor")),
    MenuLink("supervision:alerts", _("Alerts"), sees_alerts, _in("supervision:alerts", "supervision:alert_detail")),
    MenuLink(
        "supervision:orders",
        _("Supervision orders"),
        _every_staff_member,
        lambda match: match.app_name == "supervision" and match.url_name.startswith("order"),
    ),
    MenuLink("statistics:dashboard", _("Statistics"), _reads_statistics, _in_app("statistics")),
    MenuLink("supervision:rules", _("Rule settings"), sees_alerts, _in("supervision:rules")),
    MenuLink("supervision:thresholds", _("Yellow thresholds"), can_monitor, _in("supervision:thresholds")),
    MenuLink(
        "supervision:accountability",
        _("Accountability"),
        _every_staff_member,  # everyone reads the records about themselves
        lambda match: match.app_name == "supervision" and match.url_name.startswith("accountability"),
    ),
    MenuLink("supervision:data_views", _("Personal-data views"), is_supervisor, _in("supervision:data_views")),
    MenuLink("supervision:audit", _("Audit chain"), reads_audit_chain, _in("supervision:audit")),
]


@dataclass(frozen=True)
class ShownLink:
    view_name: str
    url: str
    label: str | Promise
    is_current: bool


def menu_for(user: User, links: list[MenuLink], match: ResolverMatch | None) -> list[ShownLink]:
    """The links of ``links`` that ``user`` may open, marked current for the page ``match`` resolved."""
    return [
        ShownLink(link.view_name, reverse(link.view_name), link.label, match is not None and link.is_current(match))
        for link in links
        if link.may_open(user)
    ]


def shows_supervision_menu(match: ResolverMatch | None) -> bool:
    """The supervision's own menu is shown on its pages (not on the inbox, which every staff member has)."""
    if match is None:
        return False
    return match.app_name == "statistics" or (match.app_name == "supervision" and match.url_name != "inbox")
