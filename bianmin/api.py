"""The REST API (django-ninja): each app adds a router from its api.py; OpenAPI at /api/v1/openapi.json."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from bianmin.core.errors import DomainError

api = NinjaAPI(
    title="Bianmin API",
    version="1",
    description="Bianmin's REST API. Session authentication (with CSRF) for the pages' own scripts.",
    auth=django_auth,
    urls_namespace="api",
)


def _error(request, code: str, message: str, status: int, details=None):
    body = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return _error(request, exc.code, str(exc.message), exc.status)


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
api.add_router("/applications/", "bianmin.cases.api.applications.router")
