"""The feed's proof: a second process, reading only the HTTP feed with the city platform's token (a supervisor of the
county, with the scope to read the feed), rebuilds every case's
status of the demo county, stopped in the middle and resumed from its saved cursor while the platform keeps moving
cases (the worker's acceptance by law, an import), and equals the database exactly, each event seen once."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

from django.utils import timezone

from bianmin.accounts.models import User
from bianmin.cases.models import Case, Status
from bianmin.cases.services import cases_deem_accepted, cases_import
from bianmin.core.models import AuditEvent
from bianmin.core.testing import ID_NUMBER
from bianmin.demo.systems import load_demo_systems
from bianmin.org.models import ExternalSystem, TokenScope
from bianmin.org.tokens import token_create

CONSUMER = Path(__file__).with_name("feed_consumer.py")


def _token() -> str:
    load_demo_systems()
    _, token = token_create(
        actor=None,
        system=ExternalSystem.objects.get(code="city-platform"),
        name="变更流",
        scopes=[TokenScope.EVENTS_READ],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return token


def _consume(url: str, state: Path, token: str, *pages: str) -> str:
    command = [sys.executable, str(CONSUMER), url, str(state), "--token", token, "--limit", "40", *pages]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_second_process_rebuilds_every_status_from_the_feed(committed_demo_cases, fast_live_server, tmp_path):
    state = tmp_path / "consumer.json"
    token = _token()
    assert Case.objects.count() > 50 and not Case.objects.filter(status=Status.DRAFT).exists()

    assert _consume(fast_live_server.url, state, token, "--pages", "3").startswith("3 pages")
    stopped = json.loads(state.read_text())
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    assert 0 < int(stopped["cursor"]) < last  # stopped in the middle of the chain

    # While it is stopped, the platform goes on: the worker accepts by law, an administrator imports a case.
    deemed = cases_deem_accepted(now=timezone.now() + datetime.timedelta(days=30))
    row = {
        "original_number": "OLD-1",
        "item": "SF-0003",
        "site": "BS",
        "applicant_name": "张三",
        "applicant_id_number": ID_NUMBER,
        "applicant_phone": "13800000000",
        "received_on": f"{timezone.localdate():%Y-%m-%d}",
        "status": "received",
    }
    cases_import(actor=User.objects.get(username="centre_admin"), rows=[row], source="旧系统")
    _consume(fast_live_server.url, state, token)

    rebuilt = json.loads(state.read_text())
    assert deemed > 0
    assert rebuilt["statuses"] == {str(pk): status for pk, status in Case.objects.values_list("pk", "status")}
    case_events = list(
        AuditEvent.objects.filter(object_type__in=["cases.case", "licences.licence"])
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert rebuilt["seen"] == case_events  # every case and licence event once, in chain order
