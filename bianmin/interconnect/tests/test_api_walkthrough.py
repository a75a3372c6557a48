"""Issue 13's first proof: a script that knows only the OpenAPI document and a scoped system token takes a case from
intake to delivery and prints its notices (examples/api_walkthrough.py, run as its own process)."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from bianmin.cases.models import Case, Notice, Status
from bianmin.core.models import AuditEvent
from bianmin.demo.systems import load_demo_systems
from bianmin.org.models import ExternalSystem, TokenScope
from bianmin.org.tokens import token_create

SCRIPT = Path(__file__).resolve().parents[3] / "examples" / "api_walkthrough.py"


@pytest.fixture
def demo_county(committed_demo_cases):
    load_demo_systems()


def _token(*scopes: str) -> str:
    system = ExternalSystem.objects.get(code="sj-approval")
    _, secret = token_create(
        actor=None,
        system=system,
        name="接口示例",
        scopes=list(scopes),
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return secret


def _walk(url: str, token: str, out: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), "--url", url, "--token", token, "--item", "SJ-0004", "--site", "YX"]
    return subprocess.run([*command, "--out", str(out)], capture_output=True, text=True, timeout=300, check=False)


def test_a_script_with_only_the_document_and_a_token_takes_a_case_to_delivery(demo_county, fast_live_server, tmp_path):
    before = set(Case.objects.values_list("id", flat=True))
    token = _token(TokenScope.ORG_READ, TokenScope.CATALOG_READ, TokenScope.CASES_INTAKE, TokenScope.CASES_ACT,
                   TokenScope.CASES_READ)  # fmt: skip

    done = _walk(fast_live_server.url, token, tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    (case,) = Case.objects.exclude(id__in=before)
    assert case.status == Status.CLOSED and case.delivered_at is not None and case.item.code == "SJ-0004"
    notices = list(Notice.objects.filter(case=case).order_by("id"))
    assert notices and all("=== " in done.stdout and notice.number in done.stdout for notice in notices)
    assert sorted(path.name for path in tmp_path.glob("*.pdf")) == sorted(f"{notice.number}.pdf" for notice in notices)
    assert all(path.read_bytes().startswith(b"%PDF") for path in tmp_path.glob("*.pdf"))
    assert done.stdout.rstrip().endswith("Delivered.")
    # Every move the script made is attributed to the system and its token in the audit chain.
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.id))
    assert {event.actor.username for event in events} == {"system-sj-approval"}
    assert all(event.payload["via"]["system"] == "sj-approval" for event in events)


def test_without_the_scope_to_act_the_walk_stops_at_the_first_move_with_the_problem(
    demo_county, fast_live_server, tmp_path
):
    before = set(Case.objects.values_list("id", flat=True))
    token = _token(TokenScope.ORG_READ, TokenScope.CATALOG_READ, TokenScope.CASES_INTAKE, TokenScope.CASES_READ)

    done = _walk(fast_live_server.url, token, tmp_path)

    assert done.returncode == 1
    assert "token_scope_missing" in done.stderr
    (case,) = Case.objects.exclude(id__in=before)
    assert case.status == Status.RECEIVED
