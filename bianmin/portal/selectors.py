"""The public reads of the portal and the hall's screens: what anyone may see, with personal data masked
(``core.masking``, the one policy) before it leaves here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from bianmin.cases.models import Case
from bianmin.catalog.models import ServiceItem
from bianmin.core.dates import SHANGHAI
from bianmin.core.masking import mask_applicant
from bianmin.org.models import Role, RoleAssignment, Site, Window, window_number_order

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


@dataclass(frozen=True)
class PublishedResult:
    """One line of the results board (办件结果公示), already masked."""

    case_id: int
    tracking_number: str
    item_code: str
    item_name: str
    site_name: str
    decided_at: datetime.datetime
    is_approved: bool
    applicant: str

    @property
    def result(self) -> str:
        return _("Approved") if self.is_approved else _("Not approved")

    @property
    def decided_on(self) -> datetime.date:
        return self.decided_at.astimezone(SHANGHAI).date()

    @property
    def cursor(self) -> str:
        """Where the next page starts: the decision's moment in microseconds and the case's id."""
        return f"{(self.decided_at - EPOCH) // MICROSECOND}.{self.case_id}"


def cursor_parse(value: str) -> tuple[datetime.datetime, int] | None:
    """A cursor from a URL as (moment, id), or None when it is not one."""
    moment, _sep, case_id = (value or "").partition(".")
    if not (moment.isdigit() and case_id.isdigit()) or len(moment) > 18 or len(case_id) > 18:
        return None
    return EPOCH + int(moment) * MICROSECOND, int(case_id)


def _published() -> QuerySet[Case]:
    # 双公示: every decision, unless its item is one whose results must not be published. The index's condition
    # (decided_at not null) is repeated so the partial indexes serve the query; the few items kept off the board are
    # a hashed NOT IN checked on each row read in the index's order (a join to the items could sort instead).
    withheld = ServiceItem.objects.filter(results_published=False).values("pk")
    return Case.objects.filter(decided_at__isnull=False).exclude(item_id__in=withheld)


def results_queryset(*, site_id: int | None = None, item_id: int | None = None, after: str = "") -> QuerySet[Case]:
    """The board's rows after the cursor ``after``, newest decision first, under its filters (unsliced)."""
    cases = _published()
    if site_id:
        cases = cases.filter(receiving_site_id=site_id)
    if item_id:
        cases = cases.filter(item_id=item_id)
    position = cursor_parse(after)
    if position:
        moment, case_id = position
        # decided_at <= the cursor's is the index range; the OR only breaks ties within it (an OR alone would be
        # read as two ranges and sorted).
        cases = cases.filter(Q(decided_at__lt=moment) | Q(pk__lt=case_id), decided_at__lte=moment)
    return (
        cases.order_by("-decided_at", "-pk")
        .select_related("item", "version", "receiving_site")
        .only(
            "pk",
            "tracking_number",
            "decided_at",
            "certificate_due",
            "applicant_name",
            "applicant_id_type",
            "item__code",
            "version__name",
            "receiving_site__name",
        )
    )


def results_page(
    *, site_id: int | None = None, item_id: int | None = None, after: str = "", size: int = 20
) -> tuple[list[PublishedResult], str | None]:
    """One page of the results board, newest decision first, and the cursor of the next page (None: the last).

    Keyset paging over (decided_at, id) reads the page from ``case_results_idx`` (or its site or item variant)
    whatever the page's depth; one query."""
    rows = list(results_queryset(site_id=site_id, item_id=item_id, after=after)[: size + 1])
    results = [
        PublishedResult(
            case_id=case.pk,
            tracking_number=case.tracking_number or "",
            item_code=case.item.code,
            item_name=case.version.name,
            site_name=case.receiving_site.name,
            decided_at=case.decided_at,
            is_approved=case.certificate_due is not None,
            applicant=mask_applicant(case.applicant_name, case.applicant_id_type),
        )
        for case in rows[:size]
    ]
    return results, (results[-1].cursor if len(rows) > size else None)


def board_sites() -> QuerySet[Site]:
    return Site.objects.filter(is_active=True).only("pk", "name", "path").order_by("path")


def board_items() -> QuerySet[ServiceItem]:
    return (
        ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED, results_published=True)
        .select_related("current_version")
        .only("pk", "code", "current_version__name")
        .order_by("code")
    )


def public_site(code: str) -> Site | None:
    return Site.objects.filter(code=code, is_active=True).select_related("parent").first()


def public_window(site: Site, number: str) -> Window | None:
    return Window.objects.filter(site=site, number=number, is_active=True).first()


def windows_with_staff(site_id: int, *, window_id: int | None = None) -> list[Window]:
    """A site's active windows (or the one ``window_id``) with their departments and the staff assigned to each
    (``staff_on_duty``), in number order: three queries whatever the number of windows."""
    staff = RoleAssignment.objects.filter(is_active=True, user__is_active=True).select_related("user").order_by("pk")
    windows = Window.objects.filter(site_id=site_id, is_active=True)
    if window_id:
        windows = windows.filter(pk=window_id)
    windows = list(
        windows.prefetch_related("departments", Prefetch("staff", queryset=staff, to_attr="staff_on_duty")).order_by(
            *window_number_order()
        )
    )
    return windows


def site_counter_staff(site_id: int) -> list[RoleAssignment]:
    """The people serving the public at a site without windows (a village room's agents, a hall's clerks)."""
    return list(
        RoleAssignment.objects.filter(
            site_id=site_id, is_active=True, user__is_active=True, role__in=[Role.CLERK, Role.AGENT]
        )
        .select_related("user")
        .order_by("role", "pk")
    )


def items_handled_at(site: Site) -> list[ServiceItem]:
    """The published items a site accepts, by code; ``is_relayed``: decided at a higher level, so the site receives
    the application and relays it (代办/转报)."""
    items = list(
        ServiceItem.objects.filter(
            status=ServiceItem.Status.PUBLISHED, current_version__accepting_levels__contains=site.level
        )
        .select_related("current_version", "department")
        .only("pk", "code", "department__name", "current_version__name", "current_version__deciding_level")
        .order_by("code")
    )
    for item in items:
        item.is_relayed = item.current_version.deciding_level != site.level
    return items
