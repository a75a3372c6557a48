"""Hostile spreadsheets: every import refuses zip bombs, oversized sheets and unreadable cells within a second,
with a translated error and nothing changed (the calendar's notice, in the service and the admin, and the
catalogue's workbook, in the worker's task)."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bianmin.accounts.models import User
from bianmin.catalog.excel import CatalogImportError, CellError, catalog_import
from bianmin.catalog.models import CatalogImport, ServiceItem, ServiceItemVersion
from bianmin.catalog.tasks import run_catalog_import
from bianmin.core.models import AuditEvent, CalendarDay, CalendarYear
from bianmin.core.workdays import CalendarImportError, parse_calendar_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

IMPORT_URL = "/admin/core/calendaryear/import/"
BOMB_ROWS = 400_000  # about 40 MB of sheet XML that compresses to well under a megabyte


def workbook_bytes(rows: list[list], *, number_format: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if number_format:
        for cell in sheet["A"][1:]:
            cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet_xml(data: bytes, sheet_xml: bytes, *, extra_members: int = 0) -> bytes:
    """The workbook ``data`` with its first sheet replaced by ``sheet_xml`` (and optionally many tiny members)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = sheet_xml if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            target.writestr(member, content, compress_type=zipfile.ZIP_DEFLATED)
        for index in range(extra_members):
            target.writestr(f"customXml/item{index}.xml", b"<a/>")
    return buffer.getvalue()


def sheet_xml(rows: str, dimension: str | None = None) -> bytes:
    dimension_tag = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension_tag}<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def zip_bomb() -> bytes:
    """A valid .xlsx whose one sheet repeats a row of three cells BOMB_ROWS times: tens of MB unpacked."""
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>日期</t></is></c></row>'
    row = '<row><c t="inlineStr"><is><t>2027-01-01</t></is></c><c t="inlineStr"><is><t>否</t></is></c></row>'
    return with_sheet_xml(workbook_bytes([["日期"]]), sheet_xml(header + row * BOMB_ROWS))


def refused_quickly(call) -> Exception:
    started = time.monotonic()
    with pytest.raises((CalendarImportError, CatalogImportError)) as caught:
        call()
    elapsed = time.monotonic() - started
    assert elapsed < 1, f"the refusal took {elapsed:.2f} s"
    return caught.value


def calendar_snapshot() -> tuple:
    return (
        list(CalendarDay.objects.filter(date__year=2027).values_list()),
        list(CalendarYear.objects.values_list()),
        AuditEvent.objects.count(),
    )


# --- The calendar's notice --------------------------------------------------------------------------------


def test_a_zip_bomb_notice_is_refused_within_a_second():
    bomb = zip_bomb()
    assert len(bomb) < 1_000_000

    error = refused_quickly(lambda: parse_calendar_file(io.BytesIO(bomb), "notice.xlsx", year=2027))

    assert error.errors == [
        "The workbook's part “xl/worksheets/sheet1.xml” unpacks to 39.2 MB; at most 5.0 MB are accepted."
    ]


@pytest.mark.parametrize(
    ("workbook", "message"),
    [
        (
            lambda: with_sheet_xml(
                workbook_bytes([["日期"]]), sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1:C5000")
            ),
            "The sheet “Sheet” has more than 1001 rows.",
        ),
        (
            lambda: with_sheet_xml(
                workbook_bytes([["日期"]]), sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1:AZ2")
            ),
            "The sheet “Sheet” has more than 20 columns.",
        ),
        (
            # No declared size, and a row number far out: reading stops at the limit.
            lambda: with_sheet_xml(
                workbook_bytes([["日期"]]),
                sheet_xml(
                    '<row r="1"><c r="A1"><v>1</v></c></row><row r="99999999"><c r="A99999999"><v>1</v></c></row>'
                ),
            ),
            "The sheet “Sheet” has more than 1001 rows.",
        ),
        (
            lambda: with_sheet_xml(workbook_bytes([["日期"]]), sheet_xml(""), extra_members=300),
            "The workbook has 309 parts; at most 200 are accepted.",
        ),
    ],
    ids=["declared-rows", "declared-columns", "far-row", "members"],
)
def test_an_oversized_notice_is_refused_before_its_rows_are_read(workbook, message):
    data = workbook()

    error = refused_quickly(lambda: parse_calendar_file(io.BytesIO(data), "notice.xlsx"))

    assert error.errors == [message]


def damaged_workbook() -> bytes:
    """Row 3 holds a number cell whose value is not a number, as a damaged or hand-made file may."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>日期</t></is></c><c r="B1" t="inlineStr"><is><t>是否工作日</t>'
        '</is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>2027-01-01</t></is></c></row>'
        '<row r="3"><c r="A3" t="n"><v>99999999999-01-01</v></c></row>'
    )
    return with_sheet_xml(workbook_bytes([["日期"]]), sheet_xml(rows))


def test_an_unreadable_cell_names_its_row():
    error = refused_quickly(lambda: parse_calendar_file(io.BytesIO(damaged_workbook()), "notice.xlsx"))

    assert error.errors == [
        "Row 3 of the sheet “Sheet” cannot be read: a cell holds a date or number out of range, or the file is damaged."
    ]


@pytest.mark.parametrize("name", ["notice.csv", "notice.xlsx"])
def test_a_year_too_large_for_a_date_is_a_row_error(name):
    rows = [["日期", "是否工作日", "名称"], ["2027-01-01", "否", "元旦"], ["99999999999-01-01", "否", "春节"]]
    data = "\n".join(",".join(row) for row in rows).encode() if name.endswith(".csv") else workbook_bytes(rows)

    error = refused_quickly(lambda: parse_calendar_file(io.BytesIO(data), name))

    assert error.errors == ["Row 3: “99999999999-01-01” is not a date; write it as YYYY-MM-DD."]


def test_a_csv_field_over_the_csv_limit_is_refused():
    data = ("日期,是否工作日,名称\n2027-01-01,否," + "春" * 140_000 + "\n").encode()

    error = refused_quickly(lambda: parse_calendar_file(io.BytesIO(data), "notice.csv"))

    assert error.errors == ["The file is not a readable CSV table."]


@pytest.fixture
def admin_client(admin_client, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: SimpleUploadedFile("notice.xlsx", zip_bomb()),
            "The workbook&#x27;s part “xl/worksheets/sheet1.xml” unpacks to 39.2 MB; at most 5.0 MB are accepted.",
        ),
        (
            lambda: SimpleUploadedFile("notice.csv", "日期,是否工作日,名称\n99999999999-01-01,否,春节\n".encode()),
            "Row 2: “99999999999-01-01” is not a date; write it as YYYY-MM-DD.",
        ),
        (
            lambda: SimpleUploadedFile("notice.xlsx", damaged_workbook()),
            "Row 3 of the sheet “Sheet” cannot be read: a cell holds a date or number out of range, or the file is "
            "damaged.",
        ),
    ],
    ids=["zip-bomb", "year-overflow", "damaged-cell"],
)
def test_the_admin_import_shows_the_refusal_and_changes_nothing(admin_client, upload, message):
    before = calendar_snapshot()
    file = upload()
    assert admin_client.get(IMPORT_URL).status_code == 200  # the admin's templates are compiled once, not timed
    started = time.monotonic()

    response = admin_client.post(IMPORT_URL, {"year": 2027, "file": file})

    assert time.monotonic() - started < 1
    assert response.status_code == 200
    assert message in response.content.decode()
    assert calendar_snapshot() == before


def test_the_refusal_is_in_simplified_chinese_by_default():
    bomb = zip_bomb()
    with translation.override("zh-hans"), pytest.raises(CalendarImportError) as caught:
        parse_calendar_file(io.BytesIO(bomb), "notice.xlsx")
    assert caught.value.errors == ["工作簿的部件“xl/worksheets/sheet1.xml”解压后为 39.2 MB；最多接受 5.0 MB。"]


# --- The catalogue's workbook -----------------------------------------------------------------------------


def catalog_snapshot() -> tuple:
    return (
        list(ServiceItem.objects.values_list()),
        list(ServiceItemVersion.objects.values_list("pk")),
        AuditEvent.objects.filter(action="catalog.import").count(),
    )


def test_a_zip_bomb_catalogue_is_refused_within_a_second():
    before = catalog_snapshot()

    bomb = zip_bomb()

    error = refused_quickly(lambda: catalog_import(actor=None, data=bomb))

    assert error.errors == [
        CellError(
            "",
            None,
            "",
            "The workbook's part “xl/worksheets/sheet1.xml” is compressed more than 100 times: it is refused as "
            "unsafe.",
        )
    ]
    assert catalog_snapshot() == before


def test_an_unreadable_catalogue_cell_names_its_sheet_and_row():
    error = refused_quickly(lambda: catalog_import(actor=None, data=damaged_workbook()))

    assert error.errors == [
        CellError(
            "Sheet",
            3,
            "",
            "Row 3 of the sheet “Sheet” cannot be read: a cell holds a date or number out of range, or the file is "
            "damaged.",
        )
    ]


def test_the_worker_records_the_refusal_on_the_job():
    user = User.objects.create(username="centre_admin")
    job = CatalogImport(created_by=user, filename="catalog.xlsx")
    job.file.save("catalog.xlsx", ContentFile(zip_bomb()), save=False)
    job.save()
    started = time.monotonic()

    run_catalog_import.enqueue(job.pk, "en")

    assert time.monotonic() - started < 1
    job.refresh_from_db()
    assert job.status == CatalogImport.Status.FAILED
    assert [error["reason"] for error in job.errors] == [
        "The workbook's part “xl/worksheets/sheet1.xml” is compressed more than 100 times: it is refused as unsafe."
    ]
    assert ServiceItem.objects.count() == 0
