"""The applicant's API: apply online with files, read one's own applications (nobody else's), download their
notices, withdraw; the portal form's checks, the same service, nothing written on a refusal."""

import sys
import types

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bianmin.accounts.models import User
from bianmin.catalog.models import ServiceItem
from bianmin.core.audit import audit_events_for
from bianmin.core.masking import mask_id_number, mask_phone
from bianmin.core.testing import OTHER_ID_NUMBER, at, intake, logged_in, sqlite_plan, user

from .. import services
from ..idnumbers import resident_id_check_character
from ..models import Case, CaseMaterial, Channel, Status

pytestmark = pytest.mark.django_db

NOW = at(2026, 6, 1)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PHONE = "13700001111"
BASE_ID = "42022219850615001"
ID = BASE_ID + resident_id_check_character(BASE_ID)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def account(username: str = "lisi", phone: str = PHONE) -> Client:
    holder = User.objects.create_user(username=username, password="x" * 12, phone=phone, full_name="李四")
    return logged_in(holder.username, language="en")


def requirements(code: str = "RS-0004") -> list:
    return list(ServiceItem.objects.get(code=code).current_version.materials.order_by("pk"))


def body(code: str = "RS-0004", *, files: dict | None = None, **changes) -> dict:
    """The form's fields and one PDF per material (``files``: requirement id → bytes, to send others)."""
    files = files if files is not None else {material.pk: PDF for material in requirements(code)}
    data = {
        "item": code,
        "name": "李四",
        "id_type": "resident_id",
        "id_number": ID,
        "address": "阳新县兴国镇桃花泉路 1 号",
        "details": "申请办理失业登记。",
        "receiving_site": "YX",
        "material_ids": list(files),
        "materials": [SimpleUploadedFile(f"m{pk}.pdf", content) for pk, content in files.items()],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def apply(client: Client, data: dict, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/applications/", data, headers=headers)


# --- Applying ----------------------------------------------------------------------------------------------------


def test_an_account_applies_online_with_one_file_per_material(county, clock):
    client = account()

    response = apply(client, body())

    case = Case.objects.get()
    answer = response.json()
    assert response.status_code == 201
    assert (case.channel, case.status, case.applicant_user.username) == (Channel.ONLINE, Status.RECEIVED, "lisi")
    assert (case.applicant_phone, case.applicant_id_number, case.receiving_site.code) == (PHONE, ID, "YX")
    assert answer["id"] == case.pk
    assert answer["tracking_number"] == case.tracking_number
    assert (answer["item_code"], answer["status"], answer["channel"]) == ("RS-0004", "received", "online")
    assert (answer["applicant_phone"], answer["applicant_id_number"]) == (mask_phone(PHONE), mask_id_number(ID))
    assert answer["deadlines"] == [
        {"label": "Accepted, or told what is missing, by", "date": "2026-06-08", "days_left": 5, "days_overdue": None}
    ]
    assert answer["notices"] == [
        {
            "id": notice.pk,
            "number": notice.number,
            "kind": "receipt",
            "issued_at": answer["notices"][0]["issued_at"],
            "pdf_url": f"/api/v1/applications/{case.pk}/notices/{notice.pk}/pdf",
        }
        for notice in case.notices.all()
    ]
    assert (answer["missing"], answer["can_withdraw"]) == ([], True)
    stored = CaseMaterial.objects.filter(case=case).order_by("requirement_id")
    assert [(m.requirement_id, m.state, bool(m.file)) for m in stored] == [
        (material.pk, "provided", True) for material in requirements()
    ]
    assert audit_events_for(case).get(action="case.submit").actor_id == case.applicant_user_id


def test_a_retry_with_the_same_key_registers_one_application(county, clock):
    client = account()

    first = apply(client, body(), key="apply-1")
    second = apply(client, body(), key="apply-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    assert Case.objects.count() == 1


def refusal(response) -> str:
    assert (response.status_code, response.json()["code"]) == (400, "application_invalid")
    return response.json()["message"]


def test_a_missing_required_material_is_named_and_nothing_is_registered(county, clock):
    required = next(material for material in requirements() if material.is_required)
    files = {material.pk: PDF for material in requirements() if material.pk != required.pk}

    response = apply(account(), body(files=files))

    assert refusal(response) == f"{required.name}: Upload this material: it is required."
    assert Case.objects.count() == 0


def test_a_file_that_is_not_a_pdf_or_picture_is_refused(county, clock):
    first = requirements()[0]
    files = {material.pk: PDF for material in requirements()} | {first.pk: b"MZ\x90\x00 not a scan"}

    response = apply(account(), body(files=files))

    assert refusal(response) == (
        f"{first.name}: This file is not one of the accepted kinds (PDF/JPG/PNG). Other files are refused, even "
        f"when renamed.；{first.name}: Upload this material: it is required."
    )
    assert Case.objects.count() == 0


def test_a_bad_document_number_is_the_forms_error(county, clock):
    response = apply(account(), body(id_number="420222198506150010"))

    assert refusal(response).startswith("Document number: ")
    assert Case.objects.count() == 0


def test_one_requirement_id_per_file(county, clock):
    response = apply(account(), body(material_ids=[requirements()[0].pk]))

    assert refusal(response) == "Give one requirement id for each file, each id once."
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"item": "XX-9999"}, 422, "unknown_item"),
        ({"receiving_site": "NOPE"}, 422, "unknown_site"),
    ],
)
def test_references_to_nothing_are_refused(county, clock, changes, status, code):
    response = apply(account(), body(**changes))

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert Case.objects.count() == 0


def test_a_material_of_another_item_is_refused(county, clock):
    other = requirements("SJ-0004")[0]

    response = apply(account(), body(files={other.pk: PDF}))

    assert (response.status_code, response.json()["code"]) == (422, "unknown_material")


def test_an_item_without_online_application_is_refused(county, clock):
    offline = ServiceItem.objects.filter(current_version__online_application=False, status="published").first()

    response = apply(account(), body(offline.code, files={}))

    assert (response.status_code, response.json()["code"]) == (400, "online_not_offered")
    assert Case.objects.count() == 0


def test_an_account_without_a_phone_is_asked_for_one(county, clock):
    response = apply(account(phone=""), body())

    assert (response.status_code, response.json()["code"]) == (400, "phone_required")
    assert Case.objects.count() == 0


def test_an_open_case_of_the_item_elsewhere_refuses_the_application(county, clock):
    services.case_submit(actor=user("county_clerk"), intake=intake("RS-0004", "YX", id_number=ID), now=NOW)

    response = apply(account(), body())

    assert (response.status_code, response.json()["code"]) == (409, "duplicate_application")
    assert Case.objects.count() == 1


def test_anonymous_callers_are_asked_to_log_in(county, clock):
    assert Client().post("/api/v1/applications/", body()).status_code == 401
    assert Client().get("/api/v1/applications/").status_code == 401


# --- Reading, notices, withdrawal -------------------------------------------------------------------------------


def test_the_list_holds_the_accounts_own_applications_in_constant_queries(county, clock):
    mine, theirs = account(), account("wangwu", "13700002222")
    assert apply(theirs, body()).status_code == 201

    def listed() -> tuple[list, int]:
        with CaptureQueriesContext(connection) as queries:
            response = mine.get("/api/v1/applications/")
        assert response.status_code == 200
        return response.json(), len(queries)

    empty, few = listed()
    assert empty == {"items": [], "count": 0, "count_capped": False, "next": None, "previous": None}
    created = [apply(mine, body(id_number=number)).json()["id"] for number in (ID, OTHER_ID_NUMBER)]
    page, many = listed()

    assert many == few
    assert [row["id"] for row in page["items"]] == created[::-1]
    assert page["count"] == 2
    assert set(page["items"][0]) == {
        "id",
        "tracking_number",
        "item_code",
        "item_name",
        "channel",
        "status",
        "status_label",
        "receiving_site_name",
        "received_at",
        "acceptance_due",
        "promised_due",
    }


def test_nobody_else_sees_an_application(county, clock):
    owner = account()
    case_id = apply(owner, body()).json()["id"]
    window = services.case_submit(actor=user("county_clerk"), intake=intake("ZR-0002", "YX"), now=NOW)
    staff = logged_in("county_clerk")

    assert account("wangwu", "13700002222").get(f"/api/v1/applications/{case_id}").status_code == 404
    assert staff.get(f"/api/v1/applications/{case_id}").status_code == 404
    assert owner.get(f"/api/v1/applications/{window.pk}").status_code == 404  # not made with this account
    assert staff.get("/api/v1/applications/").json() == {
        "items": [],
        "count": 0,
        "count_capped": False,
        "next": None,
        "previous": None,
    }


@pytest.fixture
def fake_renderer(monkeypatch):
    module = types.ModuleType("bianmin.cases.notices")
    module.render_notice = lambda notice, base_url: b"%PDF-1.4 " + notice.number.encode()
    monkeypatch.setitem(sys.modules, "bianmin.cases.notices", module)


def test_the_notices_download_for_the_owner_only(county, clock, fake_renderer):
    owner = account()
    case = Case.objects.get(pk=apply(owner, body()).json()["id"])
    services.case_request_supplement(actor=None, case=case, problems=[("身份证", "复印件不清晰")], now=at(2026, 6, 2))
    answer = owner.get(f"/api/v1/applications/{case.pk}").json()
    supplement = case.notices.get(kind="supplement")

    response = owner.get(answer["notices"][-1]["pdf_url"])

    assert (answer["status"], answer["missing"]) == (
        "supplement_requested",
        [{"material": "身份证", "problem": "复印件不清晰"}],
    )
    assert answer["notices"][-1]["id"] == supplement.pk
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content == b"%PDF-1.4 " + supplement.number.encode()
    assert account("wangwu", "13700002222").get(answer["notices"][-1]["pdf_url"]).status_code == 404
    assert owner.get(f"/api/v1/applications/{case.pk}/notices/999999/pdf").status_code == 404


def test_the_owner_withdraws_as_themselves_once(county, clock):
    owner = account()
    case_id = apply(owner, body()).json()["id"]

    response = owner.post(
        f"/api/v1/applications/{case_id}/withdrawal", {"reason": "填错了事项"}, content_type="application/json"
    )
    again = owner.post(
        f"/api/v1/applications/{case_id}/withdrawal", {"reason": "填错了事项"}, content_type="application/json"
    )

    case = Case.objects.get()
    event = audit_events_for(case).get(action="case.withdraw")
    assert (response.status_code, response.json()["status"], response.json()["can_withdraw"]) == (
        200,
        "withdrawn",
        False,
    )
    assert (event.actor_id, event.payload["reason"]) == (case.applicant_user_id, "填错了事项")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")


def test_nobody_else_withdraws_it(county, clock):
    case_id = apply(account(), body()).json()["id"]
    staff = logged_in("county_clerk")

    for client in (account("wangwu", "13700002222"), staff):
        response = client.post(
            f"/api/v1/applications/{case_id}/withdrawal", {"reason": "恶意撤回"}, content_type="application/json"
        )
        assert response.status_code == 404
    assert Case.objects.get().status == Status.RECEIVED


def test_an_accounts_applications_are_read_from_their_index_in_order(county):
    from ..api.applications import LIST_FIELDS
    from ..selectors import applications_of

    holder = User.objects.create_user(username="lisi", password="x" * 12)

    def read():
        return list(applications_of(holder).only(*LIST_FIELDS)[:100])

    if connection.vendor == "sqlite":
        plan = sqlite_plan(read, analyse=False)
        assert plan[0].startswith("SEARCH cases_case USING INDEX case_applicant_user_idx"), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan  # the index gives the order: no sort
        return
    with CaptureQueriesContext(connection) as queries:
        read()
    (lookup,) = queries.captured_queries
    with connection.cursor() as cursor:
        # Few rows make a sequential scan cheapest here; what is asked is whether the index can serve it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + lookup["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_applicant_user_idx" in plan, plan
