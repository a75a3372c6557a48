"""What the feed's cursor rests on (feed.py): on PostgreSQL a second writer of the audit chain waits for the first one's
commit on the head's row lock, so a larger sequence never commits before a smaller one, and the committed head a page
reads first never counts an event still being written. (SQLite serialises every writer on one file lock: nothing to
race there.)"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from bianmin.core.audit import audit_record
from bianmin.core.models import AuditEvent
from bianmin.core.testing import user
from bianmin.interconnect.feed import feed_page


@pytest.mark.django_db(transaction=True)
def test_a_later_sequence_never_commits_before_an_earlier_one(county_organisation):
    if connection.vendor != "postgresql":
        pytest.skip("Racing transactions need PostgreSQL row locks; SQLite serialises every writer on one file lock.")
    before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    appended, release, second_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                audit_record(actor=None, action="test.first", object_type="cases.case", object_id="1")
                appended.set()
                release.wait(timeout=30)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            appended.wait(timeout=30)
            with transaction.atomic():
                audit_record(actor=None, action="test.second", object_type="cases.case", object_id="2")
            second_done.set()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert appended.wait(timeout=30)
    time.sleep(0.5)

    # The first writer's event is written, not committed: the second waits on the head's lock, and the feed's page
    # (which reads the committed head first) ends where it was.
    assert not second_done.is_set()
    assert feed_page(user("supervisor"), after=before, limit=100).next_cursor == before

    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert list(AuditEvent.objects.filter(sequence__gt=before).values_list("sequence", "action")) == [
        (before + 1, "test.first"),
        (before + 2, "test.second"),
    ]
