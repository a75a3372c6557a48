"""Refresh the message catalogues: extract, derive Traditional Chinese, compile.

Simplified Chinese and English are written by people. Traditional Chinese is converted from the
Simplified Chinese translation with OpenCC wherever no person has translated (or corrected) an entry;
an entry edited by hand loses its ``#, opencc`` flag and is never overwritten again.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

LOCALES = ["zh_Hans", "zh_Hant", "en"]
OPENCC_FLAG = "opencc"


def derive_traditional(simplified: Path, traditional: Path) -> int:
    from opencc import OpenCC

    converter = OpenCC("s2t")
    # Keyed by context too: the same English word can have different Chinese words in different contexts.
    source = {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(simplified))}
    target = polib.pofile(str(traditional))
    converted = 0
    for entry in target:
        origin = source.get((entry.msgctxt, entry.msgid))
        if origin is None or not origin.translated():
            continue
        if entry.msgstr and OPENCC_FLAG not in entry.flags and "fuzzy" not in entry.flags:
            continue  # a person's translation
        if origin.msgid_plural:
            entry.msgstr_plural = {k: converter.convert(v) for k, v in origin.msgstr_plural.items()}
        else:
            entry.msgstr = converter.convert(origin.msgstr)
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
        if OPENCC_FLAG not in entry.flags:
            entry.flags.append(OPENCC_FLAG)
        converted += 1
    target.save()
    return converted


class Command(BaseCommand):
    help = "Extract messages, derive zh_Hant from zh_Hans with OpenCC, and compile the catalogues."

    def handle(self, *args, **options):
        call_command(
            "makemessages",
            locale=LOCALES,
            ignore_patterns=[".venv/*", "var/*", "tests/*"],
            no_obsolete=True,
            verbosity=0,
        )
        locale_dir = Path(settings.LOCALE_PATHS[0])
        converted = derive_traditional(
            locale_dir / "zh_Hans/LC_MESSAGES/django.po", locale_dir / "zh_Hant/LC_MESSAGES/django.po"
        )
        call_command("compilemessages", locale=LOCALES, verbosity=0)
        untranslated = len(polib.pofile(str(locale_dir / "zh_Hans/LC_MESSAGES/django.po")).untranslated_entries())
        self.stdout.write(f"zh_Hant entries converted: {converted}; zh_Hans entries still untranslated: {untranslated}")
