"""Items, drafts and published versions: the rules, the versioning and who may change what."""

import re

import pytest

from bianmin.accounts.models import User
from bianmin.catalog import services
from bianmin.catalog.content import content_from_version, validate_content
from bianmin.catalog.models import LegalBasis, MaterialRequirement, ServiceItem, ServiceItemVersion
from bianmin.catalog.tests.factories import item_content
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.models import AuditEvent
from bianmin.org.models import Department

# Rule messages are asserted by their ids here; one test checks the Simplified Chinese.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def land(db):
    Department.objects.create(code="SJ", name="县市场监督管理局")
    return Department.objects.create(code="ZR", name="县自然资源和规划局")


def messages(errors) -> list[tuple[str, int | None, str | None, str]]:
    return [(error.field, error.row, error.column, error.message) for error in errors]


def test_a_complete_item_is_valid(land):
    assert validate_content(item_content(), owner=land) == []


def test_each_rule_names_its_field(land):
    content = item_content(
        name="",
        promised_days=25,
        case_type="joint",
        has_fee=True,
        steps=[{"name": "受理", "role": "clerk", "days": 30}],
        materials=[{"name": "身份证", "form": "copy", "copies": 1, "is_required": False}],
    )

    assert messages(validate_content(content, owner=land)) == [
        ("name", None, None, "“name” must be filled in."),
        ("deciding_level", None, None, "The level that decides must also accept applications."),
        ("promised_days", None, None, "The promised limit (25 working days) may not exceed the statutory one (20)."),
        ("co_department_codes", None, None, "A joint item needs at least one co-department."),
        ("materials", 1, "condition", "A conditional material must say when it is required."),
        ("steps", None, None, "The steps take 30 working days, more than the promised limit of 25."),
        ("fees", None, None, "An item that charges a fee must list the fee and its legal basis."),
    ]


def test_rules_are_translated_into_simplified_chinese(land):
    from django.utils import translation

    with translation.override("zh-hans"):
        errors = validate_content(item_content(promised_days=25), owner=land)

    assert [error.message for error in errors] == ["承诺时限（25 个工作日）不得超过法定时限（20 个工作日）。"]


def test_create_and_publish_gives_version_one_and_an_audit_trail(land):
    item = services.item_create(actor=None, department=land, content=item_content())

    assert item.code == "ZR-0001"
    assert item.status == ServiceItem.Status.DRAFT
    assert item.current_version is None

    version = services.item_publish(actor=None, item=item, change_note="首次发布")
    item.refresh_from_db()

    assert (version.number, item.status, item.current_version_id) == (1, "published", version.pk)
    assert list(AuditEvent.objects.filter(object_id=str(item.pk)).values_list("action", flat=True)) == [
        "item.create",
        "item.publish",
    ]


def test_codes_follow_the_department_sequence(land):
    first = services.item_create(actor=None, department=land, content=item_content())
    second = services.item_create(actor=None, department=land, content=item_content(name="土地复垦验收"))

    assert (first.code, second.code) == ("ZR-0001", "ZR-0002")


def test_a_new_version_leaves_the_earlier_version_untouched(land):
    item = services.item_create(actor=None, department=land, content=item_content())
    first = services.item_publish(actor=None, item=item)
    before = content_from_version(first)

    services.draft_replace(
        actor=None,
        item=item,
        content=item_content(
            promised_days=10,
            steps=[{"name": "受理", "role": "clerk", "tier": "county", "days": 1}],
            legal_bases=[{"law": "湖北省农村宅基地管理办法", "article": "第十条", "excerpt": ""}],
        ),
    )
    second = services.item_publish(actor=None, item=item)
    item.refresh_from_db()
    first.refresh_from_db()

    assert (second.number, item.current_version_id) == (2, second.pk)
    assert content_from_version(first) == before
    assert first.promised_days == 15
    assert list(LegalBasis.objects.filter(version=first).values_list("law", flat=True)) == ["中华人民共和国土地管理法"]
    assert content_from_version(second).promised_days == 10


def test_a_published_version_cannot_be_rewritten(land):
    item = services.item_create(actor=None, department=land, content=item_content())
    version = services.item_publish(actor=None, item=item)

    with pytest.raises(DomainError) as raised:
        services._write_content(version, item_content(name="改名"), land)

    assert raised.value.code == "version_published"
    version.refresh_from_db()
    assert version.name == "农村村民宅基地审批"


def test_a_draft_starts_as_a_copy_of_the_current_version_with_its_files(land):
    item = services.item_create(actor=None, department=land, content=item_content())
    version = services.item_publish(actor=None, item=item)
    MaterialRequirement.objects.filter(version=version, position=1).update(blank_form="catalog/forms/apply.docx")

    draft = services.draft_start(actor=None, item=item)

    assert draft.pk != version.pk and draft.is_draft
    assert content_from_version(draft) == content_from_version(version)
    assert draft.materials.get(position=1).blank_form.name == "catalog/forms/apply.docx"
    assert services.draft_start(actor=None, item=item).pk == draft.pk


def test_invalid_content_changes_nothing(land):
    item = services.item_create(actor=None, department=land, content=item_content())
    services.item_publish(actor=None, item=item)
    versions_before = ServiceItemVersion.objects.count()

    with pytest.raises(services.ContentInvalid) as raised:
        services.draft_replace(actor=None, item=item, content=item_content(promised_days=30))

    assert raised.value.code == "item_content_invalid"
    assert ServiceItemVersion.objects.count() == versions_before


def test_withdrawing_keeps_versions_and_needs_a_reason(land):
    item = services.item_create(actor=None, department=land, content=item_content())
    version = services.item_publish(actor=None, item=item)

    with pytest.raises(DomainError):
        services.item_withdraw(actor=None, item=item, reason=" ")
    services.item_withdraw(actor=None, item=item, reason="事项已取消")
    item.refresh_from_db()

    assert item.status == ServiceItem.Status.WITHDRAWN
    assert ServiceItemVersion.objects.get(pk=version.pk).number == 1


def test_only_administrators_and_the_departments_head_edit(land):
    from bianmin.org.models import Role, RoleAssignment

    head_of_market = User.objects.create(username="market_head")
    RoleAssignment.objects.create(
        user=head_of_market, role=Role.DEPARTMENT_HEAD, department=Department.objects.get(code="SJ")
    )
    head_of_land = User.objects.create(username="land_head")
    RoleAssignment.objects.create(user=head_of_land, role=Role.DEPARTMENT_HEAD, department=land)

    with pytest.raises(PermissionDenied):
        services.item_create(actor=head_of_market, department=land, content=item_content())
    assert ServiceItem.objects.count() == 0

    item = services.item_create(actor=head_of_land, department=land, content=item_content())
    assert item.code == "ZR-0001"


def test_replacing_a_draft_keeps_uploaded_forms_and_windows(land):
    from bianmin.org.models import Site, Window

    site = Site.objects.create(code="YX", name="县行政服务中心", level="county", kind="main", path="/YX/")
    window = Window.objects.create(site=site, number="5", name="自然资源和规划窗口")
    item = services.item_create(actor=None, department=land, content=item_content())
    version = services.item_publish(actor=None, item=item)
    version.windows.set([window])
    MaterialRequirement.objects.filter(version=version, position=2).update(sample="catalog/samples/id.pdf")

    draft = services.draft_replace(actor=None, item=item, content=item_content(name="农村村民宅基地审批（新）"))

    assert draft.materials.get(name="申请人身份证").sample.name == "catalog/samples/id.pdf"
    assert list(draft.windows.all()) == [window]


def test_a_blank_form_is_what_its_bytes_say_and_anything_else_is_refused(land):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bianmin.catalog.admin import MaterialForm
    from bianmin.core.testing import refused

    item = services.item_create(actor=None, department=land, content=item_content())
    material = item.versions.get().materials.get(position=1)

    with refused("upload_refused"):
        services.material_attach(
            actor=None, material=material, kind="form", filename="form.pdf", content=b"<html><script>x</script></html>"
        )
    material.refresh_from_db()
    assert not material.blank_form
    assert not AuditEvent.objects.filter(action="item.material_attach").exists()

    services.material_attach(actor=None, material=material, kind="form", filename="申请表.PDF", content=b"%PDF-1.4 x")
    material.refresh_from_db()
    assert re.fullmatch(r"catalog/forms/[0-9a-f]{32}\.pdf", material.blank_form.name)

    # The admin's upload goes through the same check
    data = {"position": 1, "name": material.name, "form": "original", "copies": 1, "is_required": "on"}
    svg = SimpleUploadedFile("样表.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', content_type="image/png")
    form = MaterialForm(data, {"sample": svg}, instance=material)
    assert not form.is_valid()
    assert form.errors["sample"] == [
        "This file is not one of the accepted kinds (PDF/JPG/PNG/Word (DOCX)/Excel (XLSX)). "
        "Other files are refused, even when renamed."
    ]
