"""System tokens (issue 13): an outside system calls the API as its service account, within its token's scopes,
until the token expires or is revoked, at most its rate a minute; each event it causes names the token."""

import datetime
import hashlib
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bianmin.api import api
from bianmin.api_tokens import OPERATION_SCOPES
from bianmin.cases.models import Case
from bianmin.core.audit import verify_chain
from bianmin.core.errors import PermissionDenied
from bianmin.core.models import AuditEvent
from bianmin.core.testing import logged_in, received, refused, role_holder, user
from bianmin.org.models import ExternalSystem, Role, Site, SystemToken, TokenScope
from bianmin.org.tokens import SystemRole, system_create, token_create, token_revoke

pytestmark = pytest.mark.usefixtures("county")

ALL_SCOPES = list(TokenScope.values)
START = datetime.datetime(2026, 6, 1, 9, 0, 30, tzinfo=datetime.UTC)


def _problem(status: int, code: str, message: str) -> dict:
    """The API's RFC 9457 answer (core.api_contract.problem_response)."""
    titles = {401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests"}
    return {
        "type": f"https://bianmin.invalid/problems/{code}",
        "title": titles[status],
        "status": status,
        "detail": message,
        "code": code,
        "message": message,
    }


def baisha_system(code: str = "city") -> ExternalSystem:
    """A system acting as a 白沙镇 window clerk."""
    return system_create(
        actor=user("admin"),
        code=code,
        name="市政务服务平台",
        contact="市数据局 0714-1234567",
        roles=[SystemRole(Role.CLERK, site=Site.objects.get(code="BS"))],
    )


def new_token(system: ExternalSystem, scopes=ALL_SCOPES, *, days: int = 30, rate: int = 120) -> tuple[SystemToken, str]:
    return token_create(
        actor=user("admin"),
        system=system,
        name="办件对接",
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=days),
        rate_limit_per_minute=rate,
    )


def bearer(text: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {text}"})


def test_every_api_operation_has_exactly_one_scope():
    operations = {
        operation.operation_id or api.get_openapi_operation_id(operation)
        for bound in api._get_bound_routers()
        for path_view in bound.path_operations.values()
        for operation in path_view.operations
    }
    missing = sorted(operations - set(OPERATION_SCOPES))
    assert missing == [], f"These API operations have no token scope in bianmin/api_tokens.py: {missing}"
    assert sorted(set(OPERATION_SCOPES) - operations) == []
    assert set(OPERATION_SCOPES.values()) <= set(TokenScope)


def test_a_token_calls_as_its_system_and_org_me_names_the_system_and_scopes():
    token, text = new_token(baisha_system(), [TokenScope.ORG_READ, TokenScope.CASES_READ])

    answer = bearer(text).get("/api/v1/org/me")

    assert answer.status_code == 200
    body = answer.json()
    assert body["username"] == "system-city"
    assert [(a["role"], a["site_name"]) for a in body["assignments"]] == [("clerk", "白沙镇便民服务厅")]
    expires_at = datetime.datetime.fromisoformat(body["system"].pop("expires_at"))
    assert expires_at == token.expires_at.replace(microsecond=token.expires_at.microsecond // 1000 * 1000)
    assert body["system"] == {
        "code": "city",
        "name": "市政务服务平台",
        "token_name": "办件对接",
        "token_prefix": token.prefix,
        "scopes": ["cases.read", "org.read"],
        "rate_limit_per_minute": 120,
    }


@pytest.mark.parametrize(
    "header",
    ["Bearer bm_000000000000.nothing", "Bearer nonsense", "Bearer "],
)
def test_an_unknown_token_is_401_token_invalid(header):
    answer = Client(headers={"Authorization": header}).get("/api/v1/org/me")

    assert answer.status_code == 401
    assert answer.json() == _problem(401, "token_invalid", "令牌无效。")


def test_a_token_with_a_wrong_secret_is_invalid():
    _token, text = new_token(baisha_system())

    answer = bearer(text[:-2] + ("AA" if not text.endswith("AA") else "BB")).get("/api/v1/org/me")

    assert (answer.status_code, answer.json()["code"]) == (401, "token_invalid")


def test_an_expired_token_is_401_token_expired():
    _token, text = new_token(baisha_system(), days=2)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2, seconds=1)):
        answer = bearer(text).get("/api/v1/org/me")

    assert answer.status_code == 401
    assert answer.json() == _problem(401, "token_expired", "令牌已过期：请向中心申请新的令牌。")


def test_a_revoked_token_is_401_token_revoked_and_revocation_is_audited():
    token, text = new_token(baisha_system())
    assert bearer(text).get("/api/v1/org/me").status_code == 200

    token_revoke(actor=user("admin"), token=token)
    answer = bearer(text).get("/api/v1/org/me")

    assert answer.status_code == 401
    assert answer.json() == _problem(401, "token_revoked", "令牌已被撤销。")
    event = AuditEvent.objects.filter(action="system_token.revoke").get()
    assert (event.actor_label, event.object_id, event.payload) == (
        "admin",
        str(token.pk),
        {"system": "city", "prefix": token.prefix},
    )
    with refused("token_already_revoked"):
        token_revoke(actor=user("admin"), token=token)


def test_a_token_without_the_operations_scope_is_403_and_nothing_changes():
    _token, text = new_token(baisha_system(), [TokenScope.CASES_READ])
    cases_before = Case.objects.count()

    answer = bearer(text).post("/api/v1/cases/", {}, content_type="application/json")

    assert answer.status_code == 403
    assert answer.json() == _problem(403, "token_scope_missing", "此令牌不能调用此操作：它缺少权限“登记办件”。")
    assert Case.objects.count() == cases_before


def test_the_rate_limit_is_429_with_retry_after_then_open_again_in_the_next_minute():
    _token, text = new_token(baisha_system(), rate=3)
    client = bearer(text)

    with time_machine.travel(START, tick=False) as clock:
        statuses = [client.get("/api/v1/org/me").status_code for _call in range(4)]
        refused_answer = client.get("/api/v1/org/me")
        clock.shift(datetime.timedelta(seconds=30))
        again = client.get("/api/v1/org/me")

    assert statuses == [200, 200, 200, 429]
    assert refused_answer.json() == _problem(429, "rate_limited", "使用此令牌的请求过多：请一分钟后再试。")
    assert refused_answer["Retry-After"] == "30"
    assert again.status_code == 200


def test_last_use_is_written_at_most_once_a_minute():
    token, text = new_token(baisha_system())
    client = bearer(text)

    with time_machine.travel(START, tick=False) as clock:
        client.get("/api/v1/org/me")
        clock.shift(datetime.timedelta(seconds=40))
        client.get("/api/v1/org/me")
        first = SystemToken.objects.get(pk=token.pk).last_used_at
        clock.shift(datetime.timedelta(seconds=30))
        client.get("/api/v1/org/me")
        second = SystemToken.objects.get(pk=token.pk).last_used_at

    assert first == START
    assert second == START + datetime.timedelta(seconds=70)


def test_a_case_outside_the_systems_sites_is_404_and_its_own_site_case_is_visible():
    _token, text = new_token(baisha_system(), [TokenScope.CASES_READ])
    county_case = received("SJ-0004", "YX")
    baisha_case = received("MZ-0001", "BS")
    client = bearer(text)

    outside = client.get(f"/api/v1/cases/{county_case.pk}")
    inside = client.get(f"/api/v1/cases/{baisha_case.pk}")
    listed = client.get("/api/v1/cases/")

    assert (outside.status_code, outside.json()["code"]) == (404, "not_found")
    assert (inside.status_code, inside.json()["tracking_number"]) == (200, baisha_case.tracking_number)
    assert [row["id"] for row in listed.json()["items"]] == [baisha_case.pk]


def test_every_event_of_a_token_call_names_the_token_and_system_and_the_chain_holds():
    token, text = new_token(baisha_system(), [TokenScope.CASES_ACT, TokenScope.CASES_READ])
    case = received("MZ-0001", "BS")
    before = AuditEvent.objects.order_by("-sequence").first().sequence

    answer = bearer(text).post(
        f"/api/v1/cases/{case.pk}/accept", {}, content_type="application/json", headers={"Idempotency-Key": "a1"}
    )

    assert answer.status_code == 200, answer.content
    events = list(AuditEvent.objects.filter(sequence__gt=before).order_by("sequence"))
    assert events
    assert {(event.actor_id, event.actor_label) for event in events} == {
        (token.system.service_account_id, "system-city")
    }
    assert {tuple(sorted(event.payload["via"].items())) for event in events} == {
        (("system", "city"), ("token", token.pk))
    }
    assert verify_chain().ok


def test_the_next_request_on_the_thread_carries_no_attribution():
    _token, text = new_token(baisha_system(), [TokenScope.ORG_READ])
    bearer(text).get("/api/v1/org/me")
    case = received("MZ-0001", "BS")

    assert "via" not in AuditEvent.objects.get(action="case.submit", object_id=str(case.pk)).payload


def test_the_secret_is_stored_only_as_its_hash():
    token, text = new_token(baisha_system())

    stored = SystemToken.objects.filter(pk=token.pk).values().get()
    assert stored["secret_hash"] == hashlib.sha256(text.encode()).hexdigest()
    assert text.startswith(f"bm_{token.prefix}.")
    assert len(text.split(".", 1)[1]) >= 43  # 32 random bytes, base64url
    assert not any(text.split(".", 1)[1] in str(value) for value in stored.values())
    assert all(text not in str(event.payload) for event in AuditEvent.objects.all())


def test_creating_a_system_and_a_token_is_audited_and_gives_an_unusable_service_account():
    system = baisha_system()
    token, _text = new_token(system, [TokenScope.CASES_READ], days=10)

    account = system.service_account
    assert (account.is_system_account, account.has_usable_password()) == (True, False)
    created = AuditEvent.objects.get(action="system.create")
    assert created.payload == {
        "code": "city",
        "name": "市政务服务平台",
        "service_account": "system-city",
        "roles": [["clerk", "BS", None]],
    }
    token_event = AuditEvent.objects.get(action="system_token.create")
    assert token_event.payload["scopes"] == ["cases.read"]
    assert token_event.payload["prefix"] == token.prefix


def test_a_service_account_cannot_log_in_to_the_pages_even_with_a_password():
    account = baisha_system().service_account
    account.set_password("a long enough password 123")
    account.save()

    assert Client().login(username="system-city", password="a long enough password 123") is False


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"scopes": []}, "system_invalid"),
        ({"scopes": ["cases.everything"]}, "system_invalid"),
        ({"days": 400}, "system_invalid"),
        ({"days": -1}, "system_invalid"),
        ({"rate": 0}, "system_invalid"),
    ],
)
def test_a_bad_token_request_is_refused_and_creates_nothing(change, code):
    system = baisha_system()
    with refused(code):
        new_token(system, change.get("scopes", ALL_SCOPES), days=change.get("days", 30), rate=change.get("rate", 120))
    assert SystemToken.objects.count() == 0


def test_only_a_centre_administrator_manages_systems():
    with pytest.raises(PermissionDenied):
        system_create(
            actor=user("baisha_clerk"),
            code="bank",
            name="银行",
            roles=[SystemRole(Role.CLERK, site=Site.objects.get(code="BS"))],
        )
    assert not ExternalSystem.objects.exists()


def test_the_command_creates_lists_and_revokes(capsys):
    baisha_system()

    call_command("system_token", "create", "city", "--name", "脚本", "--scope", "cases.read", "--days", "7")
    created = capsys.readouterr().out
    token = SystemToken.objects.get()
    text = created.strip().splitlines()[-1]
    call_command("system_token", "list")
    listed = capsys.readouterr().out
    call_command("system_token", "revoke", token.prefix)

    assert hashlib.sha256(text.encode()).hexdigest() == token.secret_hash
    assert token.prefix in listed and text not in listed
    assert SystemToken.objects.get().revoked_at is not None


def test_the_pages_show_the_secret_once_and_then_only_the_prefix():
    system = baisha_system()
    client = logged_in("admin")
    expires = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()

    created = client.post(
        f"/workbench/systems/{system.pk}/tokens/new/",
        {"name": "办件对接", "scopes": ["cases.read", "org.read"], "expires_on": expires, "rate_limit_per_minute": 60},
    )
    token = SystemToken.objects.get()
    listed = client.get("/workbench/systems/")

    assert created.status_code == 200
    secret_shown = re.findall(r"bm_[0-9a-f]{12}\.[A-Za-z0-9_-]+", created.content.decode())
    assert len(secret_shown) == 1
    assert hashlib.sha256(secret_shown[0].encode()).hexdigest() == token.secret_hash
    assert "no-store" in created["Cache-Control"]
    page = listed.content.decode()
    assert token.prefix in page and secret_shown[0] not in page and "bm_" not in page
    assert client.get(f"/workbench/systems/{system.pk}/").content.decode().count(token.prefix) == 1


def test_a_town_administrator_manages_only_systems_acting_in_their_town():
    role_holder("futu_admin", Role.CENTRE_ADMIN, site="FT")
    baisha = baisha_system()
    futu = system_create(
        actor=None, code="futu", name="浮屠镇系统", roles=[SystemRole(Role.CLERK, site=Site.objects.get(code="FT"))]
    )
    client = logged_in("futu_admin")

    listed = client.get("/workbench/systems/").content.decode()
    other = client.get(f"/workbench/systems/{baisha.pk}/")
    revoke_other = client.post(f"/workbench/systems/{baisha.pk}/tokens/{new_token(baisha)[0].pk}/revoke/")
    own = client.get(f"/workbench/systems/{futu.pk}/")

    assert ">浮屠镇系统<" in listed and ">市政务服务平台<" not in listed
    assert (other.status_code, revoke_other.status_code, own.status_code) == (404, 404, 200)
    assert SystemToken.objects.get(system=baisha).revoked_at is None
    assert logged_in("baisha_clerk").get("/workbench/systems/").status_code == 403


def test_the_list_reads_the_same_number_of_queries_however_many_systems():
    client = logged_in("admin")
    new_token(baisha_system("one"))
    client.get("/workbench/systems/")  # warm the session and the caches
    with CaptureQueriesContext(connection) as one_system:
        client.get("/workbench/systems/")
    new_token(baisha_system("two"))
    new_token(baisha_system("three"))
    with CaptureQueriesContext(connection) as three_systems:
        client.get("/workbench/systems/")

    assert len(three_systems) == len(one_system)


def test_revoking_on_the_page_ends_the_token_at_once():
    system = baisha_system()
    token, text = new_token(system)

    answer = logged_in("admin").post(f"/workbench/systems/{system.pk}/tokens/{token.pk}/revoke/")

    assert answer.status_code == 302
    assert SystemToken.objects.get(pk=token.pk).revoked_by == user("admin")
    assert bearer(text).get("/api/v1/org/me").json()["code"] == "token_revoked"
