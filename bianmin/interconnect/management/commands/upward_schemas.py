"""Write the JSON Schema of every upward message type (for the upper platform): ``manage.py upward_schemas --output
docs/upward-schemas.json``; a test compares the committed file with the schemas."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from bianmin.interconnect.schemas import MESSAGE_TYPES, message_json_schema


def upward_schemas_text() -> str:
    schemas = {message_type: message_json_schema(message_type) for message_type in MESSAGE_TYPES}
    return json.dumps(schemas, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the JSON Schemas of the upward report's message types."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="", help="A file to write (default: standard output).")

    def handle(self, *args, **options):
        text = upward_schemas_text()
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
