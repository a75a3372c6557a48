"""`manage.py supervision sweep [--today YYYY-MM-DD] [--full]`: run the alert sweep now and print its counts.

``--today`` sweeps as if it were that Beijing-time date (at the current time of day), for checks and demos;
``--full`` makes the event rules look at every case at once, instead of the changed cases and the rolling review's
share (each case once a day, spread over the day's sweeps).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.supervision.rules import RULES, SHANGHAI
from bianmin.supervision.sweep import sweep


def _date(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": raw}) from None


class Command(BaseCommand):
    help = "Electronic supervision: run the alert sweep now."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        run = commands.add_parser("sweep", help="Raise and close alerts now and print the counts per rule.")
        run.add_argument("--today", type=_date, help="Sweep as of this date (YYYY-MM-DD, Beijing time).")
        run.add_argument("--full", action="store_true", help="Let the event rules look at every case.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["today"]:
            local = timezone.localtime(now, SHANGHAI)
            now = datetime.datetime.combine(options["today"], local.time(), tzinfo=SHANGHAI)
        result = sweep(now=now, full=True if options["full"] else None)
        for code, rule in RULES.items():
            if code in result.raised:
                self.stdout.write(
                    f"{code:30} {rule.name}: "
                    + _("%(raised)d raised, %(closed)d closed")
                    % {"raised": result.raised[code], "closed": result.closed.get(code, 0)}
                )
        self.stdout.write(
            _("%(raised)d alerts raised, %(closed)d closed, %(notified)d inbox messages, %(ms)d ms (%(kind)s sweep).")
            % {
                "raised": result.total_raised,
                "closed": result.total_closed,
                "notified": result.notified,
                "ms": result.duration_ms,
                "kind": _("full") if result.is_full else _("incremental"),
            }
        )
