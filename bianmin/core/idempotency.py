"""Idempotency-Key for API writes: a retried request gets the first answer instead of a second write.

The first request with a key claims it (an ``IdempotentRequest`` row, unique per user and key) and runs
the write; the answer (status and JSON body) is stored in the claim before the transaction commits. The
claim, the write and the stored answer are one transaction, so an answer is stored exactly when its write
is applied: a crash or an error rolls all three back and leaves the key free for a retry.

Only applied writes consume a key. A request that ends in an error (403, 409, 422 …) wrote nothing, stores
nothing, and may be retried with the same key.

Two requests racing with one key cannot both run: the claim is the transaction's first write, so the second
INSERT waits on the unique index (PostgreSQL) or the write lock (SQLite's IMMEDIATE transactions) until the
first commits, then fails; the loser answers with the winner's stored answer, or 409 ``request_in_progress``
when there is none to give.

A replay is matched on user, key, method and path; the request body is not compared (the stored row keeps
no fingerprint of it), so a client must not reuse a key for a different write to the same path.
Answers are rendered with sorted keys: PostgreSQL's jsonb does not keep key order, and this way the first
answer and every replay are the same bytes on either database.

The mechanism (and its model, ``core.IdempotentRequest``) is the same for any app's API.
"""

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Status
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from bianmin.core.errors import DomainError
from bianmin.core.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = IdempotentRequest._meta.get_field("key").max_length
# Visible ASCII only: a UUID, a ULID or any client-made token fits; control characters and spaces do not.
KEY_PATTERN = re.compile(r"[\x21-\x7e]+")

OPENAPI_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[\\x21-\\x7e]+$"},
    "description": (
        "Optional. A client-chosen key (visible ASCII, at most 100 characters), unique per write: a retry "
        "with the same key, method and path gets the first answer again, with the header "
        "`Idempotent-Replayed: true`, and writes nothing. The same key on another method or path is 422 "
        "`idempotency_key_reused`. Only applied writes consume a key; an error answer is not stored."
    ),
}


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    status = 422


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422


class RequestInProgress(DomainError):
    code = "request_in_progress"
    status = 409


class _KeyTaken(Exception):
    """Another request claimed the key first (raised inside the transaction, handled outside it)."""


def idempotent(view: Callable[..., Status]) -> Callable[..., HttpResponse]:
    """Run an API write and its Idempotency-Key bookkeeping in one transaction.

    ``view`` returns ``Status(status_code, body)`` where body is a Schema (or plain JSON data); the wrapper
    renders it as ninja would, stores it under the request's key, and returns the HTTP response.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _key(request)
        if key is not None:
            stored = _stored(request, key)
            if stored is not None:
                return _replay(request, key, stored)
        try:
            with transaction.atomic():
                claim = _claim(request, key) if key is not None else None
                status, body = _render(view(request, *args, **kwargs))
                if claim is not None:
                    claim.status, claim.body = status, body
                    claim.save(update_fields=["status", "body"])
        except _KeyTaken:
            stored = _stored(request, key)
            if stored is None or not stored.status:
                raise RequestInProgress(
                    _("A request with this Idempotency-Key is still being processed. Try again shortly.")
                ) from None
            return _replay(request, key, stored)
        return _response(status, body)

    return wrapper


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not KEY_PATTERN.fullmatch(key):
        raise IdempotencyKeyInvalid(
            _("The Idempotency-Key must be 1 to %(max)d visible ASCII characters.") % {"max": MAX_KEY_LENGTH}
        )
    return key


def _user(request: HttpRequest):
    return getattr(request, "auth", None) or request.user


def _stored(request: HttpRequest, key: str) -> IdempotentRequest | None:
    return IdempotentRequest.objects.filter(user=_user(request), key=key).first()


def _claim(request: HttpRequest, key: str) -> IdempotentRequest:
    try:
        # A savepoint, so the loser's failed INSERT is rolled back alone; status 0 marks a claim whose
        # answer is not written yet, which no other transaction can see before the commit that fills it.
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                user=_user(request), key=key, method=request.method, path=request.path, status=0, body={}
            )
    except IntegrityError as error:
        raise _KeyTaken from error


def _replay(request: HttpRequest, key: str, stored: IdempotentRequest) -> HttpResponse:
    if (stored.method, stored.path) != (request.method, request.path):
        raise IdempotencyKeyReused(
            _(
                "This Idempotency-Key was already used for another request (%(method)s %(path)s). "
                "Use a new key for each write."
            )
            % {"method": stored.method, "path": stored.path}
        )
    response = _response(stored.status, stored.body)
    response[REPLAYED_HEADER] = "true"
    return response


def _render(result: Status) -> tuple[int, Any]:
    """The answer as the JSON data ninja's renderer would send (and as the database gives it back)."""
    body = result.value
    if isinstance(body, BaseModel):
        body = body.model_dump(by_alias=True)
    return result.status_code, json.loads(json.dumps(body, cls=NinjaJSONEncoder))


def _response(status: int, body: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder, sort_keys=True),
        status=status,
        content_type=f"application/json; charset={settings.DEFAULT_CHARSET}",
    )
