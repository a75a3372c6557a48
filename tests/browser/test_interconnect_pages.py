"""The outbound queue in real Chromium: a county administrator finds a dead letter, opens it and sends it again."""

import datetime

import pytest
from django.utils import timezone

from bianmin.demo.county import DEMO_PASSWORD
from bianmin.interconnect.models import UPWARD, Delivery, DeliveryAttempt, Reconciliation

pytestmark = pytest.mark.browser


def test_a_dead_letter_is_found_and_sent_again(page, live_server, committed_county):
    now = timezone.now()
    for number in range(3):
        Delivery.objects.create(
            message_id=f"bianmin-7-{100 + number}-step",
            destination=UPWARD,
            message_type="case_step",
            code="08",
            day=now.date(),
            body={"message_id": f"bianmin-7-{100 + number}-step", "step_name": "材料审查"},
            state="acknowledged",
            attempts=1,
            created_at=now - datetime.timedelta(minutes=number),
        )
    dead = Delivery.objects.create(
        message_id="bianmin-7-200-result",
        destination=UPWARD,
        message_type="case_result",
        code="10",
        day=now.date(),
        body={"message_id": "bianmin-7-200-result", "result_type": "10"},
        state="dead",
        attempts=8,
        last_error="HTTP 503",
        created_at=now,
    )
    DeliveryAttempt.objects.create(delivery=dead, at=now, status_code=503, error="HTTP 503")
    Reconciliation.objects.create(
        day=now.date() - datetime.timedelta(days=1),
        ran_at=now,
        differences=[{"key": "case_result/10", "ours": {"count": 2}, "theirs": {"count": 1}}],
    )

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "centre_admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/workbench/")
    page.click('a[href="/workbench/interconnect/"]')
    page.select_option("#state", "dead")
    page.click(".queue-filters button[type=submit]")

    assert page.locator("tbody tr[data-delivery]").count() == 1
    page.screenshot(path="/tmp/shots/interconnect-queue.png", full_page=True)
    page.click(f'tr[data-delivery="{dead.pk}"] a')
    page.click("#resend")

    page.wait_for_url(f"{live_server.url}/workbench/interconnect/{dead.pk}/")
    dead.refresh_from_db()
    assert (dead.state, dead.attempts) == ("pending", 0)
    assert page.locator("#delivery-state").inner_text() == "待发送"
