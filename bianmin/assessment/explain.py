"""From an item's frozen evidence (model label → ids) to the records behind it, as links to their pages: one query
per kind of record on the page, whatever the number of items."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse

from bianmin.cases.models import Case
from bianmin.complaints.models import Complaint
from bianmin.org.models import Window
from bianmin.ratings.models import Rating
from bianmin.supervision.models import AccountabilityRecord, Alert
from bianmin.supervision.rules import RULES

from .models import ItemResult

SHOWN = 50  # links per item; the count says how many there are


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def _rule_name(code: str) -> str:
    rule = RULES.get(code)
    return str(rule.name) if rule else code


def _labels(model: str, ids: list[int]) -> dict[int, Link]:
    if model == "cases.case":
        rows = Case.objects.filter(pk__in=ids).values_list("pk", "tracking_number")
        return {pk: Link(number or f"#{pk}", reverse("cases:detail", args=[pk])) for pk, number in rows}
    if model == "supervision.alert":
        rows = Alert.objects.filter(pk__in=ids).values_list("pk", "rule", "raised_on")
        return {
            pk: Link(f"{_rule_name(rule)} {day:%m-%d}", reverse("supervision:alert_detail", args=[pk]))
            for pk, rule, day in rows
        }
    if model == "ratings.rating":
        rows = Rating.objects.filter(pk__in=ids).values_list("pk", "case_id", "case__tracking_number", "rectification")
        return {
            pk: Link(
                number or f"#{case_id}",
                reverse("ratings:rectification", args=[task]) if task else reverse("cases:detail", args=[case_id]),
            )
            for pk, case_id, number, task in rows
        }
    if model == "complaints.complaint":
        rows = Complaint.objects.filter(pk__in=ids).values_list("pk", "number")
        return {pk: Link(number, reverse("complaints:detail", args=[pk])) for pk, number in rows}
    if model == "supervision.accountabilityrecord":
        rows = AccountabilityRecord.objects.filter(pk__in=ids).values_list("pk", "decided_on")
        return {
            pk: Link(f"{day:%Y-%m-%d}", reverse("supervision:accountability_detail", args=[pk])) for pk, day in rows
        }
    if model == "org.window":
        rows = Window.objects.filter(pk__in=ids).values_list("pk", "site__name", "number")
        return {pk: Link(f"{site} {number}", "") for pk, site, number in rows}
    return {}


def evidence_links(items: Iterable[ItemResult]) -> dict[int, tuple[list[Link], int]]:
    """item result id → (its first ``SHOWN`` records as links, how many records in all)."""
    items = list(items)
    wanted: dict[str, set[int]] = {}
    for item in items:
        for model, ids in item.evidence.items():
            wanted.setdefault(model, set()).update(ids[:SHOWN])
    found = {model: _labels(model, sorted(ids)) for model, ids in wanted.items()}
    links = {}
    for item in items:
        shown, total = [], 0
        for model, ids in item.evidence.items():
            total += len(ids)
            shown += [found[model][pk] for pk in ids[:SHOWN] if pk in found[model]]
        links[item.pk] = (shown[:SHOWN], total)
    return links
