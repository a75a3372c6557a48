"""`manage.py workdays add|between|seed|import|confirm`: working-day arithmetic and the calendar's upkeep.

    manage.py workdays add 2026-09-30 5              -> 2026-10-13
    manage.py workdays between 2026-09-30 2026-10-13 -> 5
    manage.py workdays seed
    manage.py workdays import notice-2027.csv --year 2027 [--user USERNAME]
    manage.py workdays confirm 2027 [--user USERNAME]

A result that depends on a provisional year is printed all the same, with a warning on stderr.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.core import workdays
from bianmin.core.errors import DomainError

CHANNEL = "manage.py"


def _date(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": raw}) from None


def _whole_number(raw: str) -> int:
    if not raw.isdigit():
        raise CommandError(_("“%(value)s” is not a whole number of working days.") % {"value": raw})
    return int(raw)


class Command(BaseCommand):
    help = gettext_lazy("Working-day arithmetic (ALL art. 82) and the upkeep of the working-day calendar.")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # argparse wraps the description with a regular expression, which needs a real string.
        parser.description = str(self.help)
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        add = subcommands.add_parser("add", help=gettext_lazy("Print the date N working days after a date."))
        add.add_argument("start", help=gettext_lazy("The start date, YYYY-MM-DD (not counted)."))
        add.add_argument("days", help=gettext_lazy("How many working days."))
        between = subcommands.add_parser(
            "between", help=gettext_lazy("Print the number of working days between two dates.")
        )
        between.add_argument("start", help=gettext_lazy("The start date, YYYY-MM-DD (not counted)."))
        between.add_argument("end", help=gettext_lazy("The end date, YYYY-MM-DD (counted)."))
        subcommands.add_parser(
            "seed", help=gettext_lazy("Load the holiday package's years and provisional years ahead.")
        )
        load = subcommands.add_parser(
            "import", help=gettext_lazy("Import a year from the State Council notice (CSV or .xlsx).")
        )
        load.add_argument("file", help=gettext_lazy("The CSV or .xlsx file."))
        load.add_argument("--year", type=int, required=True, help=gettext_lazy("The year the file covers."))
        load.add_argument("--user", help=gettext_lazy("The administrator's username, for the audit log."))
        confirm = subcommands.add_parser("confirm", help=gettext_lazy("Confirm a provisional year as it is."))
        confirm.add_argument("year", type=int, help=gettext_lazy("The year to confirm."))
        confirm.add_argument("--user", help=gettext_lazy("The administrator's username, for the audit log."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = {
            "add": self._add,
            "between": self._between,
            "seed": self._seed,
            "import": self._import,
            "confirm": self._confirm,
        }[options["subcommand"]]
        try:
            action(options)
        except workdays.CalendarImportError as exc:
            raise CommandError("\n".join([exc.summary, *exc.errors])) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _warn_if_provisional(self, start: datetime.date, end: datetime.date) -> None:
        years = workdays.provisional_years_in(start, end)
        if years:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "Warning: the calendar for %(years)s is provisional (weekends and fixed-date "
                        "holidays only); the result may change when the State Council notice is imported."
                    )
                    % {"years": ", ".join(str(year) for year in years)}
                )
            )

    def _add(self, options: dict[str, Any]) -> None:
        start, days = _date(options["start"]), _whole_number(options["days"])
        deadline = workdays.add_workdays(start, days)
        self.stdout.write(deadline.date.isoformat())
        if deadline.is_provisional:
            self._warn_if_provisional(start - datetime.timedelta(days=1), deadline.date)

    def _between(self, options: dict[str, Any]) -> None:
        start, end = _date(options["start"]), _date(options["end"])
        self.stdout.write(str(workdays.workdays_between(start, end)))
        self._warn_if_provisional(start, end)

    def _seed(self, options: dict[str, Any]) -> None:
        counts = workdays.calendar_seed()
        self.stdout.write(
            _(
                "Calendar seeded: %(package_years)d years from the holiday package, %(provisional_years)d "
                "provisional years, %(kept_years)d years kept as imported or edited; %(days_created)d days "
                "created, %(days_changed)d days changed, %(ordinals_changed)d ordinals updated."
            )
            % counts
        )

    def _actor(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": username})
        return user

    def _import(self, options: dict[str, Any]) -> None:
        actor = self._actor(options["user"])
        try:
            rows = workdays.parse_calendar_file(options["file"], year=options["year"])
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": options["file"], "reason": exc.strerror}
            ) from exc
        year = workdays.calendar_import(year=options["year"], rows=rows, actor=actor, channel=CHANNEL)
        self.stdout.write(
            _("Imported %(count)d holidays and make-up working days; the calendar for %(year)d is confirmed.")
            % {"count": len(rows), "year": year.year}
        )

    def _confirm(self, options: dict[str, Any]) -> None:
        actor = self._actor(options["user"])
        year = workdays.calendar_year_confirm(year=options["year"], actor=actor, channel=CHANNEL)
        self.stdout.write(_("The calendar for %(year)d is confirmed.") % {"year": year.year})
