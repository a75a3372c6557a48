"""The helpers of the long lists' rows written in Python."""

from __future__ import annotations

from bianmin.core.html import table_rows


def test_the_rows_are_joined_as_written_and_no_rows_is_one_escaped_row_across_the_columns():
    assert table_rows(['<tr data-a="1"></tr>', '<tr data-a="2"></tr>'], empty="x", columns=6) == (
        '<tr data-a="1"></tr><tr data-a="2"></tr>'
    )
    assert table_rows([], empty="没有<待办>", columns=10) == '<tr><td colspan="10">没有&lt;待办&gt;</td></tr>'
