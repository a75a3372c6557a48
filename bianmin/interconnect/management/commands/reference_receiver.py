"""Play the upper-level platform: ``manage.py reference_receiver [--port 8765] [--secret S] [--store FILE]
[--fail-file FILE] [--fail]`` (see bianmin/interconnect/receiver.py). With the demo's settings it listens where the
demo reports and checks the demo's secret: ``.venv/bin/python manage.py reference_receiver --settings
bianmin.settings.demo``. Touch the fail file to make it answer 503, remove it to make it accept again."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bianmin.interconnect.receiver import ReceiverStore, ReferenceReceiver


class Command(BaseCommand):
    help = "Run the reference receiver of the upward report (the upper platform's stand-in) until interrupted."

    def add_arguments(self, parser):
        default_port = urlsplit(settings.INTERCONNECT_UPWARD_URL).port or 8765
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=default_port)
        parser.add_argument("--secret", default="", help="Default: INTERCONNECT_UPWARD_SECRET.")
        parser.add_argument("--store", default="", help="A JSON file keeping what was acknowledged across restarts.")
        parser.add_argument("--fail-file", default="", help="While this file exists, answer 503 to everything.")
        parser.add_argument("--fail", action="store_true", help="Answer 503 to everything (a receiver in trouble).")

    def handle(self, *args, **options):
        secret = options["secret"] or settings.INTERCONNECT_UPWARD_SECRET
        if not secret:
            raise CommandError("Give --secret, or set INTERCONNECT_UPWARD_SECRET.")
        receiver = ReferenceReceiver(
            secret=secret,
            host=options["host"],
            port=options["port"],
            store=ReceiverStore(path=Path(options["store"])) if options["store"] else None,
            fail_file=Path(options["fail_file"]) if options["fail_file"] else None,
        )
        receiver.failing = options["fail"]
        self.stdout.write(f"Reference receiver on {receiver.url} (POST /messages, POST /events, GET /reconciliation)")
        try:
            receiver.serve_forever()
        except KeyboardInterrupt:
            receiver.stop()
