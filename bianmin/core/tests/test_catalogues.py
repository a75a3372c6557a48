"""The Chinese catalogues are complete and the committed .mo files are compiled from the current .po files."""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

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


# The keywords Django's makemessages gives xgettext for Python (django/core/management/commands/makemessages.py).
PYTHON_KEYWORDS = [
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "npgettext:1c,2,3",
    "pgettext_lazy:1c,2",
    "npgettext_lazy:1c,2,3",
]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext (Debian: gettext)")
def test_every_message_of_the_code_and_the_templates_is_in_the_catalogue(tmp_path):
    """A message written into the code or a template after the last ``make messages`` is shown in English to
    everyone: the catalogues above are complete only in what they hold. Extracted as makemessages does (templates
    turned into Python by Django's ``templatize``, then xgettext)."""
    root = Path(settings.BASE_DIR) / "bianmin"
    skipped = {"tests", "migrations", "__pycache__"}
    sources = [path for path in sorted(root.rglob("*.py")) if not skipped & set(path.relative_to(root).parts)]
    for number, template in enumerate(sorted(root.rglob("templates/**/*.html"))):
        converted = tmp_path / f"template_{number}.py"
        converted.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)), encoding="utf-8")
        sources.append(converted)
    extracted = tmp_path / "code.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            *(f"--keyword={keyword}" for keyword in PYTHON_KEYWORDS),
            "--output",
            str(extracted),
            *map(str, sources),
        ],
        check=True,
    )
    wanted = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(extracted)) if entry.msgid}
    catalogue = {
        (entry.msgctxt, entry.msgid)
        for entry in polib.pofile(str(LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        if not entry.obsolete
    }

    assert len(wanted) > 2000
    assert sorted(wanted - catalogue, key=str) == [], "run `make messages`, translate and commit"
