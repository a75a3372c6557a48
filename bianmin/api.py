"""The REST API (django-ninja): each app adds a router from its api.py; OpenAPI at /api/v1/openapi.json."""

import json
import threading

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import NinjaJSONEncoder
from ninja.security import django_auth

from bianmin.api_tokens import system_token_auth
from bianmin.core.api_contract import PROBLEM_CONTENT_TYPE, problem_response
from bianmin.core.errors import DomainError
from bianmin.org.tokens import RateLimited


class BianminAPI(NinjaAPI):
    """Ninja's API, its document saying ``application/problem+json`` for every error answer (ninja writes the
    renderer's ``application/json`` for each status).

    The document is the code's, the same for every request and language: ninja builds it from every operation's
    schemas (about a second of CPU), so it is built once per process and each caller gets its own copy.
    """

    _documents: dict[tuple, str]
    _documents_lock = threading.Lock()

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        documents = self.__dict__.setdefault("_documents", {})
        if key not in documents:
            with self._documents_lock:
                if key not in documents:
                    documents[key] = json.dumps(self._document(path_prefix, path_params), cls=NinjaJSONEncoder)
        return json.loads(documents[key])

    def _document(self, path_prefix, path_params) -> dict:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for methods in schema["paths"].values():
            for operation in methods.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content")
                    if int(status) >= 400 and content and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = BianminAPI(
    title="Bianmin API",
    version="1",
    description=(
        "Bianmin's REST API. Outside systems authenticate with a system token (`Authorization: Bearer <token>`, "
        "issued by a centre administrator, scoped to operations, expiring, rate-limited); the pages' own scripts "
        "with the session (and CSRF)."
    ),
    # The token first: a call without an Authorization header falls through to the session.
    auth=[system_token_auth, django_auth],
    urls_namespace="api",
)


def _error(request, code: str, message: str, status: int, errors=None) -> HttpResponse:
    return problem_response(code, message, status, errors)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return _error(request, exc.code, str(exc.message), exc.status, exc.errors)


@api.exception_handler(RateLimited)
def rate_limited(request, exc: RateLimited):
    response = _error(request, exc.code, str(exc.message), exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return _error(request, "invalid_input", _("The request is not valid."), 422, exc.errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, "not_authenticated", _("Please log in first."), 401)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    return _error(request, "request_too_large", _("The request is too large."), 413)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, "not_found", _("Not found, or not visible to you."), 404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":  # ninja's session auth, in English
        return _error(request, "forbidden", _("The security token is missing or wrong: reload the page."), 403)
    codes = {404: "not_found", 403: "forbidden", 400: "bad_request"}
    return _error(request, codes.get(exc.status_code, "error"), str(exc), exc.status_code)


api.add_router("/org/", "bianmin.org.api.router")
api.add_router("/calendar/", "bianmin.core.api.router")
api.add_router("/catalog/", "bianmin.catalog.api.router")
api.add_router("/cases/", "bianmin.cases.api.router")
api.add_router("/complaints/", "bianmin.complaints.api.router")
api.add_router("/ratings/", "bianmin.ratings.api.router")
api.add_router("/licences/", "bianmin.licences.api.router")
api.add_router("/assessment/", "bianmin.assessment.api.router")
api.add_router("/events", "bianmin.interconnect.api.router")
api.add_router("/imports/", "bianmin.interconnect.api.imports_router")
api.add_router("/supervision/", "bianmin.supervision.api.router")
api.add_router("/duty/", "bianmin.duty.api.router")
api.add_router("/applications/", "bianmin.cases.api.applications.router")
