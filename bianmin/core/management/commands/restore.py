"""`manage.py restore --input DIR`: check a backup's checksums, restore it into an empty database and MEDIA_ROOT,
then verify the audit chain (with the checkpoints kept apart from the backup) and report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from bianmin.core.audit import verify_chain
from bianmin.core.backup import BackupError, backup_restore
from bianmin.core.management.commands.audit import _failure_message


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked for, in the active language
        return _(
            "Restore a backup made by `manage.py backup` into an empty database and MEDIA_ROOT, then verify the "
            "audit chain."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path, help=_("The backup's directory."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(options["input"])
        except BackupError as error:
            raise CommandError(str(error.message), returncode=1) from None
        self.stdout.write(
            _("Restored the backup of %(created_at)s into the %(vendor)s database.")
            % {"created_at": manifest["created_at"], "vendor": connection.vendor}
        )
        result = verify_chain()
        expected = manifest["audit_head"]
        if not result.ok:
            raise CommandError(
                _("The data was restored, but the audit chain does not verify: %(failure)s")
                % {"failure": _failure_message(result)},
                returncode=1,
            )
        if result.count != expected["sequence"]:
            raise CommandError(
                _("The data was restored, but the audit chain has %(count)d events where the backup recorded %(head)d.")
                % {"count": result.count, "head": expected["sequence"]},
                returncode=1,
            )
        self.stdout.write(
            _("Audit chain intact: %(count)d events, %(checkpoints)d checkpoints valid.")
            % {"count": result.count, "checkpoints": result.checkpoints}
        )
