"""Search finds what people type: the stored text and the typed term are folded the same way
(`portal.search_text`: width, case, hiragana → katakana), and a defanged term finds the
refanged value. The property test writes a word in one form and searches it in another."""

import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from apps.incidents.models import Incident
from apps.incidents.search import incident_search, search_text_refresh
from portal.search_text import search_document, search_normalise

pytestmark = pytest.mark.django_db


# --- the forms one character can be typed in ---------------------------------------------

def _half_width() -> dict[str, str]:
    """Full-width katakana → its half-width spelling (ｶﾞ for ガ), read from NFKC itself."""
    table = {}
    for code in range(0xFF66, 0xFF9E):
        table[unicodedata.normalize("NFKC", chr(code))] = chr(code)
    for full, half in list(table.items()):
        for mark, half_mark in (("\u3099", "\uff9e"), ("\u309a", "\uff9f")):
            composed = unicodedata.normalize("NFC", full + mark)
            if len(composed) == 1:
                table[composed] = half + half_mark
    return table


HALF = _half_width()


def _kana_unit(katakana: str) -> list[str]:
    forms = [katakana]
    if 0x30A1 <= ord(katakana) <= 0x30F6:
        forms.append(chr(ord(katakana) - 0x60))  # hiragana
    if katakana in HALF:
        forms.append(HALF[katakana])
    return forms


def _latin_unit(char: str) -> list[str]:
    forms = {char, char.upper(), char.lower()}
    forms |= {chr(ord(form) + 0xFEE0) for form in list(forms)}  # full-width A, a, 1
    return sorted(forms)


KANA = [chr(code) for code in range(0x30A1, 0x30F7)]
UNITS = ([_kana_unit(k) for k in KANA]
         + [_latin_unit(c) for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
         + [[k] for k in "情報漏洩標的型攻撃暗号化"])

words = st.lists(st.sampled_from(UNITS), min_size=2, max_size=8)


def typed(word: list[list[str]], data) -> str:
    """One way of typing ``word``: each character in a form drawn by hypothesis."""
    return "".join(data.draw(st.sampled_from(forms)) for forms in word)


@pytest.fixture
def incident(incident_for, alice):
    return incident_for(alice, "GREEN", title="未設定", summary="")


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(word=words, other=words, data=st.data())
def test_a_word_stored_in_one_form_is_found_typed_in_any_other(incident, alice, word, other,
                                                              data):
    stored = typed(word, data)
    incident.title = f"注意: {stored} について"
    incident.summary = f"詳細は{typed(word, data)}の報告を参照"
    incident.save()
    query = typed(word, data)
    assert incident in incident_search(user=alice, text=query)

    stranger = typed(other, data)
    folded = search_normalise(stranger)
    assume(folded not in incident.search_text)
    assert incident not in incident_search(user=alice, text=stranger)


@given(text=st.text(max_size=40))
@settings(max_examples=300)
def test_folding_is_idempotent(text):
    once = search_normalise(text)
    assert search_normalise(once) == once


@pytest.mark.parametrize(("stored", "query"), [
    ("ランサムウェア", "ﾗﾝｻﾑｳｪｱ"),
    ("ランサムウェア", "らんさむうぇあ"),
    ("ﾗﾝｻﾑｳｪｱ", "ランサムウェア"),
    ("ABC社", "\uff41\uff42\uff43"),
    ("Emotet", "EMOTET"),
    ("ガバナンス", "がばなんす"),
])
def test_examples_of_what_people_type(incident_for, alice, stored, query):
    found = incident_for(alice, "GREEN", title=f"{stored}の被害", summary="")
    assert list(incident_search(user=alice, text=query)) == [found]


def test_a_defanged_query_finds_the_refanged_indicator_and_text(incident_for, alice):
    url = incident_for(alice, "GREEN", title="配布サイト", summary="",
                       indicators=[{"type": "url", "value": "http://evil-update.example/a"}])
    address = incident_for(alice, "GREEN", title="C2", summary="通信先 198.51.100.7 を確認")
    assert list(incident_search(user=alice, text="hxxp://evil-update[.]example")) == [url]
    assert list(incident_search(user=alice, text="198.51.100[.]7")) == [address]


def test_search_never_widens_who_sees(incident_for, cast, alice, carol, org_b):
    incident_for(alice, "AMBER", title="ランサムウェア", organizations=[org_b])
    assert not incident_search(user=carol, text="らんさむうぇあ").exists()


def test_every_save_keeps_the_search_text_current(incident, alice):
    incident.title = "ＶＰＮ機器"
    incident.save(update_fields=["title"])
    incident.refresh_from_db()
    assert incident.search_text == search_document("vpn機器", "")


def test_update_is_refreshed_by_the_callers_helper(incident, alice):
    Incident.objects.filter(pk=incident.pk).update(title="ﾌｨｯｼﾝｸﾞ")
    assert not incident_search(user=alice, text="フィッシング").exists()
    assert search_text_refresh(Incident.objects.filter(pk=incident.pk)) == 1
    assert incident_search(user=alice, text="ふぃっしんぐ").exists()


def test_the_web_list_and_the_api_find_folded_words(incident_for, alice, client_for,
                                                     community):
    incident_for(alice, "GREEN", title="ランサムウェア被害", summary="")
    client = client_for(alice)
    page = client.get(f"/c/{community.slug}/incidents/", {"q": "ﾗﾝｻﾑｳｪｱ"})
    assert "ランサムウェア被害" in page.content.decode()
    api = client.get("/api/v1/incidents/", {"q": "らんさむうぇあ"}).json()
    assert [row["title"] for row in api["results"]] == ["ランサムウェア被害"]
