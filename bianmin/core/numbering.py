"""Gap-free numbering: tracking numbers per site and day, notice, certificate, receipt and order numbers per year."""

from django.db.models import F

from bianmin.core.models import Counter


def counter_next(key: str) -> int:
    """The next value of a gap-free counter, under a row lock."""
    counter, _created = Counter.objects.select_for_update().get_or_create(key=key)
    counter.value = F("value") + 1
    counter.save(update_fields=["value"])
    counter.refresh_from_db(fields=["value"])
    return counter.value
