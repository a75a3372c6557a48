"""Domain errors: a stable machine code plus a translated message, shared by pages, the API and commands."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    code = "domain_error"
    status = 400
    # Item by item, where one refusal has several causes (each a dict; the API answers them as ``errors``).
    errors: list[dict] | None = None

    def __init__(self, message: str | Promise, *, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404
