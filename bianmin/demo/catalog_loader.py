"""Load the demo catalogue idempotently: a second run finds every topic and item as the data says, writes nothing.

Topics go through ``topic_save`` and items through the catalogue services (``item_create`` + ``item_publish``,
or ``draft_replace`` + ``item_publish`` when the data changed), so every write is validated and audited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models, transaction

from bianmin.catalog import services
from bianmin.catalog.content import LEVEL_ORDER, PART_MODELS, ItemContent, content_from_version
from bianmin.catalog.models import ServiceItem, Topic
from bianmin.org.models import Department

from . import catalog_items
from .forms import is_form, render_form
from .names import topic_translations

CHANGE_NOTE = "演示数据更新"


def _cell(model: type[models.Model], column: str, value: Any) -> Any:
    field = model._meta.get_field(column)
    if value is None:
        return field.get_default()
    if isinstance(field, models.DecimalField):
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def canonical(content: ItemContent) -> dict[str, Any]:
    """The content as the database would give it back: every column filled, levels and codes in stored order."""
    data = content.as_dict()
    data["accepting_levels"] = [level for level in LEVEL_ORDER if level in content.accepting_levels]
    data["co_department_codes"] = sorted(content.co_department_codes)
    data["topic_codes"] = sorted(content.topic_codes)
    for part, (model, columns) in PART_MODELS.items():
        data[part] = [{column: _cell(model, column, row.get(column)) for column in columns} for row in data[part]]
    return data


def _topic(values: dict[str, Any]) -> bool:
    topic = Topic.objects.filter(code=values["code"]).first() or Topic(code=values["code"])
    wanted = {
        "name": values["name"],
        "description": values.get("description", ""),
        "position": values["position"],
        **topic_translations(values["code"]),
    }
    if topic.pk and all(getattr(topic, field) == value for field, value in wanted.items()):
        return False
    for field, value in wanted.items():
        setattr(topic, field, value)
    services.topic_save(actor=None, topic=topic)
    return True


def _item(entry: dict[str, Any], departments: dict[str, Department]) -> bool:
    content = ItemContent(**entry["content"])
    item = ServiceItem.objects.filter(code=entry["code"]).select_related("current_version").first()
    if item is None:
        item = services.item_create(
            actor=None, department=departments[entry["department"]], content=content, code=entry["code"]
        )
        _attach_forms(item)
        services.item_publish(actor=None, item=item)
        return True
    current = item.current_version
    if current is not None and canonical(content_from_version(current)) == canonical(content):
        return False
    services.draft_replace(actor=None, item=item, content=content)
    _attach_forms(item)
    services.item_publish(actor=None, item=item, change_note=CHANGE_NOTE)
    return True


def _attach_forms(item: ServiceItem) -> None:
    """Give the draft's application forms a blank form and a filled sample, as a centre would upload them."""
    draft = item.versions.get(published_at__isnull=True)
    for material in draft.materials.filter(blank_form=""):
        if not is_form(material.name):
            continue
        for kind, filled in (("form", False), ("sample", True)):
            pdf = render_form(title=material.name, item_name=draft.name, filled=filled)
            services.material_attach(
                actor=None,
                material=material,
                kind=kind,
                filename=f"{item.code}-{material.position}-{kind}.pdf",
                content=pdf,
            )


@transaction.atomic
def load_demo_catalog() -> dict[str, int]:
    """Create or bring up to date the demo topics and items. Needs the demo departments (``load_demo``)."""
    written = {"topics": 0, "items": 0}
    for values in catalog_items.TOPICS:
        written["topics"] += _topic(values)
    departments = {department.code: department for department in Department.objects.all()}
    for entry in catalog_items.ITEMS:
        written["items"] += _item(entry, departments)
    return written
