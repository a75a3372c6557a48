"""`manage.py backup --output DIR`: a consistent, checksummed backup of the database and the uploaded files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from bianmin.core.backup import BackupError, backup_create


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked for, in the active language
        return _(
            "Back up the database and the uploaded files into a new directory, with a manifest of checksums; "
            "safe while the server runs."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help=_("A new or empty directory."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(options["output"])
        except BackupError as error:
            raise CommandError(str(error.message), returncode=1) from None
        self.stdout.write(
            _("Backup written to %(path)s: %(vendor)s database, audit chain head at event no. %(sequence)d.")
            % {
                "path": options["output"],
                "vendor": manifest["database_vendor"],
                "sequence": manifest["audit_head"]["sequence"],
            }
        )
