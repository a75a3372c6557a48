"""What every API operation shares: the error body, the documented answers, ids and cursor pagination.

Each router builds its ``response=`` dictionary with ``responses()``, so the OpenAPI document lists every status an
operation can answer, each error with the one error schema (RFC 9457 problem details, ``ErrorOut``); the contract test
(``tests/test_api_contract.py``) checks the document against what the API really answers.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from enum import Enum
from http import HTTPStatus
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.pagination import PaginationBase
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema

from bianmin.core.errors import DomainError
from bianmin.core.pagination import COUNT_CAP, count_to_cap

MAX_ID = 2**63 - 1  # a BigAutoField; a larger number in a path or body is refused before the database sees it
MAX_LIMIT = 100

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# No control characters (PostgreSQL refuses NUL; none belongs in a name or a reason): said in the schema as a
# pattern, so generated clients and the contract test know it, and checked again below with lone surrogates.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PLAIN_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _iso_day(value: Any) -> Any:
    """A day as the schema's ``format: date`` says it, YYYY-MM-DD: not a number of seconds (which pydantic would
    read as a timestamp, so ``?from=0`` meant 1 January 1970)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("Give a date as YYYY-MM-DD.")
    if isinstance(value, int | float):
        raise ValueError("Give a date as YYYY-MM-DD.")
    return value


# A date in a query or a body.
Day = Annotated[datetime.date, BeforeValidator(_iso_day)]


def choice(enum: type[Enum]) -> Any:
    """A field of one of a model's choices, its values written out in the field's schema: choices classes of
    different models share names (``State``, ``Kind``), and the document has one component per name, so a
    reference would describe every such field with the last class's values."""
    return Annotated[enum, WithJsonSchema({"type": "string", "enum": [member.value for member in enum]})]


def _plain_text(value: str) -> str:
    """Text the database can store: no control characters, no lone surrogates."""
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("Text must not contain control characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode.") from None
    return value


def plain_text(max_length: int, *, min_length: int = 0) -> Any:
    """A text parameter or field of at most ``max_length`` characters, without control characters."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length, pattern=PLAIN_TEXT_PATTERN),
        AfterValidator(_plain_text),
    ]


PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://bianmin.invalid/problems/"


def problem_type(code: str) -> str:
    """The ``type`` URI of a problem: one per stable code. An identifier, not a page: ``.invalid`` never resolves
    (RFC 6761), so the same problem has the same URI in every county's deployment (a relative URI would resolve
    against each deployment's host and name one problem differently in each)."""
    return PROBLEM_TYPE_BASE + code


# The titles of RFC 9110, fixed here (Python's own names change between versions: 422 "Unprocessable Entity").
PROBLEM_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
}


def problem_response(code: str, detail: str, status: int, errors: list | None = None) -> HttpResponse:
    """The one error answer of the API: RFC 9457 problem details with the stable code (see ``ErrorOut``)."""
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": PROBLEM_TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
        "code": code,
        "message": str(detail),
    }
    if errors is not None:
        body["errors"] = body["details"] = errors
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )


class FieldErrorOut(Schema):
    """One invalid input: where it is (``loc``: ``body``/``query``/``path`` and the field's path), why, its kind."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    """Every error answer, an RFC 9457 problem details object (``application/problem+json``).

    ``type`` is ``https://bianmin.invalid/problems/<code>``; ``code`` the same stable machine code alone;
    ``title`` the status's name; ``detail`` what went wrong, in the caller's language. ``message`` is an extension
    member equal to ``detail``, kept so version 1 clients written before problem details keep working;
    ``errors`` (422 only) lists the invalid inputs field by field, and ``details`` is the same list under its
    version 1 name.
    """

    type: str = Field(description="A URI naming the problem: https://bianmin.invalid/problems/<code>.")
    title: str = Field(description="A short summary of the kind of problem (the HTTP status's name).")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong, in the caller's language.")
    code: str = Field(description="The stable machine code, e.g. transition_not_allowed.")
    message: str = Field(description="Equal to detail: version 1 clients read it (deprecated).")
    errors: list[FieldErrorOut] | None = Field(None, description="422 only: each invalid input.")
    details: list[FieldErrorOut] | None = Field(None, description="422 only: equal to errors (deprecated).")


def responses(
    ok: Any,
    *,
    status: int = 200,
    auth: bool = True,
    has_input: bool = True,
    not_found: bool = False,
    refusal: bool = False,
    write: bool = False,
) -> dict[int, Any]:
    """The ``response=`` of an operation: its success schema and the error answers it can give.

    ``auth``: 401 without a session or a valid token, 403 for a token without the operation's scope, 429 past a
    token's rate limit. ``has_input``: path, query or body parameters, so 422 on invalid ones.
    ``not_found``: it names a resource (404). ``refusal``: a domain rule can refuse it (400). ``write``: a
    session write, so 403 (CSRF or permission), 400 (a rule of the law refused it), 409 (the resource's state
    forbids the move) and 413 (body too large).
    """
    errors: set[int] = set()
    if auth:
        errors.update((401, 403, 429))
    if has_input:
        errors.add(422)
    if not_found:
        errors.add(404)
    if refusal:
        errors.add(400)
    if write:
        errors.update((400, 403, 409, 413))
    return {status: ok, **dict.fromkeys(sorted(errors), ErrorOut)}


CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"


class PageInput(Schema):
    # 100 by default, as ninja's own pagination answered the catalogue before it was bounded.
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")
    cursor: str | None = Field(
        None,
        max_length=1000,
        pattern=CURSOR_PATTERN,
        description="Opaque: the next or previous of an earlier answer of the same list; none for the first page.",
    )


class CursorPage(Schema):
    """A page of a list: its items, the list's length (counted up to ``COUNT_CAP``), and the cursors of the pages
    after and before it."""

    items: list[Any]
    count: int = Field(
        description=f"How many items the whole list has, counted up to {COUNT_CAP:,}: more when `count_capped`."
    )
    count_capped: bool = Field(
        description=f"True when the list has more than {COUNT_CAP:,} items: `count` says {COUNT_CAP:,}, and the pages "
        "go on through `next` to the last."
    )
    next: str | None = Field(description="The cursor of the next page; null on the last page.")
    previous: str | None = Field(description="The cursor of the page before; null on the first page.")


class UnknownCursor(DomainError):
    """A cursor of the right shape that no list gave (or another list's): 422 ``unknown_cursor``, like any other
    reference to nothing (a request the schema calls valid is never refused as malformed)."""

    code = "unknown_cursor"
    status = 422


def _bad_cursor() -> UnknownCursor:
    return UnknownCursor(gettext_lazy("This cursor is not one this list gave: start again from the first page."))


class _CursorEncoder(DjangoJSONEncoder):
    """Django's encoder keeps milliseconds of a time; a cursor needs the exact value (microseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _value(item: Any, key: str) -> Any:
    value = item
    for name in key.lstrip("-").split("__"):
        value = getattr(value, name)
    return value


def _encode(values: list[Any], backwards: bool) -> str:
    data = json.dumps({"v": values, "b": backwards}, cls=_CursorEncoder, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> tuple[list[Any], bool]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values, backwards = data["v"], data["b"]
    except (ValueError, TypeError, KeyError):
        raise _bad_cursor() from None
    scalar = (str, int, float)
    if not isinstance(values, list) or len(values) != width or not all(isinstance(v, scalar) for v in values):
        raise _bad_cursor()
    if not isinstance(backwards, bool):
        raise _bad_cursor()
    return values, backwards


def _after(keys: tuple[str, ...], values: list[Any], backwards: bool) -> Q:
    """Rows strictly after ``values`` in the order ``keys`` (before them when ``backwards``): the keyset."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        name = key.lstrip("-")
        descending = key.startswith("-") != backwards
        condition |= equal & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        equal &= Q(**{name: value})
    return condition


def _reversed(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(key[1:] if key.startswith("-") else f"-{key}" for key in keys)


def order_keys(queryset: QuerySet) -> tuple[str, ...]:
    """The list's order plus the primary key: a total order, so a cursor names one place in it."""
    keys = tuple(str(key) for key in (queryset.query.order_by or queryset.model._meta.ordering))
    if not any(key.lstrip("-") in ("pk", "id") for key in keys):
        keys = (*keys, "-pk" if keys and keys[0].startswith("-") else "pk")
    return keys


def keyset_page(
    queryset: QuerySet, keys: tuple[str, ...], cursor: str | None, limit: int
) -> tuple[list, str | None, str | None]:
    """One page of ``queryset`` in the total order ``keys``, read after (or before) the cursor's place with the
    index of the order: no OFFSET, so the millionth row costs what the first does. Returns the page and the
    cursors of the pages after and before it."""
    backwards = False
    rows = queryset.order_by(*keys)
    if cursor:
        values, backwards = _decode(cursor, len(keys))
        try:
            rows = rows.filter(_after(keys, values, backwards))
        except (DjangoValidationError, ValueError, TypeError):
            raise _bad_cursor() from None
        if backwards:
            rows = rows.order_by(*_reversed(keys))
    try:
        page = list(rows[: limit + 1])
    except (DjangoValidationError, ValueError, TypeError, DataError):
        raise _bad_cursor() from None
    more = len(page) > limit
    page = page[:limit]
    if backwards:
        page.reverse()
    if not page:
        return page, None, None
    first = _encode([_value(page[0], key) for key in keys], True)
    last = _encode([_value(page[-1], key) for key in keys], False)
    if backwards:
        return page, last, first if more else None
    return page, last if more else None, first if cursor else None


class BoundedPagination(PaginationBase):
    """Cursor pagination over the list's order plus its primary key (``order_keys``), ``limit`` bounded by the
    schema (an out-of-range value is 422, never a database overflow); an unknown cursor is 422 ``unknown_cursor``."""

    Input = PageInput
    Output = CursorPage

    def paginate_queryset(self, queryset: QuerySet, pagination: PageInput, request, **params) -> dict:
        items, next_cursor, previous = keyset_page(queryset, order_keys(queryset), pagination.cursor, pagination.limit)
        return {**capped_count(queryset), "items": items, "next": next_cursor, "previous": previous}


def capped_count(queryset: QuerySet) -> dict[str, int | bool]:
    """The list's ``count`` and ``count_capped`` (``core.pagination.count_to_cap``)."""
    count, capped = count_to_cap(queryset)
    return {"count": count, "count_capped": capped}
