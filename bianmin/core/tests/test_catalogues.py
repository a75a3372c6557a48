"""The Chinese catalogues are complete and the committed .mo files are compiled from the current .po files."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])


def _entries(catalogue) -> dict[tuple[str | None, str], str]:
    return {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0, "")
        for entry in catalogue
        if entry.msgid
    }


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_message_is_translated(locale):
    catalogue = polib.pofile(str(LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"))

    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_compiled_catalogue_matches_its_source(locale):
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    source = polib.pofile(str(folder / "django.po"))
    compiled = polib.mofile(str(folder / "django.mo"))

    translated = _entries(entry for entry in source.translated_entries())
    assert _entries(compiled) == translated, "run `make messages` and commit the .mo files"
