"""``manage.py cases_import FILE --source NAME --user USERNAME``: import a CSV or .xlsx of cases accepted in another
system, all or nothing, as that centre administrator (the same service as the page and the API)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bianmin.accounts.models import User
from bianmin.cases.services import CaseImportRefused
from bianmin.core.errors import DomainError
from bianmin.interconnect.imports import cases_import_file


class Command(BaseCommand):
    help = "Import cases accepted in another system from a CSV or .xlsx file: every row, or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="The original system's name, kept on every case.")
        parser.add_argument("--user", required=True, help="The centre administrator importing them.")

    def handle(self, *args, file: Path, source: str, user: str, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user!r}.")
        try:
            cases = cases_import_file(actor=actor, filename=file.name, data=file.read_bytes(), source=source)
        except CaseImportRefused as refused:
            raise CommandError("\n".join(str(problem) for problem in refused.problems)) from None
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        for case in cases:
            self.stdout.write(f"{case.original_number}\t{case.tracking_number}\t{case.status}")
        self.stdout.write(f"{len(cases)} cases imported.")
