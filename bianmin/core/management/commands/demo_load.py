from django.core.management.base import BaseCommand

from bianmin.demo.county import DEMO_PASSWORD
from bianmin.demo.loader import demo_accounts, load_demo


class Command(BaseCommand):
    help = "Load the demo county (idempotent: a second run changes nothing) and list the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not print the demo accounts.")

    def handle(self, *args, **options):
        written = load_demo()
        summary = ", ".join(f"{kind} {count}" for kind, count in written.items())
        self.stdout.write(f"Demo county loaded; records written: {summary}.")
        if options["quiet_accounts"]:
            return
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, full_name, what in demo_accounts():
            self.stdout.write(f"  {username:<16} {full_name:<6} {what}")
        self.stdout.write("")
