"""The intake desk: where a user receives applications (as a clerk, or relaying as an agent), and the applicant's
open cases an application there would duplicate (禁止两头受理). The intake page and the API ask the same."""

from __future__ import annotations

from dataclasses import dataclass

from bianmin.accounts.models import User
from bianmin.catalog.models import ServiceItem
from bianmin.core.errors import DomainError
from bianmin.org.models import Role, Site
from bianmin.org.selectors import user_scope

from . import services
from .models import Case, Channel
from .permissions import can_receive_at

INTAKE_ROLES = [Role.CLERK, Role.CHIEF_REPRESENTATIVE, Role.AGENT]


@dataclass(frozen=True)
class IntakeDesk:
    """Where the user receives applications, and whether as an agent (代办: the case is relayed from here)."""

    site: Site
    is_agency: bool

    @property
    def channel(self) -> str:
        return Channel.AGENCY if self.is_agency else Channel.WINDOW


def intake_desk(user: User) -> IntakeDesk | None:
    """The user's desk: the site of their first intake role (a clerk's before an agent's), the county centre for a
    superuser; None when they receive nowhere."""
    assignments = [
        assignment
        for assignment in user_scope(user).assignments
        if assignment.role in INTAKE_ROLES and assignment.site is not None and assignment.site.is_active
    ]
    ranked = sorted(assignments, key=lambda assignment: (INTAKE_ROLES.index(assignment.role), assignment.pk))
    if ranked:
        desk = IntakeDesk(site=ranked[0].site, is_agency=ranked[0].role == Role.AGENT)
    elif user.is_superuser:
        desk = IntakeDesk(site=Site.objects.filter(parent__isnull=True).order_by("pk").first(), is_agency=False)
    else:
        return None
    return desk if desk.site is not None and can_receive_at(user, desk.site) else None


def open_cases_at(desk: IntakeDesk, item: ServiceItem, id_number: str) -> list[Case]:
    """The applicant's open cases of the item that an application at this desk would duplicate (as case_submit
    decides: received at another site or by another channel)."""
    try:
        site = services.receiving_site(item, desk.channel, desk.site)
    except DomainError:
        return []
    return services.open_applications(id_number=id_number, item=item, site=site, channel=desk.channel)
