"""Gap-free counters (core/numbering.py): one per key, from 1, and a rolled-back move gives its number back."""

from __future__ import annotations

import pytest
from django.db import transaction

from bianmin.core.models import Counter
from bianmin.core.numbering import counter_next

pytestmark = pytest.mark.django_db


def test_each_key_counts_from_one_on_its_own():
    assert [counter_next("track:YX:20261012") for _ in range(3)] == [1, 2, 3]
    assert counter_next("track:BS:20261012") == 1
    assert counter_next("track:YX:20261012") == 4
    assert dict(Counter.objects.filter(key__startswith="track:").values_list("key", "value")) == {
        "track:YX:20261012": 4,
        "track:BS:20261012": 1,
    }


def test_a_number_taken_in_a_rolled_back_transaction_is_given_again():
    assert counter_next("notice:2026") == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert counter_next("notice:2026") == 2
        assert counter_next("order:2026") == 1
        raise RuntimeError("the move fails after numbering")

    assert counter_next("notice:2026") == 2
    assert counter_next("order:2026") == 1
