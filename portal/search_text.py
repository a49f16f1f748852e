"""One reading of text for search, used on both sides: what is stored in the search columns
(``search_text`` of incidents, threads and posts) and what a reader types.

Japanese is written in several interchangeable forms: full-width and half-width (ﾗﾝｻﾑｳｪｱ,
full-width Latin letters), hiragana or katakana (らんさむうぇあ / ランサムウェア), upper or
lower case. A member
types whichever their input method gives; the stored text was typed by someone else. Both are
folded to one form — NFKC, case-folded, hiragana as katakana — so a substring match on the
folded text finds what people type, on SQLite and PostgreSQL alike (the folded columns carry
trigram indexes on PostgreSQL).
"""

import unicodedata

# Hiragana ぁ (U+3041) … ゖ (U+3096) and the iteration marks ゝゞ sit 0x60 below their
# katakana; ゟ (a ligature) and the combining marks are left alone.
_KANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_KANA.update({0x309D: 0x30FD, 0x309E: 0x30FE})


def search_normalise(text: str | None) -> str:
    """``text`` folded for search: NFKC (width), case-folded, hiragana → katakana.

    Idempotent (``search_normalise(search_normalise(x)) == search_normalise(x)``), so a
    stored value can be folded again without harm; NFKC runs again after case folding,
    which can produce characters NFKC would have composed."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return folded.translate(_KANA)


def search_document(*parts: str | None) -> str:
    """The stored search text of several fields: each folded, one per line (so that a term
    never matches across the end of one field and the start of the next)."""
    return "\n".join(search_normalise(part) for part in parts)
