"""`manage.py ratings_default [--days N]`: give every case closed at least N natural days ago and never rated its
default rating (基本满意, counted apart), as the daily task does; N defaults to RATINGS_DEFAULT_AFTER_DAYS (0: off)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bianmin.ratings.services import ratings_default_apply


class Command(BaseCommand):
    help = "Ratings: make the default ratings of cases not rated within the county's number of days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="Natural days after closing (default: the setting).")

    def handle(self, *args: Any, **options: Any) -> None:
        made = ratings_default_apply(days=options["days"])
        self.stdout.write(f"{made}")
