"""The applicant's side, through the pages a person uses: apply online (phone code, draft, submit), track a
case by ID tail or phone code, notices only in the verifying session, withdraw; and every step of the case
reaches the applicant's phone as an SMS in the outbox."""

import re
import sys
import types

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bianmin.accounts.models import User
from bianmin.cases.services import MaterialCheck
from bianmin.catalog.models import ServiceItem
from bianmin.core.audit import audit_events_for
from bianmin.core.models import OutboundMessage
from bianmin.core.testing import ID_NUMBER, at, intake, phone_code_sent, picture, user, visitor
from bianmin.org.models import Site

from .. import services
from ..models import Case, CaseMaterial, Channel, DeliveryMethod, ReviewTask, Status

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
APPLICANT_ID = "42022219850615" + "001"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = picture("PNG")


@pytest.fixture
def citizen():
    """A citizen's browser, in English."""
    return visitor(language="en")


def verify_phone(client: Client, item_code: str, phone: str = PHONE) -> None:
    response = client.post(f"/cases/apply/{item_code}/phone/", {"phone": phone})
    assert response.status_code == 200
    response = client.post(f"/cases/apply/{item_code}/phone/", {"phone": phone, "code": phone_code_sent(phone)})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/apply/{item_code}/"


def valid_id() -> str:
    from ..idnumbers import resident_id_check_character

    return APPLICANT_ID + resident_id_check_character(APPLICANT_ID)


def application(item_code: str, **changes) -> dict:
    data = {
        "name": "李四",
        "id_type": "resident_id",
        "id_number": valid_id(),
        "address": "阳新县兴国镇桃花泉路 1 号",
        "details": "申请办理失业登记。",
        "receiving_site": Site.objects.get(code="YX").pk,
        "action": "submit",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def materials(item_code: str) -> list:
    return list(ServiceItem.objects.get(code=item_code).current_version.materials.all())


def window_case(item_code: str = "ZR-0002", when=None) -> Case:
    """A case received at the county centre's window for 张三, phone 13800000000 (the audit clock too)."""
    when = when or at(2026, 6, 1)
    with time_machine.travel(when, tick=False):
        return services.case_submit(actor=user("county_clerk"), intake=intake(item_code, "YX"), now=when)


def track_by_code(client: Client, case: Case, code: str | None = None):
    """Track with the case's query code (查询码), or with ``code`` instead."""
    return client.post(
        "/cases/track/",
        {"method": "code", "tracking_number": case.tracking_number, "query_code": code or case.query_code},
    )


# --- Applying online ------------------------------------------------------------------------------------------------


def test_apply_online_from_phone_code_through_a_draft_to_the_tracking_number(county, citizen):
    # Given the guide of an online item offers the button
    guide = citizen.get("/items/RS-0004/").content.decode()
    assert "/cases/apply/RS-0004/" in guide
    identity, form_sheet = materials("RS-0004")

    # When the applicant proves their phone with the code from the SMS
    assert citizen.get("/cases/apply/RS-0004/")["Location"] == "/cases/apply/RS-0004/phone/"
    verify_phone(citizen, "RS-0004")

    # … saves a draft with one file, and comes back later
    response = citizen.post(
        "/cases/apply/RS-0004/",
        application(
            "RS-0004",
            action="draft",
            details="",
            **{f"material_{identity.pk}": SimpleUploadedFile("身份证.pdf", PDF)},
        ),
    )
    assert response.status_code == 302
    page = citizen.get("/cases/apply/RS-0004/").content.decode()
    assert 'value="李四"' in page
    assert "Uploaded: 身份证.pdf" in page
    assert Case.objects.count() == 0
    draft = citizen.session["application_drafts"]["RS-0004"]
    draft_path = draft["files"][str(identity.pk)]["path"]
    assert draft_path.startswith(f"cases/drafts/{draft['token']}/")
    assert default_storage.exists(draft_path)

    # … and submits with the second material
    response = citizen.post(
        "/cases/apply/RS-0004/",
        application(
            "RS-0004",
            delivery="post",  # 结果反馈: the result is posted to the applicant's address
            **{f"material_{form_sheet.pk}": SimpleUploadedFile("登记表.png", PNG)},
        ),
    )

    # Then the case is received online at the county centre, with both files, and the SMS is queued
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/submitted/{case.tracking_number}/"
    assert (case.channel, case.status, case.applicant_user, case.receiving_site.code) == (
        Channel.ONLINE,
        Status.RECEIVED,
        None,
        "YX",
    )
    assert (case.applicant_name, case.applicant_id_number, case.applicant_phone) == ("李四", valid_id(), PHONE)
    assert (case.delivery_method, case.delivery_site) == ("post", None)
    stored = {m.name: m for m in case.materials.all()}
    assert stored[identity.name].file.read() == PDF
    assert stored[form_sheet.name].file.read()[:8] == b"\x89PNG\r\n\x1a\n"  # re-encoded, same kind
    # Stored under random names, the names they were uploaded with kept beside them
    assert re.fullmatch(r"cases/materials/[0-9a-f]{32}\.pdf", stored[identity.name].file.name)
    assert re.fullmatch(r"cases/materials/[0-9a-f]{32}\.png", stored[form_sheet.name].file.name)
    assert (stored[identity.name].file_name, stored[form_sheet.name].file_name) == ("身份证.pdf", "登记表.png")
    message = OutboundMessage.objects.get(event="submitted")
    assert message.recipient == PHONE
    assert case.tracking_number in message.body
    assert re.fullmatch(r"\d{8}", case.query_code)
    assert f"Your query code is {case.query_code};" in message.body
    assert not default_storage.exists(draft_path)
    assert "RS-0004" not in citizen.session.get("application_drafts", {})

    done = citizen.get(response["Location"]).content.decode()
    assert case.tracking_number in done
    assert f'id="query-code">{case.query_code}<' in done
    assert f"{case.acceptance_due:%Y-%m-%d}" in done
    assert "139****5678" in done
    assert "李四" not in done and valid_id() not in done


def test_a_submission_lacking_a_required_material_keeps_what_was_uploaded(county, citizen):
    identity, _form_sheet = materials("RS-0004")
    verify_phone(citizen, "RS-0004")

    response = citizen.post(
        "/cases/apply/RS-0004/",
        application(
            "RS-0004",
            id_number="420222198506150010",
            **{f"material_{identity.pk}": SimpleUploadedFile("id.pdf", PDF)},
        ),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Upload this material: it is required." in body
    assert "last character does not match" in body
    assert "Uploaded: id.pdf" in body
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("id.pdf", b"MZ\x90\x00 not a pdf"),
        ("id.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("id.pdf", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("id.jpg", b'<?xml version="1.0"?><x/>'),
        ("id.pdf", b"#!/bin/sh\nrm -rf /\n"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(county, citizen, name, content):
    identity, _form_sheet = materials("RS-0004")
    verify_phone(citizen, "RS-0004")

    response = citizen.post(
        "/cases/apply/RS-0004/",
        application("RS-0004", action="draft", **{f"material_{identity.pk}": SimpleUploadedFile(name, content)}),
    )

    assert response.status_code == 200
    assert (
        "This file is not one of the accepted kinds (PDF/JPG/PNG). Other files are refused, even when renamed."
        in response.content.decode()
    )
    assert "application_drafts" not in citizen.session


def test_the_applicant_chooses_among_the_sites_of_the_accepting_levels(county, citizen):
    verify_phone(citizen, "MZ-0004")
    page = citizen.get("/cases/apply/MZ-0004/").content.decode()
    assert "白沙镇便民服务厅 · 白沙村便民服务室" in page
    assert "阳新县行政服务中心</option>" not in page  # the county does not accept this town-level item

    files = {f"material_{m.pk}": SimpleUploadedFile("m.pdf", PDF) for m in materials("MZ-0004") if m.is_required}
    response = citizen.post(
        "/cases/apply/MZ-0004/", application("MZ-0004", receiving_site=Site.objects.get(code="BS01").pk, **files)
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert case.receiving_site.code == "BS01"
    assert case.materials.count() == len(files)


def test_a_logged_in_account_with_a_phone_applies_without_a_code(county, citizen):
    account = User.objects.create_user(username="lisi", password="x" * 12, phone="13700001111")
    citizen.force_login(account)
    files = {f"material_{m.pk}": SimpleUploadedFile("m.pdf", PDF) for m in materials("RS-0004")}

    response = citizen.post("/cases/apply/RS-0004/", application("RS-0004", **files))

    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.applicant_user, case.applicant_phone) == (account, "13700001111")


def test_an_item_without_online_application_has_no_form(county, citizen):
    offline = ServiceItem.objects.filter(current_version__online_application=False).first()

    assert citizen.get(f"/cases/apply/{offline.code}/phone/").status_code == 404
    assert f"/cases/apply/{offline.code}/" not in citizen.get(f"/items/{offline.code}/").content.decode()


def test_a_draft_belongs_to_the_phone_that_saved_it(county, citizen):
    verify_phone(citizen, "RS-0004")
    citizen.post("/cases/apply/RS-0004/", application("RS-0004", action="draft"))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("bianmin.accounts.phone.RESEND_SECONDS", 0)
        verify_phone(citizen, "RS-0004", phone="13611112222")
    page = citizen.get("/cases/apply/RS-0004/").content.decode()

    assert "李四" not in page


# --- Tracking -------------------------------------------------------------------------------------------------------


def test_tracking_with_the_query_code_shows_the_case_masked(county, citizen):
    case = window_case()

    response = track_by_code(citizen, case)
    assert response["Location"] == f"/cases/track/{case.tracking_number}/"
    page = citizen.get(response["Location"]).content.decode()

    assert "Received, awaiting acceptance" in page
    assert case.version.name in page
    assert "张**" in page
    assert f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}" in page
    assert "138****0000" in page
    assert "张三" not in page and ID_NUMBER not in page and "13800000000" not in page
    assert "Application received" in page
    assert f"{case.acceptance_due:%Y-%m-%d}" in page
    assert "2026-06-01 10:00" in page  # received at 10:00 Beijing time


def test_every_case_gets_its_own_random_query_code_sent_at_intake(county):
    cases = [window_case() for _ in range(3)]

    codes = [case.query_code for case in cases]
    assert all(re.fullmatch(r"\d{8}", code) for code in codes)
    assert len(set(codes)) == 3  # 10^8 possibilities: three equal ones would mean they are not random
    for case in cases:
        assert case.query_code in sms(case, "submitted").body
    assert Case.objects.filter(query_code="").count() == 0


def test_the_id_digits_alone_no_longer_show_a_case(county, citizen):
    # Given a case whose applicant's document number is printed, last 4 characters visible, on the receipt
    case = window_case()

    # When someone gives the tracking number and the last 6 characters of the document number (the old way)
    response = citizen.post(
        "/cases/track/", {"method": "id", "tracking_number": case.tracking_number, "id_tail": ID_NUMBER[-6:]}
    )

    # Then the page only shows the forms again, and the session has proved nothing
    assert response.status_code == 200
    assert case.version.name not in response.content.decode()
    assert "tracked_cases" not in citizen.session
    assert citizen.get(f"/cases/track/{case.tracking_number}/")["Location"] == "/cases/track/"


def test_the_receipts_qr_link_fills_in_the_tracking_number_and_nothing_else(county, citizen):
    case = window_case()

    page = citizen.get(f"/cases/track/?number={case.tracking_number}").content.decode()

    assert f'value="{case.tracking_number}"' in page
    assert case.version.name not in page and "张" not in page
    assert case.query_code not in page
    assert 'href="/cases/track/"' in citizen.get("/").content.decode()  # the portal's navigation


def other_code(case: Case) -> str:
    return f"{(int(case.query_code) + 1) % 10**8:08d}"


def test_a_wrong_code_and_a_wrong_number_get_the_same_answer_and_no_data(county, citizen):
    case = window_case()

    wrong_code = track_by_code(citizen, case, other_code(case)).content.decode()
    wrong_number = citizen.post(
        "/cases/track/", {"method": "code", "tracking_number": "YX-20260601-9999", "query_code": case.query_code}
    ).content.decode()

    message = "No matching case was found."
    assert message in wrong_code and message in wrong_number
    for page in (wrong_code, wrong_number):
        assert "张三" not in page and "张**" not in page
        assert ID_NUMBER not in page and ID_NUMBER[:6] not in page
        assert case.version.name not in page
    assert citizen.get(f"/cases/track/{case.tracking_number}/")["Location"] == "/cases/track/"


def test_only_ten_attempts_in_ten_minutes_per_session_and_per_address(county, citizen):
    case = window_case()
    for _attempt in range(10):
        assert track_by_code(citizen, case, other_code(case)).status_code == 200

    blocked = track_by_code(citizen, case)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert str(case.pk) not in str(citizen.session.get("tracked_cases", {}))
    # A fresh session from the same address is blocked as well.
    assert track_by_code(visitor(language="en"), case).status_code == 429


def by_phone(action: str, case_number: str, tail: str, code: str = "") -> dict:
    return {"method": "sms", "action": action, "tracking_number": case_number, "id_tail": tail, "code": code}


def test_tracking_with_the_id_tail_and_a_code_sent_to_the_cases_phone(county, citizen):
    case = window_case()

    sent = citizen.post("/cases/track/", by_phone("send", case.tracking_number, ID_NUMBER[-6:]))
    unknown = visitor(language="en").post("/cases/track/", by_phone("send", "YX-20260601-9999", ID_NUMBER[-6:]))
    wrong_tail = visitor(language="en").post("/cases/track/", by_phone("send", case.tracking_number, "99999X"))
    for page in (unknown, wrong_tail):
        assert sent.content.decode().count("we have sent a code") == page.content.decode().count("we have sent a code")
    assert OutboundMessage.objects.filter(event="phone_code").count() == 1  # only for the matching tail

    wrong = citizen.post("/cases/track/", by_phone("verify", case.tracking_number, ID_NUMBER[-6:], "12345"))
    assert "No matching case was found." in wrong.content.decode()
    code = phone_code_sent("13800000000")
    # The right code with a wrong ID tail shows nothing: both are needed.
    wrong_tail = citizen.post("/cases/track/", by_phone("verify", case.tracking_number, "99999X", code))
    assert "No matching case was found." in wrong_tail.content.decode()
    assert "tracked_cases" not in citizen.session
    response = citizen.post("/cases/track/", by_phone("verify", case.tracking_number, ID_NUMBER[-6:], code))
    assert response["Location"] == f"/cases/track/{case.tracking_number}/"
    assert citizen.get(response["Location"]).status_code == 200


def test_the_page_lists_what_is_missing_deadlines_and_milestones(county, citizen):
    case = window_case()
    services.case_request_supplement(actor=None, case=case, problems=[("身份证", "复印件不清晰")], now=at(2026, 6, 2))
    track_by_code(citizen, case)
    page = citizen.get(f"/cases/track/{case.tracking_number}/").content.decode()
    assert "复印件不清晰" in page and "Supplementary materials requested" in page

    services.case_receive_supplement(
        actor=None, case=case, materials=[MaterialCheck(name="身份证", copy_kept=True)], now=at(2026, 6, 3)
    )
    with time_machine.travel(at(2026, 6, 3, 15), tick=False):
        services.case_accept(actor=None, case=case, now=at(2026, 6, 3, 15))
    case.refresh_from_db()
    page = citizen.get(f"/cases/track/{case.tracking_number}/").content.decode()
    assert "Accepted, under review" in page
    assert f"{case.promised_due:%Y-%m-%d}" in page and f"{case.statutory_due:%Y-%m-%d}" in page
    assert "working days" in page
    assert "2026-06-03 15:00" in page
    assert "复印件不清晰" not in page


# --- Notices and withdrawal -------------------------------------------------------------------------------------------


@pytest.fixture
def fake_renderer(monkeypatch):
    """The PDF renderer is another module's work: these tests are about who may download."""
    module = types.ModuleType("bianmin.cases.notices")
    module.render_notice = lambda notice, base_url: b"%PDF-1.4 " + notice.number.encode()
    monkeypatch.setitem(sys.modules, "bianmin.cases.notices", module)


def test_a_notice_downloads_only_in_the_session_that_verified_the_case(county, citizen, fake_renderer):
    case = window_case()
    services.case_accept(actor=None, case=case, now=at(2026, 6, 2))
    notice = case.notices.get(kind="acceptance")
    other_case = window_case()
    url = f"/cases/track/{case.tracking_number}/notices/{notice.pk}.pdf"

    track_by_code(citizen, case)
    assert url in citizen.get(f"/cases/track/{case.tracking_number}/").content.decode()
    response = citizen.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.4 " + notice.number.encode()

    stranger = visitor(language="en")
    assert stranger.get(url).status_code == 404
    track_by_code(stranger, other_case)  # verified for another case only
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/cases/track/{other_case.tracking_number}/notices/{notice.pk}.pdf").status_code == 404


def test_a_notice_renders_with_the_real_renderer(county, citizen):
    case = window_case()
    services.case_accept(actor=None, case=case, now=at(2026, 6, 2))
    track_by_code(citizen, case)

    response = citizen.get(f"/cases/track/{case.tracking_number}/notices/{case.notices.first().pk}.pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_a_verified_applicant_withdraws_with_a_reason(county, citizen):
    case = window_case()
    track_by_code(citizen, case)
    page = citizen.get(f"/cases/track/{case.tracking_number}/").content.decode()
    assert "Withdraw this application" in page

    citizen.post(f"/cases/track/{case.tracking_number}/withdraw/", {"reason": ""})
    case.refresh_from_db()
    assert case.status == Status.RECEIVED

    response = citizen.post(f"/cases/track/{case.tracking_number}/withdraw/", {"reason": "不再需要办理"})

    case.refresh_from_db()
    assert response["Location"] == f"/cases/track/{case.tracking_number}/"
    assert case.status == Status.WITHDRAWN
    event = audit_events_for(case).get(action="case.withdraw")
    assert (event.actor_id, event.payload["reason"]) == (None, "不再需要办理")
    assert "Withdraw this application" not in citizen.get(response["Location"]).content.decode()


def test_withdrawal_is_refused_without_verification(county, citizen):
    case = window_case()

    response = citizen.post(f"/cases/track/{case.tracking_number}/withdraw/", {"reason": "恶意撤回"})

    case.refresh_from_db()
    assert response["Location"] == "/cases/track/"
    assert case.status == Status.RECEIVED
    assert not audit_events_for(case).filter(action="case.withdraw").exists()


def test_the_account_holder_withdraws_as_themselves(county, citizen):
    account = User.objects.create_user(username="lisi", password="x" * 12, phone="13700001111")
    citizen.force_login(account)
    files = {f"material_{m.pk}": SimpleUploadedFile("m.pdf", PDF) for m in materials("RS-0004")}
    citizen.post("/cases/apply/RS-0004/", application("RS-0004", **files))
    case = Case.objects.get()

    citizen.post(f"/cases/track/{case.tracking_number}/withdraw/", {"reason": "填错了事项"})

    assert audit_events_for(case).get(action="case.withdraw").actor_id == account.pk


# --- Every step reaches the applicant's phone ------------------------------------------------------------------------


def sms(case: Case, event: str) -> OutboundMessage:
    message = OutboundMessage.objects.get(object_type="cases.case", object_id=str(case.pk), event=event)
    assert message.channel == "sms"
    assert message.recipient == case.applicant_phone
    assert case.tracking_number in message.body
    return message


def test_each_step_of_the_case_sends_an_sms_with_the_tracking_number(county):
    head = user("land_head")
    case = window_case("ZR-0002", at(2026, 6, 1))
    sms(case, "submitted")

    services.case_request_supplement(actor=None, case=case, problems=[("申请表", "未签名")], now=at(2026, 6, 2))
    sms(case, "supplement")
    services.case_receive_supplement(
        actor=None, case=case, materials=[MaterialCheck(name="申请表", original_seen=True)], now=at(2026, 6, 3)
    )
    services.case_accept(actor=None, case=case, now=at(2026, 6, 3))
    sms(case, "accepted")

    services.case_suspend(
        actor=None, case=case, kind="inspection", reason="现场勘查", expected_days=3, now=at(2026, 6, 4)
    )
    sms(case, "suspended")
    services.case_resume(actor=None, case=case, now=at(2026, 6, 8))

    extension = services.case_request_extension(actor=head, case=case, days=5, reason="需专家论证", now=at(2026, 6, 9))
    services.case_decide_extension(actor=head, extension=extension, approve=True, now=at(2026, 6, 9))
    sms(case, "extended")

    for task in ReviewTask.objects.filter(case=case, is_decision=False).order_by("is_parallel", "position"):
        task.refresh_from_db()
        if task.state == ReviewTask.State.OPEN:
            services.case_complete_task(actor=None, task=task, outcome="agree", now=at(2026, 6, 10))
    services.case_decide(actor=None, case=case, approve=True, now=at(2026, 6, 11))
    sms(case, "decided")

    services.case_issue_certificate(actor=None, case=case, now=at(2026, 6, 12))
    services.case_mark_ready(actor=None, case=case, method=DeliveryMethod.WINDOW, now=at(2026, 6, 12))
    sms(case, "ready")


def test_a_refusal_sends_an_sms_too(county):
    case = window_case()
    services.case_refuse(actor=None, case=case, reasons="不属于本机关职权范围", now=at(2026, 6, 2))

    sms(case, "refused")


def test_an_online_submission_has_materials_marked_provided(county, citizen):
    files = {f"material_{m.pk}": SimpleUploadedFile("m.pdf", PDF) for m in materials("RS-0004")}
    verify_phone(citizen, "RS-0004")
    citizen.post("/cases/apply/RS-0004/", application("RS-0004", **files))

    case = Case.objects.get()
    assert set(case.materials.values_list("state", flat=True)) == {CaseMaterial.State.PROVIDED}
    sms(case, "submitted")
