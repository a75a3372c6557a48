"""Reads of the catalogue. The public sees published items only; staff see drafts of what they may edit."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q, QuerySet

from bianmin.org.models import Department

from .models import (
    ServiceItem,
    ServiceItemVersion,
)

GUIDE_PREFETCH = [
    "legal_bases",
    "materials",
    "steps",
    "fees",
    "special_procedures",
    "faqs",
    Prefetch("co_departments", queryset=Department.objects.order_by("code")),
    "topics",
    "windows__site",
]


def published_versions() -> QuerySet[ServiceItemVersion]:
    """The current version of every published item: what the portal lists and searches."""
    return ServiceItemVersion.objects.filter(
        item__status=ServiceItem.Status.PUBLISHED, item__current_version=F("pk")
    ).select_related("item", "item__department")


def catalog_search(
    *, query: str = "", department_code: str = "", level: str = "", topic_code: str = ""
) -> QuerySet[ServiceItemVersion]:
    """Published items matching every given filter; ``query`` is a substring of names, keywords,
    materials or the pinyin initials of the name (宅基地 matches "宅基地", "zjd")."""
    versions = published_versions()
    if query.strip():
        for word in query.lower().split():
            versions = versions.filter(search_text__contains=word)
    if department_code:
        versions = versions.filter(Q(item__department__code=department_code) | Q(co_departments__code=department_code))
    if level:
        # Village rooms also serve the items they relay to the town or county as agency.
        condition = Q(accepting_levels__contains=level)
        if level == "village":
            condition |= Q(village_relay=True)
        versions = versions.filter(condition)
    if topic_code:
        versions = versions.filter(topics__code=topic_code)
    return versions.distinct().order_by("item__code")


def guide_version(code: str, *, number: int | None = None) -> ServiceItemVersion | None:
    """The version a guide page shows: the current published one, or an earlier published one by number."""
    versions = ServiceItemVersion.objects.filter(item__code=code, published_at__isnull=False)
    if number is None:
        versions = versions.filter(item__status=ServiceItem.Status.PUBLISHED, item__current_version=F("pk"))
    else:
        versions = versions.filter(number=number)
    return versions.select_related("item", "item__department").prefetch_related(*GUIDE_PREFETCH).first()
