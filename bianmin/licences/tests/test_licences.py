"""The licence as a document: issued with the case's 制证 move, numbered per type, valid within the item's rule,
signed; verified from its QR code's link; a tampered row, PDF, content or QR code fails; revoked, replaced and
changed with their audit events; the staff's registry; the reminder before expiry."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.files.base import ContentFile

from bianmin.cases import services as case_services
from bianmin.cases.models import Case
from bianmin.core.audit import audit_events_for
from bianmin.core.models import OutboundMessage
from bianmin.core.testing import ID_NUMBER, at, decided, logged_in, page_text, picture, refused, user, visitor
from bianmin.licences import services, signing
from bianmin.licences.document import document_check, embedded_signature, render_licence
from bianmin.licences.models import Licence, LicenceStatus
from bianmin.licences.verification import verification_path, verification_url

pytestmark = pytest.mark.django_db
D = datetime.date


def _issued(item: str = "SJ-0004", now=None, **terms) -> Licence:
    """张三's 食品经营许可 (SJ-0004, 5 years) approved on 2026-03-06 and issued by the chief representative."""
    case = decided(item, "YX", now=at(2026, 3, 6))
    return services.licence_issue(actor=user("market_chief"), case=case, now=now or at(2026, 3, 9), **terms)


def test_issuing_produces_the_licence_numbered_in_its_types_series_valid_by_the_items_rule_and_signed(county):
    # Given two approved cases of 食品经营许可 (valid 5 years)
    # When the chief representative issues their certificates through the case's move
    first_case = decided("SJ-0004", "YX", now=at(2026, 3, 6))
    second_case = decided("SJ-0004", "YX", now=at(2026, 3, 6))
    first_case = case_services.case_issue_certificate(actor=user("market_chief"), case=first_case, now=at(2026, 3, 9))
    case_services.case_issue_certificate(actor=user("market_chief"), case=second_case, now=at(2026, 3, 10))

    # Then each is a licence of its type's series, with the holder, the organ and the validity of the rule
    first, second = Licence.objects.order_by("pk")
    assert (first.number, second.number) == ("SJ0004-2026-000001", "SJ0004-2026-000002")
    assert (first.type.code, first.type.name, first.type.validity_years) == ("SJ-0004", "食品经营许可证", 5)
    assert (first.holder_name, first.holder_id_type, first.holder_id_number) == ("张三", "resident_id", ID_NUMBER)
    assert (first.valid_from, first.valid_until, first.issued_on) == (D(2026, 3, 9), D(2031, 3, 8), D(2026, 3, 9))
    assert (first.organ_name, first.organ_code, first.status) == ("县市场监督管理局", "SJ", LicenceStatus.VALID)
    # And the case records it: the certificate number is the licence's, the move is one audit event
    assert (first_case.certificate_number, first_case.certificate_valid_until) == (first.number, D(2031, 3, 8))
    event = audit_events_for(first_case).get(action="case.issue_certificate")
    assert (event.payload["certificate"], event.payload["licence"], event.payload["late"]) == (
        first.number,
        first.pk,
        False,
    )
    # And what it prints is signed: the canonical content verifies with the published key
    content = json.loads(first.content)
    assert (content["number"], content["valid_until"], content["organ_name"]) == (
        first.number,
        "2031-03-08",
        "县市场监督管理局",
    )
    # (the holder's name and number only as digests salted with the check code, so the content can be published)
    assert "张三" not in first.content and ID_NUMBER not in first.content
    assert content["holder_name_digest"] == signing.holder_digest(first.check_code, "张三")
    assert content["holder_id_digest"] == signing.holder_digest(first.check_code, ID_NUMBER)
    raw = base64.urlsafe_b64decode(first.signature + "==")
    # (checked as anyone checks it offline: the published public key, the published content, any Ed25519 library)
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(signing.public_key_hex())).verify(raw, first.content.encode())


def test_the_validity_is_editable_within_the_items_rule_and_a_longer_one_changes_nothing(county):
    case = decided("SJ-0004", "YX", now=at(2026, 3, 6))
    chief = user("market_chief")

    # Longer than 5 years, or starting before the approval: refused, nothing issued
    with refused("licence_validity_invalid"):
        services.licence_issue(actor=chief, case=case, now=at(2026, 3, 9), valid_until=D(2031, 3, 9))
    with refused("licence_validity_invalid"):
        services.licence_issue(actor=chief, case=case, now=at(2026, 3, 9), valid_from=D(2026, 3, 5))
    with refused("licence_validity_invalid"):
        services.licence_issue(actor=chief, case=case, now=at(2026, 3, 9), valid_from=D(9999, 12, 31))
    case.refresh_from_db()
    assert (case.certificate_number, case.certificate_issued_at, Licence.objects.count()) == ("", None, 0)

    # A later start and a shorter validity, and what is permitted as the window wrote it
    licence = services.licence_issue(
        actor=chief,
        case=case,
        now=at(2026, 3, 9),
        valid_from=D(2026, 4, 1),
        valid_until=D(2028, 3, 31),
        scope="预包装食品销售",
    )
    assert (licence.valid_from, licence.valid_until, licence.scope) == (D(2026, 4, 1), D(2028, 3, 31), "预包装食品销售")
    # A second issue is refused by the case's state
    with refused("certificate_issued"):
        services.licence_issue(actor=chief, case=case, now=at(2026, 3, 10))


def test_a_clerk_of_another_department_cannot_issue_and_nothing_happens(county):
    case = decided("SJ-0004", "YX", now=at(2026, 3, 6))

    with refused("permission_denied"):
        services.licence_issue(actor=user("land_chief"), case=case, now=at(2026, 3, 9))

    assert (Licence.objects.count(), Case.objects.get(pk=case.pk).certificate_number) == (0, "")


@time_machine.travel(at(2026, 3, 20), tick=False)
def test_a_licence_verifies_from_its_qr_code(county):
    licence = _issued()

    # The QR code's link is the public verification page with the licence's id and check code
    assert verification_url(licence) == f"http://127.0.0.1:8000/verify/{licence.pk}?c={licence.check_code}"
    response = visitor(language="en").get(verification_path(licence))

    assert response.status_code == 200
    assert response.context["verdict"].state == "valid"
    text = page_text(response)
    assert "Genuine and valid" in text
    assert "SJ0004-2026-000001" in text and "食品经营许可证" in text and "2031-03-08" in text
    # What the licence shows, the holder masked as on every public page; the key and the signed content for checks
    assert "张**" in text and "420222********" + ID_NUMBER[-4:] in text
    assert "张三" not in response.content.decode() and ID_NUMBER not in response.content.decode()
    assert signing.public_key_hex() in text
    assert licence.signature in text


@time_machine.travel(at(2026, 3, 20), tick=False)
def test_a_forged_qr_code_or_a_tampered_licence_does_not_verify(county):
    licence = _issued()
    client = visitor(language="en")

    # A forged QR code: the right id with another check code, or another id with this one
    for path in (
        f"/verify/{licence.pk}?c=ABCDEFGHJK",
        f"/verify/{licence.pk + 1}?c={licence.check_code}",
        f"/verify/{licence.pk}",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert "No such licence" in page_text(response)
        assert "张**" not in page_text(response)

    # A row changed behind the platform's back (the validity lengthened): its fields no longer give what was signed
    Licence.objects.filter(pk=licence.pk).update(valid_until=D(2040, 1, 1))
    response = client.get(verification_path(licence))
    assert response.context["verdict"].state == "not_genuine"
    assert "Not genuine" in page_text(response) and "2040" not in page_text(response)


def test_a_changed_pdf_fails_the_offline_check(county):
    licence = _issued()
    pdf = render_licence(licence)

    # The genuine file carries its signed content, which checks with the public key
    assert pdf.startswith(b"%PDF-")
    assert document_check(pdf) == (True, licence.content)

    # A copy whose embedded content says another validity: the signature no longer holds
    altered = licence.content.replace('"valid_until":"2031-03-08"', '"valid_until":"2041-03-08"')
    assert altered != licence.content
    content, signature = embedded_signature(pdf)

    def b64(text: str) -> bytes:
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=")

    forged = pdf.replace(b64(content), b64(altered))
    assert forged != pdf
    assert document_check(forged) == (False, altered)
    # A copy whose signature was touched fails as well, and so does a file that carries none
    touched = pdf.replace(signature.encode(), ("A" if signature[0] != "A" else "B").encode() + signature[1:].encode())
    assert document_check(touched)[0] is False
    assert document_check(b"%PDF-1.4 nothing here") == (False, "")


@time_machine.travel(at(2026, 3, 20), tick=False)
def test_the_verify_api_checks_a_copys_content_and_signature(county):
    licence = _issued()
    client = visitor()

    genuine = client.post(
        "/api/v1/licences/verify",
        {"content": licence.content, "signature": licence.signature},
        content_type="application/json",
    ).json()
    altered = client.post(
        "/api/v1/licences/verify",
        {
            "content": licence.content.replace("SJ0004-2026-000001", "SJ0004-2026-000009"),
            "signature": licence.signature,
        },
        content_type="application/json",
    ).json()
    by_link = client.get(f"/api/v1/licences/{licence.pk}/verification?c={licence.check_code}")
    forged_link = client.get(f"/api/v1/licences/{licence.pk}/verification?c=ABCDEFGHJK")

    assert (genuine["state"], genuine["number"], genuine["holder_name"], genuine["holder_id_masked"]) == (
        "valid",
        "SJ0004-2026-000001",
        "张**",
        "420222********" + ID_NUMBER[-4:],
    )
    assert (altered["state"], altered["is_genuine"], altered.get("number")) == ("not_genuine", False, None)
    assert (by_link.status_code, by_link.json()["state"]) == (200, "valid")
    assert forged_link.status_code == 404


@time_machine.travel(at(2026, 3, 20), tick=False)
def test_revocation_is_a_move_with_its_audit_event_and_the_page_shows_it(county):
    licence = _issued()

    # A window clerk may not revoke (the decision is the department's): nothing changes
    with refused("permission_denied"):
        services.licence_revoke(actor=user("county_clerk"), licence=licence, reason="违法经营")
    licence.refresh_from_db()
    assert (licence.status, audit_events_for(licence).count()) == (LicenceStatus.VALID, 0)

    # The department head revokes it, stating why
    with refused("reasons_required"):
        services.licence_revoke(actor=user("market_head"), licence=licence, reason=" ")
    services.licence_revoke(
        actor=user("market_head"), licence=licence, reason="以欺骗手段取得许可", now=at(2026, 3, 20)
    )

    licence.refresh_from_db()
    assert (licence.status, licence.status_reason) == (LicenceStatus.REVOKED, "以欺骗手段取得许可")
    event = audit_events_for(licence).get()
    assert (event.action, event.actor, event.payload["reason"]) == (
        "licence.revoke",
        user("market_head"),
        "以欺骗手段取得许可",
    )
    response = visitor(language="en").get(verification_path(licence))
    assert response.context["verdict"].state == LicenceStatus.REVOKED
    assert "Revoked" in page_text(response)
    # Once revoked, no further move
    with refused("transition_not_allowed"):
        services.licence_replace(actor=user("market_head"), licence=licence, reason="遗失")


def test_a_replacement_and_a_change_are_new_licences_that_supersede_the_old(county):
    licence = _issued()
    chief = user("market_chief")

    copy = services.licence_replace(actor=chief, licence=licence, reason="原证遗失", now=at(2026, 4, 1))
    licence.refresh_from_db()
    assert (licence.status, copy.status, copy.replaces) == (LicenceStatus.REPLACED, LicenceStatus.VALID, licence)
    assert (copy.number, copy.scope, copy.valid_until) == ("SJ0004-2026-000002", licence.scope, licence.valid_until)
    assert copy.check_code != licence.check_code and signing.is_genuine(copy)

    with refused("licence_validity_invalid"):
        services.licence_change(actor=chief, licence=copy, reason="延长", valid_until=D(2031, 3, 9))
    with refused("licence_unchanged"):
        services.licence_change(actor=chief, licence=copy, reason="无")
    changed = services.licence_change(
        actor=chief, licence=copy, reason="经营者名称变更", holder_name="张三餐饮店", now=at(2026, 5, 6)
    )
    copy.refresh_from_db()
    assert (copy.status, changed.holder_name, changed.replaces, changed.valid_until) == (
        LicenceStatus.CHANGED,
        "张三餐饮店",
        copy,
        D(2031, 3, 8),
    )
    assert [event.action for event in audit_events_for(licence)] == ["licence.replace"]
    assert [(e.action, e.payload["successor"]) for e in audit_events_for(copy)] == [("licence.change", changed.number)]


def test_the_registry_lists_by_type_holder_status_and_expiry_and_another_town_sees_nothing(
    county, django_assert_max_num_queries
):
    licence = _issued()
    other = _issued(valid_until=D(2026, 4, 8))
    services.licence_revoke(actor=user("market_head"), licence=licence, reason="撤销")
    clerk = logged_in("county_clerk", language="en")

    with time_machine.travel(at(2026, 3, 20), tick=False):
        listed = clerk.get("/workbench/licences/")
        expiring = clerk.get("/workbench/licences/?expiring_within=30")
        revoked = clerk.get("/workbench/licences/?status=revoked")
        by_holder = clerk.get("/workbench/licences/?holder=李")
        with django_assert_max_num_queries(12):
            clerk.get(f"/workbench/licences/?type={licence.type_id}&holder=张")

    def numbers(response):
        return [row["licence"].number for row in response.context["rows"]]

    assert numbers(listed) == [other.number, licence.number]
    assert numbers(expiring) == [other.number]
    assert numbers(revoked) == [licence.number]
    assert numbers(by_holder) == []
    assert "420222********" + ID_NUMBER[-4:] in page_text(listed)
    # Another town's clerk: an empty registry, and 404 for the licence, its PDF and its moves
    futu = logged_in("futu_clerk")
    assert futu.get("/workbench/licences/").context["rows"] == []
    assert futu.get(f"/workbench/licences/{licence.pk}/").status_code == 404
    assert futu.get(f"/workbench/licences/{other.pk}/pdf/").status_code == 404
    assert futu.post(f"/workbench/licences/{other.pk}/revoke/", {"revoke-reason": "x"}).status_code == 404
    other.refresh_from_db()
    assert other.status == LicenceStatus.VALID


def test_the_licence_page_revokes_through_its_form_and_serves_the_pdf(county):
    licence = _issued()
    head = logged_in("market_head", language="en")

    pdf = head.get(f"/workbench/licences/{licence.pk}/pdf/")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert document_check(pdf.content)[0] is True

    empty = head.post(f"/workbench/licences/{licence.pk}/revoke/", {"revoke-reason": ""})
    assert empty.status_code == 422
    response = head.post(f"/workbench/licences/{licence.pk}/revoke/", {"revoke-reason": "以欺骗手段取得许可"})
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED


def test_the_holder_is_reminded_once_before_expiry(county, settings):
    settings.LICENCE_EXPIRY_REMINDER_DAYS = 30
    soon = _issued(valid_until=D(2026, 4, 8))
    _later = _issued()

    assert services.licences_remind_expiring(today=D(2026, 3, 8)) == 0  # 31 days before
    assert services.licences_remind_expiring(today=D(2026, 3, 9)) == 1
    assert services.licences_remind_expiring(today=D(2026, 3, 10)) == 0  # once

    message = OutboundMessage.objects.get(event="licence_expiring")
    assert (message.recipient, message.object_id) == ("13800000000", str(soon.pk))
    assert soon.number in message.body and "2026-04-08" in message.body
    settings.LICENCE_EXPIRY_REMINDER_DAYS = 0
    assert services.licences_remind_expiring(today=D(2026, 4, 1)) == 0


def test_a_county_administrator_corrects_a_licence_type_for_later_licences_and_its_seal_is_printed(county):
    licence = _issued()
    licence_type = licence.type

    # A window clerk may not change it: nothing changes
    licence_type.organ_code = "X"
    with refused("permission_denied"):
        services.licence_type_save(actor=user("county_clerk"), licence_type=licence_type)
    licence_type.refresh_from_db()
    assert licence_type.organ_code == "SJ"

    # The county's centre administrator sets the organ's code and its seal; the series stays
    licence_type.organ_code = "11420222MB1234567X"
    licence_type.number_prefix = "OTHER"
    licence_type.seal_image.save("seal.png", ContentFile(picture("PNG", size=(40, 40))), save=False)
    services.licence_type_save(actor=user("centre_admin"), licence_type=licence_type)

    licence_type.refresh_from_db()
    assert (licence_type.organ_code, licence_type.number_prefix) == ("11420222MB1234567X", "SJ0004")
    event = audit_events_for(licence_type).get()
    assert (event.action, event.payload["changed"]) == ("licence_type.update", ["organ_code", "seal_image"])
    # The licence already issued keeps what it was signed with; the next one carries the new code and the seal image
    licence.refresh_from_db()
    assert licence.organ_code == "SJ" and signing.is_genuine(licence)
    later = _issued()
    assert later.organ_code == "11420222MB1234567X"
    assert b"/Subtype /Image" in render_licence(later)
    assert b"/Subtype /Image" not in render_licence(_issued("SJ-0005"))  # another type: its seal drawn, no image


def test_a_supervisors_view_of_a_licence_is_logged_like_the_case_pages(county):
    from bianmin.cases.models import PersonalDataView

    licence = _issued()

    assert logged_in("supervisor").get(f"/workbench/licences/{licence.pk}/").status_code == 200
    assert logged_in("market_chief").get(f"/workbench/licences/{licence.pk}/").status_code == 200

    view = PersonalDataView.objects.get()
    assert (view.viewer, view.case_id, view.what) == (user("supervisor"), licence.case_id, "licence")


def test_the_licence_api_says_its_moves_and_its_successor(county):
    licence = _issued()
    chief = logged_in("market_chief")
    detail = chief.get(f"/api/v1/licences/{licence.pk}").json()
    assert (detail["moves"], detail["successor_id"]) == (["revoke", "replace", "change"], None)

    copy = services.licence_replace(actor=user("market_chief"), licence=licence, reason="原证遗失", now=at(2026, 4, 1))
    detail = chief.get(f"/api/v1/licences/{licence.pk}").json()
    assert (detail["status"], detail["moves"], detail["successor_id"]) == ("replaced", [], copy.pk)
