"""12345 work orders from the hotline: the API endpoint (the order number kept, unique; only the hotline's desk
receives) and the Excel import with its template (one bad row and nothing is written, every bad row said)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from bianmin.complaints.excel import COLUMNS
from bianmin.complaints.models import Complaint
from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ORDER = {
    "hotline_number": "12345-2026-000101",
    "kind": "help",
    "subject": "window",
    "text": "窗口排队时间过长，请求协调。",
    "name": "李四",
    "phone": "13700001111",
    "site": "FT",
}


def post(client, body):
    return client.post("/api/v1/complaints/work-orders", json.dumps(body), content_type="application/json")


def test_the_hotline_desk_receives_a_work_order_over_the_api(county, time_machine):
    time_machine.move_to(at(2026, 9, 29), tick=False)
    desk = logged_in("supervisor")

    response = post(desk, ORDER)

    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert response.json() == {
        "id": complaint.pk,
        "number": "TS-2026-00001",
        "hotline_number": "12345-2026-000101",
        "kind": "help",
        "subject": "window",
        "state": "received",
        "site": "FT",
        "received_at": "2026-09-29T02:00:00Z",
        "acceptance_due": "2026-10-12",
        "due": "2026-10-12",
        "reply": "",
    }
    assert (complaint.channel, complaint.name, complaint.received_by.username) == ("hotline", "李四", "supervisor")
    assert desk.get(f"/api/v1/complaints/{complaint.pk}").json()["number"] == "TS-2026-00001"

    # The same hotline order again is refused, and nothing is written
    events = AuditEvent.objects.count()
    again = post(desk, ORDER)
    assert (again.status_code, again.json()["code"]) == (409, "hotline_number_taken")
    assert (Complaint.objects.count(), AuditEvent.objects.count()) == (1, events)


def test_only_the_hotline_desk_receives_work_orders(county):
    response = post(logged_in("futu_clerk"), ORDER)
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert post(logged_in("futu_clerk"), {**ORDER, "kind": "nonsense"}).status_code == 422
    assert Complaint.objects.count() == 0


def workbook(rows: list[list]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([header for header, _field in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "12345.xlsx"
    return buffer


GOOD = ["12345-2026-000201", "投诉", "收费", "多收费。", "张三", "13800000000", "", "", "BS"]


def test_the_import_receives_every_row(county, time_machine):
    time_machine.move_to(at(2026, 9, 29), tick=False)
    second = ["12345-2026-000202", "咨询", "其他", "如何办理？", "赵六", "13800000001", "", "", ""]

    response = logged_in("supervisor").post("/workbench/complaints/import/", {"file": workbook([GOOD, second])})

    assert response.status_code == 302
    assert list(Complaint.objects.order_by("pk").values_list("hotline_number", "kind", "subject", "site__code")) == [
        ("12345-2026-000201", "complaint", "fee", "BS"),
        ("12345-2026-000202", "consultation", "other", "YX"),
    ]


def test_one_bad_row_and_nothing_is_imported(county):
    rows = [
        GOOD,
        ["12345-2026-000202", "投诉", "收费", "", "张三", "13800000000", "", "", "BS"],  # no text
        ["12345-2026-000201", "投诉", "收费", "重复。", "张三", "13800000000", "", "", "BS"],  # number repeated
        ["12345-2026-000203", "投诉", "收费", "站点不存在。", "张三", "13800000000", "", "", "ZZ"],
    ]
    events = AuditEvent.objects.count()

    response = logged_in("supervisor", language="en").post("/workbench/complaints/import/", {"file": workbook(rows)})

    assert response.status_code == 400
    assert response.context["errors"] == [
        "Row 3: Say what happened.",
        "Row 4: the order number 12345-2026-000201 is also on row 2.",
        "Row 5: there is no site with the code “ZZ”.",
    ]
    assert (Complaint.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_the_template_downloads_and_imports_as_it_is(county):
    desk = logged_in("supervisor")
    template = desk.get("/workbench/complaints/import/template/")
    assert template.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
    assert [cell.value for cell in sheet[1]] == [header for header, _field in COLUMNS]
    upload = io.BytesIO(template.content)
    upload.name = "template.xlsx"
    assert desk.post("/workbench/complaints/import/", {"file": upload}).status_code == 302
    assert Complaint.objects.get().hotline_number == "12345-2026-000001"
    assert logged_in("futu_clerk").get("/workbench/complaints/import/").status_code == 403
