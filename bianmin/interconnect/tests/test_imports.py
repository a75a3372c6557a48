"""Imports of cases accepted in another system: all or nothing, each problem with its row and field, original numbers
kept, events marked as imported, deadlines from our calendar, the cases in the lists and the feed."""

from __future__ import annotations

import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from bianmin.cases.models import Case, CaseAccess, ReviewTask
from bianmin.cases.selectors import case_access_for
from bianmin.cases.services import CaseImportRefused, cases_import
from bianmin.cases.timeline import case_timeline
from bianmin.core.errors import PermissionDenied
from bianmin.core.models import AuditEvent
from bianmin.core.testing import ID_NUMBER, OTHER_ID_NUMBER, at, logged_in, role_holder, user
from bianmin.core.workdays import add_workdays
from bianmin.interconnect.feed import feed_page
from bianmin.interconnect.imports import cases_import_file

pytestmark = pytest.mark.usefixtures("county", "english")

NOW = at(2026, 3, 10)


def _row(number: str, **values) -> dict:
    row = {
        "original_number": number,
        "item": "SF-0003",
        "site": "BS",
        "applicant_name": "张三",
        "applicant_id_number": ID_NUMBER,
        "applicant_phone": "13800000000",
        "received_on": "2026-03-02",
        "accepted_on": "2026-03-03",
        "status": "accepted",
    }
    return row | values


def _batch() -> list[dict]:
    return [
        _row("BS-OLD-2026-0001"),
        _row("BS-OLD-2026-0002", applicant_id_number=OTHER_ID_NUMBER, applicant_name="李四"),
        _row("BS-OLD-2026-0003", status="received", accepted_on="", received_on="2026-03-09"),
    ]


def test_a_good_batch_is_imported_with_its_numbers_our_clocks_and_marked_events():
    admin = user("centre_admin")
    cases_before, events_before = Case.objects.count(), AuditEvent.objects.count()
    last_sequence = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0

    cases = cases_import(actor=admin, rows=_batch(), source="白沙镇旧审批系统", now=NOW)

    assert Case.objects.count() == cases_before + 3
    assert AuditEvent.objects.count() == events_before + 3
    first, second, third = (Case.objects.get(pk=case.pk) for case in cases)
    assert [(c.original_source, c.original_number, c.status) for c in (first, second, third)] == [
        ("白沙镇旧审批系统", "BS-OLD-2026-0001", "accepted"),
        ("白沙镇旧审批系统", "BS-OLD-2026-0002", "accepted"),
        ("白沙镇旧审批系统", "BS-OLD-2026-0003", "received"),
    ]
    # Tracking numbers of ours, from the site's counter of the receipt day.
    assert [c.tracking_number for c in (first, second, third)] == [
        "BS-20260302-0001",
        "BS-20260302-0002",
        "BS-20260309-0001",
    ]
    version = first.version
    assert first.accepted_on == datetime.date(2026, 3, 3)
    assert first.promised_due == add_workdays(datetime.date(2026, 3, 3), version.promised_days).date
    assert first.statutory_due == add_workdays(datetime.date(2026, 3, 3), version.statutory_days).date
    assert third.acceptance_due == datetime.date(2026, 3, 16)  # 5 working days after Monday 9 March
    assert third.accepted_on is None and third.promised_due is None
    assert ReviewTask.objects.filter(case=first, state="open").count() == 1
    assert ReviewTask.objects.filter(case=third).count() == 0
    event = AuditEvent.objects.get(object_type="cases.case", object_id=str(first.pk))
    assert event.action == "case.imported"
    assert event.actor_label == "centre_admin"
    assert event.payload == {
        "status": "accepted",
        "imported": True,
        "source": "白沙镇旧审批系统",
        "original_number": "BS-OLD-2026-0001",
        "tracking_number": "BS-20260302-0001",
        "item": "SF-0003",
        "site": "BS",
        "current_site": first.current_site.code,
        "received_on": "2026-03-02",
        "accepted_on": "2026-03-03",
        "acceptance_due": "2026-03-09",
        "promised_due": f"{first.promised_due:%Y-%m-%d}",
        "statutory_due": f"{first.statutory_due:%Y-%m-%d}",
    }
    # The case page's timeline says where it came from.
    (imported,) = case_timeline(first)
    assert (imported["label"], imported["status"]) == (
        "Imported from the system where it was received",
        "Accepted, under review",
    )
    assert ("Original system", "白沙镇旧审批系统") in imported["details"]
    assert ("Number in the original system", "BS-OLD-2026-0001") in imported["details"]
    # The access rows and clocks are there: the town's clerk lists them, the feed carries them.
    listed = set(case_access_for(user("baisha_clerk")).values_list("case_id", flat=True))
    assert {first.pk, second.pk, third.pk} <= listed
    assert CaseAccess.objects.filter(case=third, key=3).values_list("status", "sort_due").get() == (
        "received",
        datetime.date(2026, 3, 16),
    )
    page = feed_page(user("supervisor"), after=last_sequence, limit=10)
    assert [(e.action, e.object_id, e.payload["status"]) for e in page.events] == [
        ("case.imported", str(first.pk), "accepted"),
        ("case.imported", str(second.pk), "accepted"),
        ("case.imported", str(third.pk), "received"),
    ]


def test_one_bad_row_and_nothing_is_written_each_problem_with_its_row_and_field():
    admin = user("centre_admin")
    rows = _batch()
    rows[1]["accepted_on"] = "2026-02-30"
    rows[2]["site"] = "NOPE"
    counts = Case.objects.count(), AuditEvent.objects.count()

    with pytest.raises(CaseImportRefused) as refused:
        cases_import(actor=admin, rows=rows, source="旧系统", now=NOW)

    assert [problem.as_dict() for problem in refused.value.problems] == [
        {"row": 2, "field": "accepted_on", "message": "Enter a date as YYYY-MM-DD."},
        {"row": 3, "field": "site", "message": "There is no site with this code."},
    ]
    assert str(refused.value.problems[0]) == "Row 2, accepted on: Enter a date as YYYY-MM-DD."
    assert (Case.objects.count(), AuditEvent.objects.count()) == counts


def test_every_rule_of_a_row_is_checked():
    rows = [
        _row("A-1", status="closed", applicant_phone="12"),
        _row("A-1", received_on="2026-03-11", accepted_on="2026-03-11"),
        _row("A-3", accepted_on="2026-03-01", applicant_id_number="123", item="XX-9999"),
        _row("", status="received"),
    ]

    with pytest.raises(CaseImportRefused) as refused:
        cases_import(actor=user("centre_admin"), rows=rows, source="旧系统", now=NOW)

    assert [(p.row, p.field) for p in refused.value.problems] == [
        (1, "applicant_phone"),
        (1, "status"),
        (2, "original_number"),
        (2, "received_on"),
        (2, "accepted_on"),
        (3, "item"),
        (3, "applicant_id_number"),
        (3, "accepted_on"),
        (4, "original_number"),
        (4, "accepted_on"),
    ]


def test_the_same_numbers_again_are_refused():
    admin = user("centre_admin")
    cases_import(actor=admin, rows=_batch()[:1], source="旧系统", now=NOW)

    with pytest.raises(CaseImportRefused) as refused:
        cases_import(actor=admin, rows=_batch()[:1], source="旧系统", now=NOW)

    assert [p.as_dict() for p in refused.value.problems] == [
        {
            "row": 1,
            "field": "original_number",
            "message": "A case with this number was imported from this system already.",
        }
    ]


def test_only_centre_administrators_import_and_only_for_their_sites():
    town_admin = role_holder("baisha_admin", "centre_admin", site="BS", is_staff=True)
    counts = Case.objects.count(), AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        cases_import(actor=user("baisha_clerk"), rows=_batch(), source="旧系统", now=NOW)
    with pytest.raises(CaseImportRefused) as refused:
        cases_import(actor=town_admin, rows=[_row("F-1", site="FT")], source="旧系统", now=NOW)

    assert [p.as_dict() for p in refused.value.problems] == [
        {"row": 1, "field": "site", "message": "You are not the centre administrator of this site."}
    ]
    assert (Case.objects.count(), AuditEvent.objects.count()) == counts
    assert len(cases_import(actor=town_admin, rows=[_row("B-1")], source="旧系统", now=NOW)) == 1


def _workbook(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["原办件编号", "事项编码", "站点代码", "申请人", "证件号码", "手机号码", "收件日期", "受理日期", "状态"]


def test_a_workbook_names_the_rows_as_the_file_numbers_them():
    data = _workbook(
        [
            HEADER,
            ["X-1", "SF-0003", "BS", "张三", ID_NUMBER, "13800000000", datetime.date(2026, 3, 2), "2026-03-03", ""],
            [None] * 9,
            ["X-2", "SF-0003", "BS", "李四", "bad", "13800000000", "2026-03-02", "2026-03-03", "accepted"],
        ]
    )
    with pytest.raises(CaseImportRefused) as refused:
        cases_import_file(actor=user("centre_admin"), filename="cases.xlsx", data=data, source="旧系统")
    assert [(p.row, p.field) for p in refused.value.problems] == [(4, "applicant_id_number")]


def test_a_csv_in_gb18030_is_imported():
    text = ",".join(HEADER) + "\n" + f"X-1,SF-0003,BS,张三,{ID_NUMBER},13800000000,2026-03-02,2026-03-03,accepted\n"

    cases = cases_import_file(
        actor=user("centre_admin"), filename="cases.CSV", data=text.encode("gb18030"), source="旧系统"
    )

    assert [(case.original_number, case.applicant_name, case.status) for case in cases] == [("X-1", "张三", "accepted")]


def test_the_page_shows_every_problem_and_imports_a_good_file():
    client = logged_in("centre_admin")
    row = ["X-1", "SF-0003", "BS", "张三", ID_NUMBER, "13800000000", "2026-03-02", "", "received"]
    bad = _workbook([HEADER, [*row[:2], "NOPE", *row[3:]]])
    good = _workbook([HEADER, row])

    assert client.get("/workbench/imports/cases/").status_code == 200
    refused = client.post("/workbench/imports/cases/", {"source": "旧系统", "file": _upload("cases.xlsx", bad)})
    done = client.post("/workbench/imports/cases/", {"source": "旧系统", "file": _upload("cases.xlsx", good)})

    assert refused.status_code == 400
    assert "第 2 行，站点代码：没有此代码的站点。" in refused.content.decode()  # the page speaks the visitor's language
    assert done.status_code == 302
    assert Case.objects.filter(original_source="旧系统").values_list("original_number", flat=True).get() == "X-1"
    assert logged_in("baisha_clerk").get("/workbench/imports/cases/").status_code == 403


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_the_api_imports_all_or_nothing():
    client = logged_in("centre_admin")
    body = {"source": "旧系统", "cases": _batch()}
    bad = {"source": "旧系统", "cases": [_row("Y-1"), _row("Y-2", status="closed")]}

    refused = client.post("/api/v1/imports/cases", json.dumps(bad), content_type="application/json")
    done = client.post("/api/v1/imports/cases", json.dumps(body), content_type="application/json")

    assert refused.status_code == 422
    assert refused.json()["code"] == "import_invalid"
    assert refused.json()["details"] == [{"row": 2, "field": "status", "message": "须为以下之一：received, accepted。"}]
    assert done.status_code == 201
    assert done.json()["imported"] == 3
    assert [(c["original_number"], c["tracking_number"], c["status"]) for c in done.json()["cases"]] == [
        ("BS-OLD-2026-0001", "BS-20260302-0001", "accepted"),
        ("BS-OLD-2026-0002", "BS-20260302-0002", "accepted"),
        ("BS-OLD-2026-0003", "BS-20260309-0001", "received"),
    ]
    assert (
        logged_in("baisha_clerk")
        .post("/api/v1/imports/cases", json.dumps(body), content_type="application/json")
        .status_code
        == 403
    )


def test_the_command_imports_a_file(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        ",".join(HEADER) + "\n" + f"Z-1,SF-0003,BS,张三,{ID_NUMBER},13800000000,2026-03-02,2026-03-03,accepted\n",
        encoding="utf-8",
    )
    output = io.StringIO()

    call_command("cases_import", str(path), "--source", "旧系统", "--user", "centre_admin", stdout=output)

    case = Case.objects.get(original_number="Z-1")
    assert output.getvalue() == f"Z-1\t{case.tracking_number}\taccepted\n1 cases imported.\n"
    with pytest.raises(CommandError, match="Row 2, original number: A case with this number"):
        call_command("cases_import", str(path), "--source", "旧系统", "--user", "centre_admin")
