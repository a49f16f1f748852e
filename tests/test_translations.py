"""Japanese and English catalogues are committed and complete, and translations keep every
placeholder of their source (a lost %(email)s would break or mislead a message)."""

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_catalogue_is_complete(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(catalogue) > 100
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], untranslated[:10]
    assert fuzzy == [], fuzzy[:10]


def test_japanese_keeps_every_placeholder():
    catalogue = polib.pofile(str(LOCALE / "ja" / "LC_MESSAGES" / "django.po"))
    broken = []
    for entry in catalogue:
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        wanted = sorted(set(PLACEHOLDER.findall(entry.msgid)))
        for text in translations:
            if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                broken.append(entry.msgid)
    assert broken == []


def test_tlp_labels_are_never_translated():
    catalogue = polib.pofile(str(LOCALE / "ja" / "LC_MESSAGES" / "django.po"))
    for entry in catalogue:
        for label in re.findall(r"TLP:[A-Z+]+", entry.msgid):
            assert label in entry.msgstr or entry.msgid_plural, entry.msgid


def test_english_shows_its_own_source_text():
    """English is the source language: a fuzzy match left by msgmerge would show another
    message's words (a CSV header read "time zone" instead of "time")."""
    catalogue = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    wrong = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and not entry.msgid_plural and entry.msgstr != entry.msgid
    ]
    assert wrong == []
