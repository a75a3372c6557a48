import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from bianmin.cases.tasks import purge_abandoned_drafts


def test_abandoned_draft_uploads_are_purged_after_their_session_could_have_expired():
    # The in-memory test storage is shared by the process: clear what other tests left behind first.
    purge_abandoned_drafts.call((timezone.now() + datetime.timedelta(days=365)).isoformat())
    path = default_storage.save("cases/drafts/abc123/1-licence.pdf", ContentFile(b"%PDF"))

    assert purge_abandoned_drafts.call((timezone.now() + datetime.timedelta(days=14)).isoformat()) == 0
    assert default_storage.exists(path)
    assert purge_abandoned_drafts.call((timezone.now() + datetime.timedelta(days=16)).isoformat()) == 1
    assert not default_storage.exists(path)
