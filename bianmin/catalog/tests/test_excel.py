"""The catalogue in Excel: export, import as drafts (all or nothing), and the upload pages."""

import io
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bianmin.accounts.models import User
from bianmin.catalog.content import content_from_version
from bianmin.catalog.excel import (
    CatalogImportError,
    CellError,
    catalog_import,
    catalog_template,
    export_catalog,
    parse_catalog,
)
from bianmin.catalog.models import CatalogImport, ServiceItem, ServiceItemVersion, Topic
from bianmin.catalog.services import item_create, item_publish
from bianmin.catalog.tasks import run_catalog_import
from bianmin.catalog.tests.factories import item_content
from bianmin.core.models import AuditEvent
from bianmin.org.models import Department, Role, RoleAssignment, Site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOT_XLSX = "The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again."


@pytest.fixture
def departments():
    return {
        "ZR": Department.objects.create(code="ZR", name="县自然资源和规划局"),
        "SJ": Department.objects.create(code="SJ", name="县市场监督管理局"),
    }


@pytest.fixture
def centre():
    """The county centre alone: these tests build a small organisation of their own, not the demo county."""
    return Site.objects.create(code="YX", name="县政务服务中心", level="county", kind="main", path="/YX/")


def _user(username: str, role: str | None = None, **where) -> User:
    user = User.objects.create(username=username, full_name=username)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **where)
    return user


@pytest.fixture
def admin(centre):
    return _user("centre_admin", Role.CENTRE_ADMIN, site=centre)


@pytest.fixture
def zr_head(departments):
    return _user("zr_head", Role.DEPARTMENT_HEAD, department=departments["ZR"])


@pytest.fixture
def clerk(centre):
    return _user("clerk", Role.CLERK, site=centre)


@pytest.fixture
def catalogue(departments):
    """Three published items covering escalated, joint (with a fee and a topic) and immediate items."""
    Topic.objects.create(code="jianfang", name="建房")
    joint = item_content(
        name="个体工商户设立登记",
        case_type="joint",
        accepting_levels=["county"],
        deciding_level="county",
        co_department_codes=["SJ"],
        silence_is_consent=True,
        has_fee=True,
        topic_codes=["jianfang"],
        online_application=True,
        fees=[
            {"name": "登记费", "amount": Decimal("10.50"), "formula": "", "basis": "收费文件〔2020〕1号"},
            {"name": "工本费", "amount": None, "formula": "每本 5 元", "basis": "收费文件〔2020〕2号"},
        ],
    )
    immediate = item_content(
        name="食品经营许可证补办",
        kind="public_service",
        case_type="immediate",
        accepting_levels=["county", "town"],
        deciding_level="town",
        village_relay=True,
        statutory_days=0,
        promised_days=0,
        visits_required=0,
        steps=[{"name": "当场办结", "role": "clerk", "days": 0, "description": "=不是公式"}],
        special_procedures=[],
        faqs=[],
    )
    items = [
        item_create(actor=None, department=departments["ZR"], content=item_content(), code="ZR-0001"),
        item_create(actor=None, department=departments["ZR"], content=joint, code="ZR-0002"),
        item_create(actor=None, department=departments["SJ"], content=immediate, code="SJ-0001"),
    ]
    for item in items:
        item_publish(actor=None, item=item)
        item.refresh_from_db()
    return items


def _snapshot() -> tuple:
    versions = ServiceItemVersion.objects.order_by("pk")
    return (
        ServiceItem.objects.count(),
        list(versions.values_list("pk", "number", "published_at")),
        list(ServiceItem.objects.order_by("code").values_list("code", "status", "current_version")),
    )


def _edit(data: bytes, edits) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    edits(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, row: int, header: str):
    headers = [cell.value for cell in sheet[1]]
    return sheet.cell(row, headers.index(header) + 1)


def _setting(sheet: str, row: int, header: str, value):
    def edit(workbook):
        _cell(workbook[sheet], row, header).value = value

    return edit


# --- Export and import ----------------------------------------------------------------------------------


def test_round_trip_creates_drafts_equal_to_the_published_content_and_publishes_nothing(catalogue):
    published = {item.code: content_from_version(item.current_version) for item in catalogue}
    numbers_before = dict(ServiceItem.objects.values_list("code", "current_version__number"))

    result = catalog_import(actor=None, data=export_catalog())

    assert (result.created, result.updated) == (0, 3)
    for item in ServiceItem.objects.all():
        draft = item.versions.get(published_at__isnull=True)
        assert content_from_version(draft) == published[item.code]
        assert item.status == ServiceItem.Status.PUBLISHED
        assert content_from_version(item.current_version) == published[item.code]
    assert dict(ServiceItem.objects.values_list("code", "current_version__number")) == numbers_before
    assert ServiceItemVersion.objects.filter(published_at__isnull=False).count() == 3


def test_export_writes_chinese_labels_bold_frozen_headers_and_no_formulas(catalogue):
    workbook = openpyxl.load_workbook(io.BytesIO(export_catalog()))

    assert workbook.sheetnames == [
        "填写说明",
        "事项",
        "法律依据",
        "申请材料",
        "办理流程",
        "收费",
        "特别程序",
        "常见问题",
    ]
    items = workbook["事项"]
    assert items.freeze_panes == "B2"
    assert items["A1"].font.bold
    assert [cell.value for cell in items["A"]] == ["事项编码", "SJ-0001", "ZR-0001", "ZR-0002"]
    assert _cell(items, 4, "办件类型").value == "联办件"
    assert _cell(items, 4, "受理层级").value == "县级"
    assert _cell(items, 2, "受理层级").value == "县级,镇级"
    assert _cell(items, 4, "是否收费").value == "是"
    assert _cell(items, 4, "联办部门编码").value == "SJ"
    assert _cell(items, 4, "主题编码").value == "jianfang"
    steps = workbook["办理流程"]
    assert [cell.value for cell in steps[2]] == ["SJ-0001", "当场办结", "窗口工作人员", 0, "=不是公式", "受理地"]
    assert steps["E2"].data_type == "s"


def test_export_of_one_department_with_drafts(catalogue, departments):
    catalog_import(actor=None, data=_edit(export_catalog(), _setting("事项", 3, "事项名称", "改名")))

    workbook = openpyxl.load_workbook(io.BytesIO(export_catalog(department=departments["ZR"], include_drafts=True)))

    assert [cell.value for cell in workbook["事项"]["A"]] == ["事项编码", "ZR-0001", "ZR-0002"]
    assert _cell(workbook["事项"], 2, "事项名称").value == "改名"
    published = openpyxl.load_workbook(io.BytesIO(export_catalog(department=departments["ZR"])))
    assert _cell(published["事项"], 2, "事项名称").value == "农村村民宅基地审批"


def test_a_broken_workbook_reports_every_bad_cell_and_changes_nothing(catalogue):
    def break_it(workbook):
        items = workbook["事项"]  # rows: 2 SJ-0001, 3 ZR-0001, 4 ZR-0002
        _cell(items, 3, "承诺时限（工作日）").value = 30
        _cell(items, 4, "法定时限（工作日）").value = "二十"
        _cell(items, 2, "部门编码").value = "XX"
        workbook["办理流程"].append(["ZR-9999", "补充环节", "窗口工作人员", 1, ""])

    data = _edit(export_catalog(), break_it)
    step_row = openpyxl.load_workbook(io.BytesIO(data))["办理流程"].max_row
    before = _snapshot()

    with pytest.raises(CatalogImportError) as raised:
        catalog_import(actor=None, data=data)

    assert raised.value.errors == [
        CellError("事项", 2, "部门编码", "There is no department with the code “XX”."),
        CellError(
            "事项",
            3,
            "承诺时限（工作日）",
            "The promised limit (30 working days) may not exceed the statutory one (20).",
        ),
        CellError("事项", 4, "法定时限（工作日）", "Enter a whole number, for example 20."),
        CellError("办理流程", step_row, "事项编码", "There is no item with the code “ZR-9999” on the sheet “事项”."),
    ]
    assert str(raised.value) == "The workbook has 4 errors, so nothing was changed."
    assert _snapshot() == before


def test_rules_about_lists_point_at_the_rows_and_columns_they_concern(catalogue):
    def break_it(workbook):
        _cell(workbook["事项"], 3, "是否收费").value = "是"  # ZR-0001 lists no fees
        _cell(workbook["申请材料"], 3, "是否必需").value = "也许"
        _cell(workbook["办理流程"], 5, "环节时限（工作日）").value = 30  # a ZR-0001 step: the total exceeds 15
        _cell(workbook["办理流程"], 6, "办理人员").value = "门卫"  # a ZR-0002 step

    parsed = parse_catalog(_edit(export_catalog(), break_it))

    reasons = {(error.sheet, error.row, error.column): error.reason for error in parsed.errors}
    assert reasons == {
        ("事项", 3, "是否收费"): "An item that charges a fee must list the fee and its legal basis.",
        ("事项", 3, "承诺时限（工作日）"): ("The steps take 40 working days, more than the promised limit of 15."),
        ("申请材料", 3, "是否必需"): "Enter 是 (yes) or 否 (no).",
        ("办理流程", 6, "办理人员"): (
            "“门卫” is not one of the allowed values: 窗口工作人员、首席代表、分管领导、代办员、中心管理员、监察员."
        ),
    }


def test_codes_are_accepted_for_choices_and_a_temporary_code_is_numbered(catalogue, departments):
    def new_item_from_the_first(workbook):
        for sheet in workbook.worksheets[1:]:
            for row in sheet.iter_rows(min_row=2):
                if row[0].value == "ZR-0001":
                    row[0].value = "新1"
        _cell(workbook["事项"], 2, "办件类型").value = "escalated"
        _cell(workbook["事项"], 2, "受理层级").value = "town、village"

    data = _edit(export_catalog(department=departments["ZR"]), new_item_from_the_first)

    result = catalog_import(actor=None, data=data)

    assert (result.created, result.updated) == (1, 1)
    new = ServiceItem.objects.get(code="ZR-0003")
    assert new.status == ServiceItem.Status.DRAFT
    draft = new.versions.get()
    assert draft.is_draft
    assert content_from_version(draft) == content_from_version(catalogue[0].current_version)


def test_not_an_xlsx_file_is_one_clear_error():
    assert parse_catalog(b"name,code\n").errors == [CellError("", None, "", NOT_XLSX)]
    assert parse_catalog(b"").errors == [CellError("", None, "", "The file is empty.")]
    with pytest.raises(CatalogImportError) as raised:
        catalog_import(actor=None, data=b"PK\x03\x04 not really a zip")
    assert raised.value.errors == [CellError("", None, "", NOT_XLSX)]


def test_the_blank_template_has_instructions_and_imports_as_no_items():
    data = catalog_template()

    parsed = parse_catalog(data)

    assert parsed.items == []
    assert parsed.errors == [CellError("事项", None, "", "The workbook lists no items.")]
    instructions = openpyxl.load_workbook(io.BytesIO(data))["填写说明"]
    text = "\n".join(str(cell.value) for row in instructions.iter_rows() for cell in row if cell.value)
    assert "承诺时限不得超过法定时限" in text
    assert "农村村民宅基地审批" in text  # the filled example


def test_a_wrong_layout_names_the_missing_sheet_and_columns(catalogue):
    def rearrange(workbook):
        del workbook["常见问题"]
        items = workbook["事项"]
        _cell(items, 1, "事项名称").value = "名称啊"
        workbook["收费"].delete_cols(5)

    errors = parse_catalog(_edit(export_catalog(), rearrange)).errors

    assert errors == [
        CellError("事项", 1, "事项名称", "The column is missing. Start from the template."),
        CellError("事项", 1, "名称啊", "This sheet has no such column."),
        CellError("收费", 1, "收费依据", "The column is missing. Start from the template."),
        CellError("常见问题", None, "", "The workbook has no sheet named “常见问题”. Start from the template."),
    ]


def test_duplicate_codes_are_reported_on_the_second_row(catalogue):
    data = _edit(export_catalog(), _setting("事项", 4, "事项编码", "ZR-0001"))

    errors = parse_catalog(data).errors

    assert CellError("事项", 4, "事项编码", "The code “ZR-0001” is already used on row 3.") in errors


def test_progress_is_reported_for_every_row(catalogue):
    calls = []

    parse_catalog(export_catalog(), progress=lambda done, total: calls.append((done, total)))

    total = calls[0][1]
    assert calls[0] == (0, total)
    assert calls[-1] == (total, total)
    assert [done for done, _total in calls] == list(range(total + 1))


def test_a_department_head_cannot_import_another_departments_items(catalogue, zr_head):
    data = _edit(export_catalog(), _setting("事项", 2, "事项名称", "改名"))
    before = _snapshot()

    with pytest.raises(CatalogImportError) as raised:
        catalog_import(actor=zr_head, data=data)

    assert raised.value.errors == [
        CellError(
            "事项",
            2,
            "部门编码",
            "You may not change the items of 县市场监督管理局: only a centre administrator or its head may.",
        )
    ]
    assert _snapshot() == before


def test_a_department_head_imports_their_own_departments_items(catalogue, zr_head, departments):
    result = catalog_import(actor=zr_head, data=export_catalog(department=departments["ZR"]))

    assert (result.created, result.updated) == (0, 2)


# --- The task ---------------------------------------------------------------------------------------------


def _job(user: User, data: bytes, **values) -> CatalogImport:
    job = CatalogImport(created_by=user, filename="catalog.xlsx", **values)
    job.file.save("catalog.xlsx", ContentFile(data), save=False)
    job.save()
    return job


def test_the_task_records_counts_and_progress(catalogue, admin):
    job = _job(admin, export_catalog())

    run_catalog_import.enqueue(job.pk)

    job.refresh_from_db()
    assert job.status == CatalogImport.Status.SUCCEEDED
    assert (job.created_items, job.updated_items, job.errors) == (0, 3, [])
    assert job.processed_rows == job.total_rows > 3
    assert job.finished_at is not None
    assert AuditEvent.objects.filter(action="catalog.import").count() == 1


def test_the_task_records_an_unexpected_failure_instead_of_leaving_the_job_running(admin):
    job = _job(admin, catalog_template())

    with mock.patch("bianmin.catalog.tasks.catalog_import", side_effect=RuntimeError("disk gone")):
        run_catalog_import.enqueue(job.pk)

    job.refresh_from_db()
    assert job.status == CatalogImport.Status.FAILED
    assert job.errors[0]["reason"] == "导入因意外错误中止，未作任何更改。请稍后重试。"


# --- The pages ----------------------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_a_clerk_may_not_use_the_excel_pages(catalogue, clerk):
    client = _client(clerk)
    upload = SimpleUploadedFile("catalog.xlsx", export_catalog())

    assert client.get("/workbench/catalog/excel/").status_code == 403
    assert client.get("/workbench/catalog/excel/export/").status_code == 403
    assert client.get("/workbench/catalog/excel/template/").status_code == 403
    assert client.post("/workbench/catalog/excel/", {"file": upload}).status_code == 403
    assert CatalogImport.objects.count() == 0


def test_downloads_are_attachments_limited_to_the_users_departments(catalogue, zr_head, admin):
    head = _client(zr_head)

    response = head.get("/workbench/catalog/excel/export/?department=ZR&drafts=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="catalog-ZR-')
    assert head.get("/workbench/catalog/excel/export/?department=SJ").status_code == 403
    assert head.get("/workbench/catalog/excel/export/").status_code == 403
    page = head.get("/workbench/catalog/excel/").content.decode()
    assert 'value="ZR"' in page and 'value="SJ"' not in page

    whole = _client(admin).get("/workbench/catalog/excel/export/")
    assert whole.status_code == 200
    assert whole["Content-Disposition"].startswith('attachment; filename="catalog-20')
    assert len(parse_catalog(whole.content).items) == 3
    template = _client(admin).get("/workbench/catalog/excel/template/")
    assert template["Content-Disposition"] == 'attachment; filename="catalog-template.xlsx"'


def test_upload_runs_the_job_and_the_polled_status_shows_the_counts(
    catalogue, admin, django_capture_on_commit_callbacks
):
    client = _client(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/workbench/catalog/excel/", {"file": SimpleUploadedFile("目录.xlsx", export_catalog())})

    job = CatalogImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/workbench/catalog/imports/{job.pk}/"
    assert job.status == CatalogImport.Status.SUCCEEDED
    assert job.filename == "目录.xlsx"
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page
    status = client.get(f"/workbench/catalog/imports/{job.pk}/status/").content.decode()
    assert "hx-trigger" not in status
    assert "3 existing items have a new draft." in status
    assert ServiceItemVersion.objects.filter(published_at__isnull=True).count() == 3


def test_a_running_job_keeps_polling_and_shows_its_progress(admin, departments):
    job = _job(admin, b"", status=CatalogImport.Status.RUNNING, total_rows=200, processed_rows=50)

    status = _client(admin).get(f"/workbench/catalog/imports/{job.pk}/status/").content.decode()

    assert f'hx-get="/workbench/catalog/imports/{job.pk}/status/"' in status
    assert 'hx-trigger="every 1s"' in status
    assert '<progress max="200" value="50">' in status


def test_a_refused_upload_shows_every_error_in_a_table(catalogue, admin, django_capture_on_commit_callbacks):
    data = _edit(export_catalog(), lambda wb: wb["办理流程"].append(["ZR-9999", "补充环节", "窗口工作人员", 1, ""]))
    client = _client(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/workbench/catalog/excel/", {"file": SimpleUploadedFile("catalog.xlsx", data)})

    job = CatalogImport.objects.get()
    assert job.status == CatalogImport.Status.FAILED
    assert job.errors == [
        {
            "sheet": "办理流程",
            "row": 9,
            "column": "事项编码",
            "reason": "There is no item with the code “ZR-9999” on the sheet “事项”.",
        }
    ]
    page = client.get(response["Location"]).content.decode()
    assert "hx-trigger" not in page
    assert "<td>办理流程</td><td>9</td><td>事项编码</td>" in page
    assert "The workbook has 1 error, so nothing was changed." in page
    assert ServiceItemVersion.objects.filter(published_at__isnull=True).count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("catalog.xls", b"PK\x03\x04", "Choose an Excel workbook saved as .xlsx."),
        ("catalog.xlsx", b"name,code\n", "The file is not an Excel workbook (.xlsx)."),
        ("catalog.xlsx", b"PK\x03\x04" + b"0" * (10 * 1024 * 1024), "The file is 10.0 MB; upload at most 10 MB."),
    ],
)
def test_wrong_uploads_are_refused_on_the_page(admin, departments, name, content, message):
    response = _client(admin).post("/workbench/catalog/excel/", {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert CatalogImport.objects.count() == 0


def test_another_users_job_is_not_found_for_a_department_head(admin, zr_head):
    job = _job(admin, b"")

    assert _client(zr_head).get(f"/workbench/catalog/imports/{job.pk}/").status_code == 404
    assert _client(admin).get(f"/workbench/catalog/imports/{job.pk}/").status_code == 200
