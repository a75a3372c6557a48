"""What every API operation shares: the error body, the documented answers, ids and bounded pagination.

Each router builds its ``response=`` dictionary with ``responses()``, so the OpenAPI document lists every status an
operation can answer, each error with the one error schema ``{"code", "message"}``; the contract test
(``tests/test_api_contract.py``) checks the document against what the API really answers.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, StringConstraints

MAX_ID = 2**63 - 1  # a BigAutoField; a larger number in a path or body is refused before the database sees it
MAX_LIMIT = 100
MAX_OFFSET = 10**6  # far past any real list, far below what a database's OFFSET overflows on

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# No control characters (PostgreSQL refuses NUL; none belongs in a name or a reason): said in the schema as a
# pattern, so generated clients and the contract test know it, and checked again below with lone surrogates.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PLAIN_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


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


class ErrorOut(Schema):
    """Every error answer: a stable machine code and a message in the caller's language."""

    code: str
    message: str


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


class PageInput(Schema):
    # 100 by default, as ninja's own pagination answered the catalogue before it was bounded.
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"Items to skip, 0 to {MAX_OFFSET}.")


class BoundedPagination(LimitOffsetPagination):
    """Ninja's limit/offset with both bounded by the schema: an out-of-range value is 422, never a database
    overflow (``limit=9223372036854775808`` was a 500)."""

    Input = PageInput

    def paginate_queryset(self, queryset: QuerySet, pagination: PageInput, request, **params) -> dict:
        offset, limit = pagination.offset, pagination.limit
        return {"items": list(queryset[offset : offset + limit]), "count": self._items_count(queryset)}
