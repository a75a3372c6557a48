from django.core.management.base import BaseCommand
from django.utils import timezone

from bianmin.demo.assessment import load_demo_assessment
from bianmin.demo.cases import load_demo_cases
from bianmin.demo.county import DEMO_PASSWORD
from bianmin.demo.duty import load_demo_duty
from bianmin.demo.inspection import INSPECTORS, load_demo_inspection
from bianmin.demo.loader import demo_accounts, load_demo
from bianmin.demo.messages import demo_messages_settle
from bianmin.demo.public_voice import load_demo_public_voice
from bianmin.demo.supervision import load_demo_supervision
from bianmin.demo.systems import load_demo_systems


class Command(BaseCommand):
    help = (
        "Load the demo county and its catalogue (idempotent: a second run changes nothing), a few weeks of demo "
        "cases when the county has none, and list the demo accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not print the demo accounts.")
        parser.add_argument("--without-cases", action="store_true", help="Do not create the demo cases.")

    def handle(self, *args, **options):
        written = load_demo()
        summary = ", ".join(f"{kind} {count}" for kind, count in written.items())
        self.stdout.write(f"Demo county loaded; records written: {summary}.")
        systems = load_demo_systems()
        self.stdout.write(f"Demo outside systems: {systems} registered (tokens: manage.py system_token create).")
        if not options["without_cases"]:
            started = timezone.now()
            created = load_demo_cases()
            self.stdout.write(f"Demo cases: {created} created." if created else "Demo cases: already there.")
            shifts = load_demo_duty()
            self.stdout.write(f"Demo duty roster: {shifts} shifts set.")
            voices = load_demo_public_voice()
            self.stdout.write(f"Demo public voice: {voices} ratings, complaints and work orders created.")
            orders = load_demo_supervision()
            self.stdout.write(f"Demo supervision: alert sweep done, {orders} supervision orders created.")
            runs = load_demo_assessment()
            self.stdout.write(f"Demo assessment: {runs} runs of the monthly window scheme computed.")
            inspected = load_demo_inspection()
            self.stdout.write(f"Demo inspection: {inspected} sites scored, ranked and published.")
            settled = demo_messages_settle(since=started)
            self.stdout.write(f"Demo messages: {settled} of the demo's past marked as sent, none is sent now.")
        if options["quiet_accounts"]:
            return
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, full_name, what in demo_accounts():
            self.stdout.write(f"  {username:<16} {full_name:<6} {what}")
        for username, full_name, group, body in INSPECTORS:
            self.stdout.write(f"  {username:<16} {full_name:<6} inspector ({group}, {body.label})")
        self.stdout.write("")
