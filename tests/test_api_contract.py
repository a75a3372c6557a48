"""The API's contract: the OpenAPI document says what the API does, and generated requests cannot break it.

- Every schema the API uses has its own name (two classes of one name silently replace each other in the
  document's components).
- Every operation documents each status it can answer, each error with the one error schema.
- The committed ``docs/openapi.json`` is the document the code generates.
- Pagination is bounded everywhere: out-of-range limits and offsets are 422 with a translated message.
- schemathesis, with all its checks, anonymous, as a town clerk, a supervisor and a system token, finds nothing
  (bounded run against a live server on the test database).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from bianmin.api import api

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "openapi.json"
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
PAGINATED = ["/api/v1/catalog/items", "/api/v1/cases/", "/api/v1/org/sites"]


def generated_document() -> dict:
    """The document as the API serves it (and as ``make openapi`` writes it)."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def _models_in(annotation, seen: set[type]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, seen)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, seen)


def _operations():
    for bound_router in api._get_bound_routers():  # ninja keeps no public list of its operations
        for path_view in bound_router.path_operations.values():
            yield from path_view.operations


def test_every_schema_the_api_uses_has_its_own_name():
    seen: set[type] = set()
    for operation in _operations():
        for model in operation.response_models.values():
            _models_in(model, seen)
        for model in operation.models:
            _models_in(model, seen)
    by_name: dict[str, set[str]] = {}
    for model in seen:
        if model.__module__.startswith("ninja."):
            continue  # ninja's own wrappers of parameters and responses never reach the components
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {}, f"Schema classes share a name and replace each other in the OpenAPI document: {shared}"


def test_every_operation_documents_its_error_answers():
    missing = {}
    for path, methods in generated_document()["paths"].items():
        for method, operation in methods.items():
            answers = operation["responses"]
            expected = set()
            if operation.get("security"):
                expected.add("401")
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if "{" in path:
                expected.add("404")
            if method == "post":
                expected.update({"400", "403", "409", "413"})
            errors = {code for code in answers if code.startswith(("4", "5"))}
            wrong_schema = {
                code for code in errors if answers[code]["content"]["application/problem+json"]["schema"] != ERROR_REF
            }
            if expected - errors or wrong_schema or "500" in errors:
                missing[f"{method.upper()} {path}"] = (sorted(expected - errors), sorted(wrong_schema))
    assert missing == {}


def test_the_committed_openapi_document_is_the_generated_one():
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == generated_document(), (
        "docs/openapi.json is out of date: run `make openapi` and commit the result."
    )


def test_the_document_is_built_once_and_each_caller_gets_its_own_copy(monkeypatch):
    """Ninja builds the document from every schema (about a second of CPU): /api/v1/openapi.json must not do that
    per request."""
    from ninja import NinjaAPI

    from bianmin.api import BianminAPI

    fresh = BianminAPI(urls_namespace="once")  # an API of no operations, mounted nowhere: its own cache
    built = []
    original = NinjaAPI.get_openapi_schema
    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", lambda self, **kw: built.append(kw) or original(self, **kw))

    first = fresh.get_openapi_schema(path_prefix="/")
    first["info"]["title"] = "changed by a caller"
    second = fresh.get_openapi_schema(path_prefix="/")

    assert len(built) == 1
    assert second["info"]["title"] == "NinjaAPI"
    assert second == fresh.get_openapi_schema(path_prefix="/") and len(built) == 1


@pytest.mark.django_db
def test_every_error_is_problem_details_with_its_stable_code():
    """RFC 9457: the media type, type/title/status/detail/code, message (= detail) kept for v1 clients."""
    user = get_user_model().objects.create(username="someone")
    staff = Client()
    staff.force_login(user)

    answers = {
        401: Client().get("/api/v1/cases/"),
        404: staff.get("/api/v1/cases/999"),
        422: staff.get("/api/v1/cases/", {"limit": 0}),
    }

    assert {status: answer.status_code for status, answer in answers.items()} == {401: 401, 404: 404, 422: 422}
    assert {answer["Content-Type"] for answer in answers.values()} == {"application/problem+json; charset=utf-8"}
    bodies = {status: answer.json() for status, answer in answers.items()}
    assert bodies[401] == {
        "type": "https://bianmin.invalid/problems/not_authenticated",
        "title": "Unauthorized",
        "status": 401,
        "detail": "请先登录。",
        "code": "not_authenticated",
        "message": "请先登录。",
    }
    assert bodies[404] == {
        "type": "https://bianmin.invalid/problems/not_found",
        "title": "Not Found",
        "status": 404,
        "detail": "未找到，或您无权查看。",
        "code": "not_found",
        "message": "未找到，或您无权查看。",
    }
    errors = bodies[422].pop("errors")
    assert bodies[422].pop("details") == errors
    assert [(error["loc"], error["type"]) for error in errors] == [(["query", "limit"], "greater_than_equal")]
    assert bodies[422] == {
        "type": "https://bianmin.invalid/problems/invalid_input",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "请求无效。",
        "code": "invalid_input",
        "message": "请求无效。",
    }


@pytest.mark.django_db
def test_a_list_is_counted_up_to_the_cap_in_one_statement_reading_no_more_rows(county_organisation, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bianmin.core import pagination
    from bianmin.org.models import Site

    client = Client()
    client.force_login(get_user_model().objects.get(username="supervisor"))
    sites = Site.objects.count()
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)

    with CaptureQueriesContext(connection) as statements:
        page = client.get("/api/v1/org/sites", {"limit": 4}).json()
    assert (page["count"], page["count_capped"], len(page["items"])) == (10, True, 4)
    counts = [query["sql"] for query in statements if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 11" in counts[0]
    walked = page["items"]
    while page["next"]:
        page = client.get("/api/v1/org/sites", {"limit": 4, "cursor": page["next"]}).json()
        walked += page["items"]
    assert len(walked) == sites == 27
    monkeypatch.setattr(pagination, "COUNT_CAP", 27)
    page = client.get("/api/v1/org/sites").json()
    assert (page["count"], page["count_capped"], len(page["items"])) == (27, False, 27)


OUT_OF_RANGE = [
    {"limit": "9223372036854775808"},
    {"limit": 0},
    {"limit": 101},
    {"cursor": "*"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGINATED)
def test_pagination_out_of_range_is_422_with_a_translated_message(path):
    user = get_user_model().objects.create(username="someone")
    client = Client()
    client.force_login(user)

    answers = [client.get(path, query) for query in OUT_OF_RANGE]

    assert [answer.status_code for answer in answers] == [422] * len(OUT_OF_RANGE)
    assert {(answer.json()["code"], answer.json()["message"]) for answer in answers} == {
        ("invalid_input", "请求无效。")
    }
    assert [[error["loc"][-1] for error in answer.json()["details"]] for answer in answers] == [
        list(query) for query in OUT_OF_RANGE
    ]
    assert client.get(path, {"limit": 100}).status_code == 200
    unknown = client.get(path, {"cursor": "bm9uc2Vuc2U"})  # the schema's shape: a reference to nothing
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_cursor")


# --- schemathesis -------------------------------------------------------------------------------------------

MAX_EXAMPLES = 10
SEED = 20260302


def _session_headers(username: str) -> list[str]:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    token = secrets.token_hex(16)  # 32 characters: a valid CSRF secret, sent as cookie and header
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return ["--header", f"Cookie: {cookie}; {settings.CSRF_COOKIE_NAME}={token}", "--header", f"X-CSRFToken: {token}"]


def _token_headers() -> list[str]:
    """A system acting as 白沙镇's window clerk (the ``baisha_clerk`` run's scope), with every scope."""
    import datetime

    from django.utils import timezone

    from bianmin.org.models import Role, Site, TokenScope
    from bianmin.org.tokens import MAX_RATE_LIMIT, SystemRole, system_create, token_create

    system = system_create(
        actor=None,
        code="schemathesis",
        name="schemathesis",
        roles=[SystemRole(Role.CLERK, site=Site.objects.get(code="BS"))],
    )
    _token, text = token_create(
        actor=None,
        system=system,
        name="schemathesis",
        scopes=list(TokenScope.values),
        expires_at=timezone.now() + datetime.timedelta(days=1),
        rate_limit_per_minute=MAX_RATE_LIMIT,
    )
    return ["--header", f"Authorization: Bearer {text}"]


# The coverage phase (boundary values, missing and wrong-typed parameters, unexpected methods) is the slow one;
# it runs as the caller who may write, and on the public operations. An anonymous caller is sent only the operations
# open to the public: ninja checks a caller before it reads a single parameter, so every other operation answers
# an anonymous request 401 whatever it carries (the access matrix calls each one anonymously). Every caller gets the
# fuzzing phase; the staff also the stateful one.
CALLERS = {
    "anonymous": "coverage,fuzzing",
    "baisha_clerk": "coverage,fuzzing,stateful",  # a town clerk: reads and writes the town's cases
    "supervisor": "fuzzing,stateful",  # a county supervisor: reads everything, every write is 403
    "token": "fuzzing,stateful",  # an outside system with a token, acting as 白沙镇's window clerk, every scope
}


def public_operations() -> list[str]:
    """The operations a caller without a session or token may call: those the document gives no security."""
    return sorted(
        operation["operationId"]
        for methods in generated_document()["paths"].values()
        for operation in methods.values()
        if not operation.get("security")
    )


def test_the_public_operations_are_the_catalogue_and_the_checks_anyone_may_make():
    assert public_operations() == [
        "bianmin_catalog_api_get_item",
        "bianmin_catalog_api_get_version",
        "bianmin_catalog_api_list_items",
        "bianmin_catalog_api_list_versions",
        "bianmin_licences_api_licence_verification",
        "bianmin_licences_api_licence_verify",
        "bianmin_ratings_api_rating_create",
    ]


def _schemathesis(url: str, caller: str, tmp_path: Path) -> subprocess.CompletedProcess:
    if caller == "anonymous":
        arguments = [part for operation in public_operations() for part in ("--include-operation-id", operation)]
    elif caller == "token":
        arguments = _token_headers()
    else:
        arguments = _session_headers(caller)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(ROOT / "tests" / "schemathesis.toml"),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--mode",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--phases",
        CALLERS[caller],
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--generation-with-security-parameters",
        "false",  # the session rides in the headers; anonymous callers are a run of their own
        "--no-color",
        *arguments,
    ]
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path, env=environment, timeout=600, check=False
    )


@pytest.mark.long
@pytest.mark.parametrize("caller", list(CALLERS))
def test_schemathesis_finds_nothing(caller, committed_demo_cases, fast_live_server, tmp_path):
    """Every check of schemathesis, both modes, a bounded number of examples per operation, a fixed seed, for each
    caller on the demo county and its cases (a test each, so the suite's two processes share them)."""
    result = _schemathesis(fast_live_server.url, caller, tmp_path)
    assert result.returncode == 0, result.stdout[-15_000:] + result.stderr[-3_000:]
