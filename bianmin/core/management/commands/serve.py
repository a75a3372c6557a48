import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site on 127.0.0.1 together with the background task worker; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, **options):
        manage = [sys.executable, "manage.py"]
        worker = subprocess.Popen([*manage, "db_worker", "--queue-name", "default", "--no-reload"])
        scheduler = subprocess.Popen([*manage, "scheduler"], stdout=subprocess.DEVNULL)
        address = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Serving http://{address}/ with the background worker (pid {worker.pid}).")
        server = subprocess.Popen([*manage, "runserver", address, "--noreload"])
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGINT)
        finally:
            worker.send_signal(signal.SIGTERM)
            scheduler.send_signal(signal.SIGTERM)
            for process in (server, worker, scheduler):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
