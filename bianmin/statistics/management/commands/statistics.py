"""`manage.py statistics rebuild [--from DATE] [--to DATE]` recomputes the dashboard's figures for every day in
the range (default: from the first receipt to today), a month per transaction; `manage.py statistics refresh`
runs the worker's periodic refresh once."""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bianmin.statistics.figures import figures_rebuild, figures_refresh


def _date(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"{raw!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Rebuild or refresh the statistics' daily and monthly figures."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        rebuild = subcommands.add_parser("rebuild", help="Recompute every day in a range.")
        rebuild.add_argument("--from", dest="first", type=_date, default=None)
        rebuild.add_argument("--to", dest="last", type=_date, default=None)
        subcommands.add_parser("refresh", help="Run the periodic refresh once.")

    def handle(self, *args, action: str, first=None, last=None, **options) -> None:
        started = time.perf_counter()
        if action == "rebuild":
            if first and last and first > last:
                raise CommandError("--from is after --to.")
            result = figures_rebuild(first=first, last=last)
        else:
            result = figures_refresh()
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{key} {value}" for key, value in result.items())
        self.stdout.write(f"{action}: {summary} in {elapsed:.1f} s")
