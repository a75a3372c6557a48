"""The public catalogue pages and API, as a citizen and a program see them."""

import pytest
from django.test import Client

from bianmin.catalog import services
from bianmin.catalog.models import ServiceItem
from bianmin.catalog.tests.factories import item_content
from bianmin.core.testing import picture
from bianmin.org.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def homestead(db):
    land = Department.objects.create(code="ZR", name="县自然资源和规划局")
    item = services.item_create(actor=None, department=land, content=item_content())
    services.item_publish(actor=None, item=item)
    return item


@pytest.fixture
def client():
    return Client()


def test_the_guide_shows_every_public_field(client, homestead, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = client.get("/items/ZR-0001/")

    body = response.content.decode()
    assert response.status_code == 200
    for text in [
        "农村村民宅基地审批",
        "本集体经济组织成员",
        "《中华人民共和国土地管理法》第六十二条",
        "申请人身份证",
        "复印件",
        "建房层数超过两层时提供",
        "镇级审核",
        "20 个工作日",
        "15 个工作日",
        "本事项不收费",
        "农村宅基地批准书",
        "县自然资源和规划局",
        "0714-7321111",
        "0714-7321234",
        "公示",
        "一户可以有几处宅基地？",
        "<svg",
        "/items/ZR-0001/card.pdf",
    ]:
        assert text in body, text


def test_a_draft_is_not_public(client, homestead):
    land = Department.objects.get(code="ZR")
    services.item_create(actor=None, department=land, content=item_content(name="未发布事项"))

    assert client.get("/items/ZR-0002/").status_code == 404
    assert client.get("/api/v1/catalog/items/ZR-0002").status_code == 404


def test_an_earlier_version_stays_readable_with_a_notice(client, homestead):
    shorter_steps = [
        {"name": "受理", "role": "clerk", "days": 1},
        {"name": "镇级审核", "role": "department_head", "tier": "town", "days": 4},
        {"name": "县级审批", "role": "department_head", "tier": "county", "days": 5},
    ]
    services.draft_replace(actor=None, item=homestead, content=item_content(promised_days=10, steps=shorter_steps))
    services.item_publish(actor=None, item=homestead)

    current = client.get("/items/ZR-0001/").content.decode()
    earlier = client.get("/items/ZR-0001/v1/").content.decode()

    assert "10 个工作日" in current
    assert "15 个工作日" in earlier and "这是本指南的第 1 版" in earlier


def test_a_withdrawn_item_leaves_the_portal(client, homestead):
    services.item_withdraw(actor=None, item=homestead, reason="事项取消")

    assert client.get("/items/ZR-0001/").status_code == 404
    assert ServiceItem.objects.get(code="ZR-0001").versions.count() == 1


def test_live_search_returns_the_results_fragment(client, homestead):
    response = client.get("/items/", {"q": "zjd"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "<html" not in body
    assert "农村村民宅基地审批" in body and "找到 1 个事项" in body


def test_search_page_with_no_match_says_so(client, homestead):
    body = client.get("/items/", {"q": "火箭"}).content.decode()

    assert "没有找到符合条件的事项" in body


def test_service_card_is_a_pdf(client, homestead):
    response = client.get("/items/ZR-0001/card.pdf", {"size": "A5"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_qr_code_is_an_svg(client, homestead):
    response = client.get("/items/ZR-0001/qr.svg")

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.decode().startswith("<svg")


def test_kiosk_pages_return_to_the_start_when_idle(client, homestead):
    from bianmin.catalog.models import Topic

    services.topic_save(actor=None, topic=Topic(code="house", name="建房置业"))
    home = client.get("/kiosk/").content.decode()
    guide = client.get("/kiosk/items/ZR-0001/").content.decode()

    assert 'data-idle-return="/kiosk/"' in home and "建房置业" in home
    assert "申请人身份证" in guide and 'data-idle-seconds="90"' in guide
    assert "农村村民宅基地审批" in client.get("/kiosk/items/", {"department": "ZR"}).content.decode()


def test_api_lists_and_details_published_items(client, homestead):
    listing = client.get("/api/v1/catalog/items", {"q": "宅基地"}).json()
    detail = client.get("/api/v1/catalog/items/ZR-0001").json()
    versions = client.get("/api/v1/catalog/items/ZR-0001/versions").json()

    assert listing["count"] == 1
    assert listing["items"][0] | {} == {
        "code": "ZR-0001",
        "name": "农村村民宅基地审批",
        "department_code": "ZR",
        "department_name": "县自然资源和规划局",
        "kind": "licensing",
        "case_type": "escalated",
        "statutory_days": 20,
        "promised_days": 15,
        "has_fee": False,
        "version": 1,
    }
    assert detail["accepting_levels"] == ["town", "village"]
    assert [step["days"] for step in detail["steps"]] == [1, 9, 5]
    assert detail["materials"][2]["condition"] == "建房层数超过两层时提供"
    assert [(v["number"], v["is_current"]) for v in versions] == [(1, True)]


def test_api_answers_404_with_a_code_for_an_unknown_item(client):
    response = client.get("/api/v1/catalog/items/XX-9999")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_citizen_downloads_the_blank_form(client, db):
    land = Department.objects.create(code="ZR", name="县自然资源和规划局")
    item = services.item_create(actor=None, department=land, content=item_content())
    material = item.versions.get().materials.get(position=1)
    services.material_attach(actor=None, material=material, kind="form", filename="apply.pdf", content=b"%PDF-1.4 form")
    services.item_publish(actor=None, item=item)

    guide = client.get("/items/ZR-0001/").content.decode()
    url = f"/items/ZR-0001/v1/materials/{material.pk}/form/"
    response = client.get(url)

    assert url in guide
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 form"
    assert response["Content-Disposition"] == 'attachment; filename="ZR-0001-1-form.pdf"'
    assert client.get(f"/items/ZR-0001/v1/materials/{material.pk}/sample/").status_code == 404


def test_a_blank_form_is_served_typed_from_its_bytes_and_only_once_published(client, db):
    # Given a draft whose material has a Word blank form and a picture as its sample
    land = Department.objects.create(code="ZR", name="县自然资源和规划局")
    item = services.item_create(actor=None, department=land, content=item_content())
    material = item.versions.get().materials.get(position=1)
    services.material_attach(actor=None, material=material, kind="form", filename="申请表.docx", content=office_file())
    services.material_attach(actor=None, material=material, kind="sample", filename="样表.pdf", content=picture())
    form_url = f"/items/ZR-0001/v1/materials/{material.pk}/form/"
    sample_url = f"/items/ZR-0001/v1/materials/{material.pk}/sample/"

    # Then nothing is served while the version is a draft
    assert client.get(form_url).status_code == 404 and client.get(sample_url).status_code == 404

    # When it is published, each is served with the type its bytes say, never sniffed by the browser
    services.item_publish(actor=None, item=item)
    form, sample = client.get(form_url), client.get(sample_url)
    assert form["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert form["Content-Disposition"] == 'attachment; filename="ZR-0001-1-form.docx"'
    assert sample["Content-Type"] == "image/png"
    assert sample["Content-Disposition"] == 'attachment; filename="ZR-0001-1-sample.png"'
    for response in (form, sample):
        assert response["X-Content-Type-Options"] == "nosniff"


def test_attaching_to_a_published_version_is_refused(db):
    from bianmin.core.errors import DomainError

    land = Department.objects.create(code="ZR", name="县自然资源和规划局")
    item = services.item_create(actor=None, department=land, content=item_content())
    version = services.item_publish(actor=None, item=item)

    with pytest.raises(DomainError) as raised:
        services.material_attach(
            actor=None, material=version.materials.first(), kind="form", filename="x.pdf", content=b"x"
        )

    assert raised.value.code == "version_published"
    assert not version.materials.first().blank_form


def office_file() -> bytes:
    import io
    import zipfile

    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return output.getvalue()
