"""Names that are data (a topic, a department's short name) in the reader's language.

Such a field keeps its Simplified Chinese text in ``<field>`` and, optionally, its Traditional Chinese and English
text in ``<field>_zh_hant`` and ``<field>_en``; a missing translation falls back to the Simplified text, so a row
entered in Chinese only is still shown. Messages of the code go through gettext instead (``locale/``).
"""

from __future__ import annotations

from django.utils.translation import get_language

# The active language's suffix of the translated columns; Simplified Chinese is the column itself.
SUFFIXES = {"zh-hant": "zh_hant", "en": "en"}


def localized(obj: object, field: str, language: str | None = None) -> str:
    """``obj.<field>`` in ``language`` (the active one by default), the Simplified text where it has none."""
    suffix = SUFFIXES.get((language or get_language() or "").lower())
    if suffix:
        translated = getattr(obj, f"{field}_{suffix}", "")
        if translated:
            return translated
    return getattr(obj, field)
