"""`manage.py system_token create|list|revoke`: the outside systems' API tokens, for scripts and the demo.

- ``create SYSTEM --name NAME --scope cases.read [--scope …] [--days 90] [--rate 120]`` prints the token once, on
  its last line: it is stored only as a hash and cannot be shown again.
- ``list [SYSTEM]`` prints each token's prefix, system, scopes, expiry, last use and state (never a secret).
- ``revoke PREFIX`` revokes the token at once.

The same services as the administrators' pages (``org.tokens``), run as the operator on the server (actor None).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bianmin.core.errors import DomainError
from bianmin.org.models import ExternalSystem, SystemToken, TokenScope
from bianmin.org.tokens import DEFAULT_RATE_LIMIT, token_create, token_revoke


class Command(BaseCommand):
    help = "System tokens: create (prints the token once), list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token for a system and print it once.")
        create.add_argument("system", help="The system's code.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument(
            "--scope", action="append", required=True, choices=TokenScope.values, help="An operation scope (repeat)."
        )
        create.add_argument("--days", type=int, default=90, help="Days until it expires (at most 366).")
        create.add_argument("--rate", type=int, default=DEFAULT_RATE_LIMIT, help="Requests a minute.")
        listing = actions.add_parser("list", help="List the tokens (never their secrets).")
        listing.add_argument("system", nargs="?", help="Only this system's tokens.")
        revoke = actions.add_parser("revoke", help="Revoke a token.")
        revoke.add_argument("prefix", help="The token's public prefix.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from error

    def _create(self, options: dict) -> None:
        system = ExternalSystem.objects.filter(code=options["system"]).first()
        if system is None:
            raise CommandError(f"No system with the code {options['system']!r}.")
        token, text = token_create(
            actor=None,
            system=system,
            name=options["name"],
            scopes=options["scope"],
            expires_at=timezone.now() + datetime.timedelta(days=options["days"]),
            rate_limit_per_minute=options["rate"],
        )
        self.stdout.write(f"{system.code} {token.prefix} expires {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}")
        self.stdout.write("The token (shown once, store it now):")
        self.stdout.write(text)

    def _list(self, options: dict) -> None:
        tokens = SystemToken.objects.select_related("system").order_by("system__code", "-created_at", "-pk")
        if options["system"]:
            tokens = tokens.filter(system__code=options["system"])
        now = timezone.now()
        for token in tokens:
            last_used = f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "-"
            self.stdout.write(
                f"{token.prefix}  {token.system.code}  {','.join(token.scopes)}  "
                f"{timezone.localtime(token.expires_at):%Y-%m-%d}  {last_used}  {token.state(now)}"
            )

    def _revoke(self, options: dict) -> None:
        token = SystemToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"No token with the prefix {options['prefix']!r}.")
        token_revoke(actor=None, token=token)
        self.stdout.write(f"Revoked {token.prefix}.")
