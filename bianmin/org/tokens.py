"""Outside systems and their API tokens (issue 13, "System tokens"): create a system with its roles, create and
revoke its tokens, and check a presented token.

A system acts through its service account (``User.is_system_account``): the roles given here are that account's
role assignments, so a token's call sees and may do exactly what a person holding those roles would, through the
same selectors and services. The token adds operation scopes on top (``TokenScope``; which scope each API
operation needs is in ``bianmin/api_tokens.py``).

A token reads ``bm_<prefix>.<secret>``: the prefix (public, shown in lists) finds the row, the secret is 32 random
bytes, and only the SHA-256 of the whole token is stored (a plain hash is right for a random secret: there is
nothing to guess). It is shown once, when created.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.cache import count_within
from bianmin.core.errors import DomainError, PermissionDenied

from .models import Department, ExternalSystem, Role, Site, SystemToken, TokenScope
from .selectors import accounts_administered_by, administration_of
from .services import require_power_over, role_assign, user_save

TOKEN_PREFIX = "bm_"
MAX_VALIDITY = datetime.timedelta(days=366)
DEFAULT_RATE_LIMIT = 120
MAX_RATE_LIMIT = 6000
# last_used_at is written at most this often per token: a busy token costs one UPDATE a minute, not one a call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
RATE_WINDOW_SECONDS = 60


class SystemInvalid(DomainError):
    code = "system_invalid"


class TokenInvalid(DomainError):
    code = "token_invalid"
    status = 401


class TokenExpired(DomainError):
    code = "token_expired"
    status = 401


class TokenRevoked(DomainError):
    code = "token_revoked"
    status = 401


class TokenScopeMissing(DomainError):
    code = "token_scope_missing"
    status = 403


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429

    def __init__(self, message, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SystemRole:
    """One role the system's service account holds: a role at a site and/or for a department."""

    role: str
    site: Site | None = None
    department: Department | None = None


def _require_token_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_superuser and not administration_of(actor).is_administrator:
        raise PermissionDenied(_("Only a centre administrator may manage outside systems and their tokens."))


def systems_visible_to(user: User) -> QuerySet[ExternalSystem]:
    """The systems a centre administrator manages: those whose service account they have power over."""
    if not administration_of(user).is_administrator:
        return ExternalSystem.objects.none()
    return ExternalSystem.objects.filter(service_account__in=accounts_administered_by(user)).select_related(
        "service_account"
    )


@transaction.atomic
def system_create(
    *, actor: User | None, code: str, name: str, contact: str = "", roles: list[SystemRole]
) -> ExternalSystem:
    """Register an outside system with its service account and the roles that give its tokens their scope."""
    _require_token_admin(actor)
    code, name = code.strip().lower(), name.strip()
    if not code or not name:
        raise SystemInvalid(_("Give the system a code and a name."))
    if not roles:
        raise SystemInvalid(_("Give the system at least one role: it decides which sites and cases it reaches."))
    # A system never administers: it could otherwise manage accounts and systems. (A supervisor's role, which reads
    # a whole jurisdiction and receives 12345 work orders, only a superuser grants: org.services.role_assign.)
    if any(role.role == Role.CENTRE_ADMIN for role in roles):
        raise SystemInvalid(_("A system cannot hold the centre administrator role."))
    username = f"system-{code}"
    if ExternalSystem.objects.filter(code=code).exists() or User.objects.filter(username=username).exists():
        raise SystemInvalid(_("A system with this code already exists."))
    account = User(username=username, full_name=name, is_system_account=True)
    account.set_unusable_password()
    user_save(user=account, actor=actor, changed_fields=["username", "full_name", "is_system_account"])
    system = ExternalSystem.objects.create(
        code=code, name=name, contact=contact.strip(), service_account=account, created_at=timezone.now()
    )
    for role in roles:
        role_assign(actor=actor, user=account, role=role.role, site=role.site, department=role.department)
    audit_record(
        actor=actor,
        action="system.create",
        obj=system,
        payload={
            "code": code,
            "name": name,
            "service_account": username,
            "roles": [
                [role.role, role.site.code if role.site else None, role.department.code if role.department else None]
                for role in roles
            ],
        },
    )
    return system


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(
    *,
    actor: User | None,
    system: ExternalSystem,
    name: str,
    scopes: list[str],
    expires_at: datetime.datetime,
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT,
) -> tuple[SystemToken, str]:
    """Create a token for ``system``; returns it and the token text, which is shown once and never stored."""
    _require_token_admin(actor)
    system = ExternalSystem.objects.select_for_update().select_related("service_account").get(pk=system.pk)
    require_power_over(actor, system.service_account)
    now = timezone.now()
    name = name.strip()
    unknown = set(scopes) - set(TokenScope.values)
    if not name:
        raise SystemInvalid(_("Give the token a name, e.g. what it is used for."))
    if not scopes or unknown:
        raise SystemInvalid(_("Choose one or more of the listed scopes."))
    if not system.is_active:
        raise SystemInvalid(_("This system is inactive: it gets no new token."))
    if not now < expires_at <= now + MAX_VALIDITY:
        raise SystemInvalid(_("A token must expire in the future, and within a year."))
    if not 1 <= rate_limit_per_minute <= MAX_RATE_LIMIT:
        raise SystemInvalid(
            _("The rate limit must be between 1 and %(max)d requests a minute.") % {"max": MAX_RATE_LIMIT}
        )
    prefix = secrets.token_hex(6)
    text = f"{TOKEN_PREFIX}{prefix}.{secrets.token_urlsafe(32)}"
    token = SystemToken.objects.create(
        system=system,
        name=name,
        prefix=prefix,
        secret_hash=_token_hash(text),
        scopes=sorted(set(scopes)),
        rate_limit_per_minute=rate_limit_per_minute,
        created_at=now,
        created_by=actor,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="system_token.create",
        obj=token,
        payload={
            "system": system.code,
            "name": name,
            "prefix": prefix,
            "scopes": token.scopes,
            "expires_at": expires_at,
            "rate_limit_per_minute": rate_limit_per_minute,
        },
    )
    return token, text


@transaction.atomic
def token_revoke(*, actor: User | None, token: SystemToken) -> SystemToken:
    """Revoke a token at once: its next call is 401 ``token_revoked``."""
    _require_token_admin(actor)
    token = SystemToken.objects.select_for_update().select_related("system__service_account").get(pk=token.pk)
    require_power_over(actor, token.system.service_account)
    if token.revoked_at is not None:
        raise SystemInvalid(_("This token is already revoked."), code="token_already_revoked")
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="system_token.revoke",
        obj=token,
        payload={"system": token.system.code, "prefix": token.prefix},
    )
    return token


def token_authenticate(text: str) -> SystemToken:
    """The live token ``text`` names, with its system and service account; refuses an unknown, expired or revoked
    one with its own code, counts the call against the token's rate limit, and notes its use (once a minute)."""
    prefix = text[len(TOKEN_PREFIX) :].split(".", 1)[0] if text.startswith(TOKEN_PREFIX) else ""
    token = (
        SystemToken.objects.select_related("system__service_account").filter(prefix=prefix).first() if prefix else None
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _token_hash(text)):
        raise TokenInvalid(_("The token is not valid."))
    now = timezone.now()
    account = token.system.service_account
    if token.revoked_at is not None or not token.system.is_active or not account.is_active:
        raise TokenRevoked(_("The token has been revoked."))
    if token.expires_at <= now:
        raise TokenExpired(_("The token has expired: ask the centre for a new one."))
    _count_call(token, now)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        SystemToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _count_call(token: SystemToken, now: datetime.datetime) -> None:
    # A fixed window per minute in the shared cache: every process of the deployment counts in one place.
    seconds = int(now.timestamp())
    window = seconds // RATE_WINDOW_SECONDS
    if count_within(f"system-token-rate:{token.pk}:{window}", RATE_WINDOW_SECONDS) > token.rate_limit_per_minute:
        raise RateLimited(
            _("Too many requests with this token: try again in a minute."),
            retry_after=RATE_WINDOW_SECONDS - seconds % RATE_WINDOW_SECONDS,
        )


def token_require_scope(token: SystemToken, scope: str | None) -> None:
    """Refuse a call whose operation needs a scope the token lacks (or whose operation has no scope at all)."""
    if scope is None or scope not in token.scopes:
        raise TokenScopeMissing(
            _("This token may not call this operation: it lacks the scope “%(scope)s”.")
            % {"scope": TokenScope(scope).label if scope in TokenScope.values else scope or "—"}
        )
