import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.sharing.tlp import TLP, parse_tlp


def test_labels_are_written_the_same_in_every_language():
    for language in ("ja", "en"):
        with translation.override(language):
            assert [str(label.label) for label in TLP] == [
                "TLP:CLEAR",
                "TLP:GREEN",
                "TLP:AMBER",
                "TLP:AMBER+STRICT",
                "TLP:RED",
            ]


def test_handling_rules_are_translated_beside_the_label():
    with translation.override("en"):
        assert "organisation" in TLP.AMBER_STRICT.handling.lower()
        assert all(label.handling for label in TLP)


def test_labels_are_ordered_by_restrictiveness():
    assert sorted(TLP, key=lambda label: label.rank) == [
        TLP.CLEAR,
        TLP.GREEN,
        TLP.AMBER,
        TLP.AMBER_STRICT,
        TLP.RED,
    ]


def test_badges_use_first_colours():
    assert TLP.RED.colour == "#FF2B2B"
    assert TLP.AMBER.colour == TLP.AMBER_STRICT.colour == "#FFC000"
    assert TLP.GREEN.colour == "#33FF00"
    assert TLP.CLEAR.colour == "#FFFFFF"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("TLP:AMBER+STRICT", TLP.AMBER_STRICT),
        ("amber+strict", TLP.AMBER_STRICT),
        ("TLP: red", TLP.RED),
        ("GREEN", TLP.GREEN),
        ("TLP:WHITE", TLP.CLEAR),
        ("white", TLP.CLEAR),
    ],
)
def test_parse_reads_labels_as_written_and_tlp_1_white_as_clear(text, label):
    assert parse_tlp(text) is label


@pytest.mark.parametrize("text", ["", "TLP:PURPLE", "AMBER STRICT X", "TLP:"])
def test_parse_refuses_what_is_not_a_label(text):
    with pytest.raises(ValidationError):
        parse_tlp(text)
