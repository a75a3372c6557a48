"""What the assessment tests share: a scheme made through the services, and a run computed by the worker."""

from __future__ import annotations

import datetime

import pytest

from bianmin.assessment.models import AssessmentRun
from bianmin.assessment.services import run_start, scheme_activate, scheme_create, scheme_item_add
from bianmin.core.testing import at, user

MARCH = datetime.date(2026, 3, 1)
APRIL_FIRST = at(2026, 4, 1)


@pytest.fixture
def make_scheme():
    def make(items, **fields):
        admin = user("centre_admin")
        options = {"name": "窗口月度考核", "subject_kind": "window", "period_kind": "month"} | fields
        scheme = scheme_create(actor=admin, now=APRIL_FIRST, **options)
        for position, item in enumerate(items):
            scheme_item_add(actor=admin, scheme=scheme, position=position, **item)
        return scheme_activate(actor=admin, scheme=scheme)

    return make


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    def run(scheme, period_start=MARCH, now=APRIL_FIRST) -> AssessmentRun:
        with django_capture_on_commit_callbacks(execute=True):
            started = run_start(actor=user("centre_admin"), scheme=scheme, period_start=period_start, now=now)
        started.refresh_from_db()
        return started

    return run
