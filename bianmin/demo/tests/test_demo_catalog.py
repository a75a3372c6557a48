"""The demo catalogue: every item valid and published, the spread the demo needs, and an idempotent loader."""

from collections import Counter

import pytest

from bianmin.catalog.content import PART_MODELS, ItemContent, content_from_version, validate_content
from bianmin.catalog.models import CaseType, ServiceItem, ServiceItemVersion, Topic
from bianmin.core.models import AuditEvent
from bianmin.demo import catalog_items, county
from bianmin.demo.catalog_loader import canonical, load_demo_catalog
from bianmin.demo.loader import load_demo
from bianmin.org.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(county):
    """The demo county and its catalogue, whether or not ``load_demo`` already loads the catalogue itself."""
    load_demo_catalog()


def test_first_load_writes_every_topic_and_item(db):
    load_demo()
    before = {"topics": Topic.objects.count(), "items": ServiceItem.objects.count()}
    written = load_demo_catalog()
    # When load_demo already loaded the catalogue, this call finds everything in place.
    assert written == {
        "topics": len(catalog_items.TOPICS) - before["topics"],
        "items": len(catalog_items.ITEMS) - before["items"],
    }
    assert Topic.objects.count() == len(catalog_items.TOPICS)
    assert ServiceItem.objects.count() == len(catalog_items.ITEMS)


@pytest.mark.usefixtures("loaded")
def test_every_item_is_published_once_as_the_data_says():
    items = {item.code: item for item in ServiceItem.objects.select_related("current_version", "department")}
    assert set(items) == {entry["code"] for entry in catalog_items.ITEMS}
    for entry in catalog_items.ITEMS:
        item = items[entry["code"]]
        assert item.status == ServiceItem.Status.PUBLISHED
        assert item.department.code == entry["department"]
        assert item.current_version.number == 1
        assert item.versions.count() == 1
        assert canonical(content_from_version(item.current_version)) == canonical(ItemContent(**entry["content"]))


@pytest.mark.usefixtures("loaded")
def test_second_load_writes_nothing():
    events = AuditEvent.objects.count()
    assert load_demo_catalog() == {"topics": 0, "items": 0}
    assert AuditEvent.objects.count() == events


@pytest.mark.usefixtures("loaded")
def test_a_changed_item_gets_a_second_version(monkeypatch):
    entry = catalog_items.ITEMS[0]
    keywords = entry["content"]["keywords"] + " 兜底保障"
    changed = {**entry, "content": {**entry["content"], "keywords": keywords}}
    monkeypatch.setattr(catalog_items, "ITEMS", [changed, *catalog_items.ITEMS[1:]])
    assert load_demo_catalog() == {"topics": 0, "items": 1}
    item = ServiceItem.objects.get(code=entry["code"])
    assert item.current_version.number == 2
    assert item.current_version.keywords == keywords
    assert load_demo_catalog() == {"topics": 0, "items": 0}


@pytest.mark.usefixtures("loaded")
def test_every_item_passes_the_catalogue_rules():
    departments = {d.code: d for d in Department.objects.all()}
    for entry in catalog_items.ITEMS:
        content = ItemContent(**entry["content"])
        assert validate_content(content, owner=departments[entry["department"]]) == [], entry["code"]


def test_codes_are_sequential_per_department():
    numbers: dict[str, list[int]] = {}
    for entry in catalog_items.ITEMS:
        prefix, number = entry["code"].split("-")
        assert prefix == entry["department"]
        assert len(number) == 4
        numbers.setdefault(prefix, []).append(int(number))
    for prefix, found in numbers.items():
        assert found == list(range(1, len(found) + 1)), prefix
    assert set(numbers) == {code for code, *_rest in county.DEPARTMENTS}


def test_the_catalogue_has_the_spread_the_demo_needs():
    contents = [entry["content"] for entry in catalog_items.ITEMS]
    assert len(contents) >= 60
    case_types = Counter(content["case_type"] for content in contents)
    assert set(case_types) == set(CaseType.values)
    assert case_types[CaseType.IMMEDIATE] >= 8
    assert case_types[CaseType.ESCALATED] >= 8
    assert case_types[CaseType.JOINT] >= 3
    assert any(content.get("silence_is_consent") for content in contents)
    for level in ("county", "town", "village"):
        assert sum(level in content["accepting_levels"] for content in contents) >= 10, level
    assert sum(content["has_fee"] for content in contents) >= 3
    assert sum(bool(content.get("special_procedures")) for content in contents) >= 10
    assert all(content["topic_codes"] and content.get("faqs") for content in contents)
    names = [content["name"] for content in contents]
    assert len(names) == len(set(names))


def test_texts_fit_their_columns():
    def check(model, values):
        for name, value in values.items():
            field = model._meta.get_field(name)
            if isinstance(value, str) and field.max_length:
                assert len(value) <= field.max_length, (model.__name__, name, value)

    for topic in catalog_items.TOPICS:
        check(Topic, topic)
    for entry in catalog_items.ITEMS:
        content = entry["content"]
        check(ServiceItemVersion, {k: v for k, v in content.items() if isinstance(v, str)})
        for part, (model, _columns) in PART_MODELS.items():
            for row in content.get(part, []):
                check(model, row)


@pytest.mark.usefixtures("loaded")
def test_the_homestead_item_is_found_by_its_pinyin_initials():
    version = ServiceItem.objects.get(current_version__name="农村宅基地审批").current_version
    assert "nczjdsp" in version.search_text
    assert "zjd" in version.search_text
