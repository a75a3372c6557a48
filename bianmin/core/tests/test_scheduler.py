import io

import pytest
from django.core.management import call_command

from bianmin.core.models import OutboundMessage


@pytest.mark.django_db
def test_scheduler_once_queues_every_periodic_task(settings):
    # The test settings run tasks immediately, so queueing runs them: every periodic task must work.
    OutboundMessage.objects.create(channel="sms", recipient="13800000000", body="测试")
    out = io.StringIO()

    call_command("scheduler", "--once", stdout=out)

    assert out.getvalue().splitlines() == [f"queued {path}" for path, _seconds in settings.PERIODIC_TASKS]
    assert OutboundMessage.objects.get().sent_at is not None
