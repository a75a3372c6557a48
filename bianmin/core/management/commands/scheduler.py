import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Queue the periodic tasks (settings.PERIODIC_TASKS) for the worker, each at its interval."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Queue every periodic task once and stop.")

    def handle(self, *args, **options):
        schedule = [(import_string(path), seconds) for path, seconds in settings.PERIODIC_TASKS]
        next_run = [0.0] * len(schedule)
        while True:
            now = time.monotonic()
            for index, (periodic, seconds) in enumerate(schedule):
                if now >= next_run[index]:
                    periodic.enqueue()
                    next_run[index] = now + seconds
                    self.stdout.write(f"queued {periodic.module_path}")
            if options["once"]:
                return
            time.sleep(max(1.0, min(next_run) - time.monotonic()))
