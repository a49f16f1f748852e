"""The TLP badge: FIRST's label, never translated, on black; the handling rule translated."""

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.html import escape

from apps.sharing.tlp import TLP

BADGE = Template("{% load tlp %}{% tlp_badge value %}")
WITH_RULE = Template("{% load tlp %}{% tlp_badge value handling=True %}")


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("label", list(TLP))
def test_badge_shows_the_untranslated_label_in_every_language(label, language):
    with translation.override(language):
        html = BADGE.render(Context({"value": label.value}))
        assert f">{label.label}</span>" in html
        assert f'title="{escape(label.handling)}"' in html


def test_badge_uses_first_colour_classes():
    assert 'class="tlp tlp-amber-strict"' in BADGE.render(Context({"value": "AMBER+STRICT"}))
    assert 'class="tlp tlp-red"' in BADGE.render(Context({"value": TLP.RED}))


def test_handling_rule_is_translated_but_label_is_not():
    with translation.override("en"):
        english = WITH_RULE.render(Context({"value": "AMBER+STRICT"}))
    with translation.override("ja"):
        japanese = WITH_RULE.render(Context({"value": "AMBER+STRICT"}))
    assert "TLP:AMBER+STRICT</span>" in english
    assert "TLP:AMBER+STRICT</span>" in japanese
    assert english != japanese  # the rule beside it speaks the reader's language
    assert "Organisation only" in english


def test_badge_reads_tlp_1_white_as_clear_and_ignores_garbage():
    assert "TLP:CLEAR" in BADGE.render(Context({"value": "WHITE"}))
    assert BADGE.render(Context({"value": "PURPLE"})) == ""
    assert BADGE.render(Context({"value": ""})) == ""
