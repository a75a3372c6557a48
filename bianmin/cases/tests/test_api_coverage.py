"""What an outside program does with the case pages' operations through the API alone: fee rule and material ids
from the catalogue, notices (list, content, PDF), suspensions, scans (upload and download), the immediate item."""

from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from bianmin.cases.models import CaseMaterial, CaseMaterialEvent, Notice, PersonalDataView
from bianmin.catalog.models import FeeRule
from bianmin.core.models import AuditEvent
from bianmin.core.testing import (
    accepted,
    at,
    decided,
    joins_as_written_statements,
    logged_in,
    picture,
    received,
    suspended,
)

from .test_api import NOW, get, intake_body, post


@pytest.fixture
def clock():
    """Beijing time, frozen at Monday 2 March 2026; tests move it on with ``clock.move_to``."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def upload(client, case_id: int, material_id: int, name: str, data: bytes, *, key: str = "scan-1"):
    return client.post(
        f"/api/v1/cases/{case_id}/materials/{material_id}/scans",
        {"file": SimpleUploadedFile(name, data)},
        headers={"Idempotency-Key": key},
    )


# --- Collecting a fee with the ids the catalogue gives -----------------------------------------------------------


def test_the_catalogue_gives_the_ids_a_fee_and_an_intake_need(county, clock):
    clerk = logged_in("county_clerk")
    case = decided("ZR-0004")
    guide = clerk.get("/api/v1/catalog/items/ZR-0004").json()
    version = case.version

    assert [(fee["id"], Decimal(str(fee["amount"])) if fee["amount"] else None) for fee in guide["fees"]] == [
        (rule.pk, rule.amount) for rule in FeeRule.objects.filter(version=version).order_by("position", "pk")
    ]
    assert [material["id"] for material in guide["materials"]] == list(
        version.materials.order_by("position", "pk").values_list("pk", flat=True)
    )

    post(clerk, f"{case.pk}/certificate")
    housing = next(fee for fee in guide["fees"] if fee["amount"] == "80.00")
    response = post(clerk, f"{case.pk}/fee", {"fee_rule_ids": [housing["id"]], "amount": "80.00"})
    assert response.status_code == 200
    assert response.json()["case"]["fee_amount"] == "80.00"


# --- Notices -------------------------------------------------------------------------------------------------


def test_notices_are_listed_read_and_printed_with_their_ids(county, clock, django_assert_num_queries):
    clerk = logged_in("county_clerk")
    case = received()
    post(clerk, f"{case.pk}/refuse", {"reasons": "不属于本机关职权范围。", "competent_organ": "县市场监督管理局"})

    # session, user, the case (scope), the notices … and the scope's roles
    with django_assert_num_queries(5 + joins_as_written_statements()):
        listing = get(clerk, f"{case.pk}/notices").json()
    refusal = Notice.objects.get(case=case, kind="refusal")
    assert listing == [
        {
            "id": refusal.pk,
            "number": "YX-BY-2026-00001",
            "kind": "refusal",
            "issued_at": "2026-03-02T02:00:00Z",
            "pdf_url": f"/api/v1/cases/{case.pk}/notices/{refusal.pk}/pdf",
        },
    ]
    assert get(clerk, f"{case.pk}").json()["notices"] == listing  # the case detail lists the same

    notice = get(clerk, f"{case.pk}/notices/{refusal.pk}").json()
    assert (notice["id"], notice["case_id"], notice["kind"], notice["number"]) == (
        refusal.pk,
        case.pk,
        "refusal",
        "YX-BY-2026-00001",
    )
    assert notice["reasons"] == "不属于本机关职权范围。"
    assert notice["appeal_rights"] == (
        "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
    )
    assert notice["content"] == refusal.content
    assert notice["issuer_name"] == refusal.issuer_name
    lines = notice["text"].split("\n")
    assert lines[0] == refusal.issuer_name
    assert "张三：" in lines
    assert "不属于本机关职权范围。" in notice["text"]
    assert notice["appeal_rights"] in notice["text"]

    accepted_case = accepted()
    receipt = Notice.objects.get(case=accepted_case, kind="receipt")
    receipt_text = get(clerk, f"{accepted_case.pk}/notices/{receipt.pk}").json()["text"]
    assert receipt_text.split("\n")[0] == "受理回执"
    assert f"办件编号: {accepted_case.tracking_number}; 办理事项: 食品经营许可" in receipt_text

    pdf = clerk.get(notice["pdf_url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    page = clerk.get(f"/workbench/cases/{case.pk}/notices/{refusal.pk}.pdf")
    assert page["Content-Disposition"] == pdf["Content-Disposition"] == 'inline; filename="YX-BY-2026-00001.pdf"'


def test_a_notice_of_another_case_or_town_is_not_found(county, clock):
    clerk, baisha = logged_in("county_clerk"), logged_in("baisha_clerk")
    first, second = accepted(), accepted("SJ-0001", "BS", by="baisha_clerk")
    receipt = Notice.objects.get(case=second, kind="receipt")

    assert get(clerk, f"{first.pk}/notices/{receipt.pk}").status_code == 404
    assert get(clerk, f"{second.pk}/notices").status_code == 404
    assert clerk.get(f"/api/v1/cases/{second.pk}/notices/{receipt.pk}/pdf").status_code == 404
    assert get(baisha, f"{second.pk}/notices/{receipt.pk}").status_code == 200


def test_a_supervisors_reading_of_a_notice_is_logged(county, clock):
    supervisor = logged_in("supervisor")
    case = accepted()
    receipt = Notice.objects.get(case=case, kind="receipt")

    assert get(supervisor, f"{case.pk}/notices/{receipt.pk}").status_code == 200
    assert list(PersonalDataView.objects.values_list("what", flat=True)) == ["notice"]


# --- Suspensions ------------------------------------------------------------------------------------------------


def test_the_case_detail_shows_each_suspension_with_its_type_and_dates(county, clock):
    clerk = logged_in("county_clerk")
    case = accepted()
    post(clerk, f"{case.pk}/suspend", {"kind": "inspection", "reason": "现场核查", "expected_days": 3})
    clock.move_to(at(2026, 3, 5))
    detail = post(clerk, f"{case.pk}/resume").json()

    suspension = case.suspensions.get()
    assert detail["suspensions"] == [
        {
            "id": suspension.pk,
            "kind": "inspection",
            "kind_label": "现场勘验",
            "reason": "现场核查",
            "expected_days": 3,
            "started_at": "2026-03-02T02:00:00Z",
            "started_on": "2026-03-02",
            "ended_on": "2026-03-05",
            "working_days": 3,
        }
    ]


def test_a_running_suspension_has_no_end(county, clock):
    case = suspended()
    detail = get(logged_in("county_clerk"), f"{case.pk}").json()
    assert [(s["kind"], s["ended_on"]) for s in detail["suspensions"]] == [(case.suspensions.get().kind, None)]


# --- Scans ------------------------------------------------------------------------------------------------------


def test_a_scan_is_uploaded_then_downloaded_by_those_who_see_the_case(county, clock):
    clerk, baisha = logged_in("county_clerk"), logged_in("baisha_clerk")
    case = received()
    material = case.materials.order_by("position").first()

    response = upload(clerk, case.pk, material.pk, "营业执照.pdf", PDF)
    assert response.status_code == 200
    row = next(m for m in response.json()["materials"] if m["id"] == material.pk)
    assert (row["has_file"], row["state"]) == (True, "provided")
    assert [(h["kind"], h["note"], h["by"]) for h in row["history"]][-1] == ("scanned", "营业执照.pdf", "county_clerk")
    audit = AuditEvent.objects.filter(action="case.attach_scan").get()
    assert audit.payload == {
        "status": "received",
        "material": material.name,
        "file_name": "营业执照.pdf",
        "replaced": False,
    }

    download = clerk.get(f"/api/v1/cases/{case.pk}/materials/{material.pk}/file")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert baisha.get(f"/api/v1/cases/{case.pk}/materials/{material.pk}/file").status_code == 404
    assert logged_in("baisha_clerk").get(f"/api/v1/cases/{case.pk}").status_code == 404


def test_a_picture_is_reencoded_and_a_second_scan_replaces_the_first(county, clock):
    clerk = logged_in("county_clerk")
    case = received()
    material = case.materials.order_by("position").first()

    upload(clerk, case.pk, material.pk, "first.pdf", PDF, key="a")
    response = upload(clerk, case.pk, material.pk, "photo.png", picture("PNG"), key="b")
    assert response.status_code == 200
    material.refresh_from_db()
    assert material.file_name == "photo.png"
    assert AuditEvent.objects.filter(action="case.attach_scan").order_by("sequence").last().payload["replaced"] is True


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("fake.pdf", b"MZ\x90\x00 not a pdf", 400, "upload_refused"),
        ("empty.pdf", b"", 400, "upload_refused"),
    ],
)
def test_a_file_that_is_not_a_scan_is_refused_and_changes_nothing(county, clock, name, data, status, code):
    clerk = logged_in("county_clerk")
    case = received()
    material = case.materials.order_by("position").first()
    events = AuditEvent.objects.count()

    response = upload(clerk, case.pk, material.pk, name, data)

    assert (response.status_code, response.json()["code"]) == (status, code)
    material.refresh_from_db()
    assert (bool(material.file), AuditEvent.objects.count()) == (False, events)
    assert not CaseMaterialEvent.objects.filter(kind="scanned").exists()


def test_a_scan_too_large_is_refused(county, clock, settings):
    settings.MAX_UPLOAD_BYTES = 100
    clerk = logged_in("county_clerk")
    case = received()
    material = case.materials.order_by("position").first()

    response = upload(clerk, case.pk, material.pk, "big.pdf", PDF + b"0" * 200)

    assert (response.status_code, response.json()["code"]) == (400, "upload_refused")


def test_a_scan_needs_the_window_and_an_open_case(county, clock):
    case = received()
    material = case.materials.order_by("position").first()

    response = upload(logged_in("supervisor"), case.pk, material.pk, "a.pdf", PDF)
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = upload(logged_in("county_clerk"), case.pk, 999999, "a.pdf", PDF)
    assert response.status_code == 404

    closed = decided("SJ-0004")
    response = upload(logged_in("county_clerk"), closed.pk, closed.materials.first().pk, "a.pdf", PDF, key="c")
    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")
    assert not CaseMaterial.objects.exclude(file="").exists()


# --- The immediate item (即办件) ----------------------------------------------------------------------------------


def test_an_immediate_item_is_handled_at_the_window_over_the_api(county, clock):
    clerk = logged_in("baisha_clerk")

    response = post(clerk, "", intake_body("SJ-0001", "BS", handle_now=True), key="immediate-1")

    assert response.status_code == 201
    case = response.json()
    assert (case["tracking_number"], case["status"]) == ("BS-20260302-0001", "closed")
    assert [(n["kind"], n["number"]) for n in case["notices"]] == [
        ("receipt", "BS-20260302-0001"),
        ("acceptance", "BS-SL-2026-00001"),
        ("approval", "BS-ZY-2026-00001"),
        ("delivery", "BS-SD-2026-00001"),
    ]
    assert case["certificate_number"] == "SJ0001-2026-000001"
    assert case["delivered_at"] == case["received_at"] == "2026-03-02T02:00:00Z"


def test_an_item_that_is_not_immediate_or_incomplete_is_refused(county, clock):
    clerk = logged_in("county_clerk")

    response = post(clerk, "", intake_body("SJ-0004", "YX", handle_now=True))
    assert (response.status_code, response.json()["code"]) == (400, "not_immediate")
    body = intake_body("SJ-0001", "YX", handle_now=True)
    body["materials"][0] |= {"state": "missing", "problem": "未带", "original_seen": False, "copy_kept": False}
    response = post(clerk, "", body)
    assert (response.status_code, response.json()["code"]) == (400, "materials_incomplete")
    assert not AuditEvent.objects.filter(action__startswith="case.").exists()
