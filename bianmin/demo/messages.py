"""The demo's text messages: its cases, complaints and ratings are made weeks in the past through the real services,
which write every message they would send to the outbox. Sent when the demo starts, they were ~160 SMS of old cases
to made-up phones printed at once; they belong to the history the demo pretends, so they count as sent when written.
"""

import datetime

from django.db.models import F

from bianmin.core.models import OutboundMessage


def demo_messages_settle(*, since: datetime.datetime) -> int:
    """Marks the messages the demo loader wrote since ``since`` as sent when they were written; returns how many.

    Only the loader calls it, on what it wrote itself: a message of a case made after the load (a person trying the
    demo) is sent as in production."""
    written = OutboundMessage.objects.filter(created_at__gte=since, sent_at__isnull=True, claimed_at__isnull=True)
    return written.update(sent_at=F("created_at"))
