"""`manage.py audit verify` checks the audit chain and its checkpoints, then signs a new checkpoint;
`manage.py audit checkpoint` signs one; `manage.py audit tail [-n N]` prints the chain's last events."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core.audit import (
    Checkpoint,
    CheckpointRefused,
    VerifyResult,
    audit_checkpoint_write,
    verify_and_checkpoint,
)
from bianmin.core.models import AuditEvent


def _failure_message(result: VerifyResult) -> str:
    if result.first_bad_sequence is None:
        return _("Audit chain broken: %(reason)s") % {"reason": result.reason}
    if result.first_bad_id is None:
        return _("Audit chain broken at sequence %(sequence)d: %(reason)s") % {
            "sequence": result.first_bad_sequence,
            "reason": result.reason,
        }
    return _("Audit chain broken at event #%(sequence)d (id %(id)d): %(reason)s") % {
        "sequence": result.first_bad_sequence,
        "id": result.first_bad_id,
        "reason": result.reason,
    }


def _event_line(event: AuditEvent) -> str:
    occurred_at = timezone.localtime(event.occurred_at).isoformat(timespec="seconds")
    payload = json.dumps(event.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        f"#{event.sequence} {occurred_at} {event.actor_label} {event.action} "
        f"{event.object_type}:{event.object_id} {payload}"
    )


def _positive_int(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(_("%(value)s is not a positive whole number.") % {"value": raw})
    return int(raw)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked for, in the active language
        return _("Verify the hash-chained audit log and its checkpoints, sign a checkpoint, or print its last events.")

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser(
            "verify",
            help=_("Check every event, the chain head and every checkpoint (exit 1 when broken), then sign one."),
        )
        subcommands.add_parser(
            "checkpoint", help=_("Sign the chain's last event and append it to the checkpoint file.")
        )
        tail = subcommands.add_parser("tail", help=_("Print the last events, one line each, oldest first."))
        tail.add_argument("-n", dest="count", type=_positive_int, default=20, help=_("How many events."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify()
        elif options["subcommand"] == "checkpoint":
            self._checkpoint()
        else:
            self._tail(options["count"])

    def _verify(self) -> None:
        result, _verification, checkpoint = verify_and_checkpoint()
        if not result.ok:
            raise CommandError(_failure_message(result), returncode=1)
        self.stdout.write(_("Audit chain intact: %(count)d events.") % {"count": result.count})
        self.stdout.write(_("Checkpoints valid: %(count)d.") % {"count": result.checkpoints})
        self._report_checkpoint(checkpoint)

    def _checkpoint(self) -> None:
        try:
            checkpoint = audit_checkpoint_write()
        except CheckpointRefused as refused:
            raise CommandError(_failure_message(refused.result), returncode=1) from None
        self._report_checkpoint(checkpoint)

    def _report_checkpoint(self, checkpoint: Checkpoint | None) -> None:
        if checkpoint is None:
            self.stdout.write(_("No new events since the last checkpoint."))
        else:
            self.stdout.write(_("Checkpoint signed at event no. %(sequence)d.") % {"sequence": checkpoint.sequence})

    def _tail(self, count: int) -> None:
        events = list(AuditEvent.objects.order_by("-sequence")[:count])
        for event in reversed(events):
            self.stdout.write(_event_line(event))
