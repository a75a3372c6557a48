"""What the public finds: published items only, by words, materials, pinyin initials and filters."""

import pytest

from bianmin.catalog import services
from bianmin.catalog.models import Topic
from bianmin.catalog.selectors import catalog_search
from bianmin.catalog.tests.factories import item_content
from bianmin.org.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    land = Department.objects.create(code="ZR", name="县自然资源和规划局")
    market = Department.objects.create(code="SJ", name="县市场监督管理局")
    house = services.topic_save(actor=None, topic=Topic(code="house", name="建房置业"))
    business = services.topic_save(actor=None, topic=Topic(code="business", name="开办企业"))
    homestead = services.item_create(actor=None, department=land, content=item_content(topic_codes=[house.code]))
    services.item_publish(actor=None, item=homestead)
    shop = services.item_create(
        actor=None,
        department=market,
        content=item_content(
            name="个体工商户设立登记",
            case_type="immediate",
            accepting_levels=["county", "town"],
            deciding_level="town",
            statutory_days=15,
            promised_days=0,
            keywords="营业执照 个体户",
            summary="个体经营者申领营业执照。",
            result_name="营业执照",
            steps=[{"name": "受理并核准", "role": "clerk", "days": 0}],
            special_procedures=[],
            topic_codes=[business.code],
            materials=[{"name": "经营场所使用证明", "form": "copy", "copies": 1}],
        ),
    )
    services.item_publish(actor=None, item=shop)
    # A draft nobody has published yet must stay invisible.
    services.item_create(actor=None, department=land, content=item_content(name="宅基地复核（草稿）"))


def names(versions) -> list[str]:
    return [version.name for version in versions]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["个体工商户设立登记", "农村村民宅基地审批"]),
        ({"query": "宅基地"}, ["农村村民宅基地审批"]),
        ({"query": "zjd"}, ["农村村民宅基地审批"]),
        ({"query": "ZJD"}, ["农村村民宅基地审批"]),
        ({"query": "营业执照"}, ["个体工商户设立登记"]),
        ({"query": "经营场所"}, ["个体工商户设立登记"]),
        ({"query": "宅基地 身份证"}, ["农村村民宅基地审批"]),
        ({"query": "火箭"}, []),
        ({"department_code": "ZR"}, ["农村村民宅基地审批"]),
        ({"level": "village"}, ["农村村民宅基地审批"]),
        ({"level": "county"}, ["个体工商户设立登记"]),
        ({"topic_code": "business"}, ["个体工商户设立登记"]),
    ],
)
def test_search_and_filters(filters, expected):
    assert sorted(names(catalog_search(**filters))) == sorted(expected)


@pytest.mark.usefixtures("catalogue")
def test_withdrawn_items_disappear_from_search():
    from bianmin.catalog.models import ServiceItem

    services.item_withdraw(actor=None, item=ServiceItem.objects.get(code="SJ-0001"), reason="并入企业开办")

    assert names(catalog_search()) == ["农村村民宅基地审批"]
