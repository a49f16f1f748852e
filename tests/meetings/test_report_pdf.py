"""The year's activity report as PDF: Japanese shown with a font embedded in the file (the
machine has none installed), long Japanese lines wrapped, and the text readable back."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from apps.accounts.services import token_issue
from apps.meetings.models import AgendaItem
from apps.meetings.pdf import report_pdf
from tests.meetings.test_meetings import make_meetings, make_series

LONG_THEME = ("サプライチェーン攻撃に関する最新の脅威動向と、取引先を含めた多層的な防御体制の"
              "構築に向けた実践的な取り組みについて、各社の事例を交えて詳しく紹介する")


@pytest.fixture
def year(community, alice):
    alice.language = "ja"
    alice.save()
    series = make_series(community, fiscal_year=2025)
    meetings = make_meetings(series, 2)
    AgendaItem.objects.create(meeting=meetings[0], community=community, position=3,
                              theme=LONG_THEME, guest_name="鈴木 一郎")
    return series


def pdf_url(series):
    return reverse("meetings:report", args=[series.community.slug, series.pk]) + "?format=pdf"


def read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def squeezed(text: str) -> str:
    """Without white space: a wrapped Japanese line reads as one again."""
    return "".join(text.split())


def embedded_fonts(reader: PdfReader) -> list[tuple[str, str]]:
    """(BaseFont, FontFile key) for every font on every page; key "" when not embedded."""
    found = []
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            described = font
            if "/DescendantFonts" in font:
                described = font["/DescendantFonts"][0].get_object()
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            files = [key for key in ("/FontFile", "/FontFile2", "/FontFile3")
                     if key in descriptor]
            found.append((str(font["/BaseFont"]), files[0] if files else ""))
    return found


def test_a_member_downloads_the_report_as_a_pdf_in_japanese(client_for, alice, year):
    response = client_for(alice).get(pdf_url(year))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    reader = read(response.content)
    assert reader.metadata.title == "活動報告 · セキュリティ対策研究会"
    text = text_of(reader)
    assert "セキュリティ対策研究会" in text and "2025年度" in text and "会合" in text
    themes = [item.theme for meeting in year.meetings.all() for item in meeting.agenda.all()]
    assert len(themes) == 5 and LONG_THEME in themes
    for theme in themes:
        assert squeezed(theme) in squeezed(text)
    # Wrapped, not run off the page: no line holds the long theme whole.
    assert not any(LONG_THEME in line for line in text.splitlines())
    # The sanitised Markdown: bold shown as such, the script dropped.
    assert "要旨" in text and "**" not in text and "alert" not in text
    fonts = embedded_fonts(reader)
    assert fonts and all(file for _name, file in fonts), fonts
    assert all("NotoSansCJK" in name for name, _file in fonts), fonts


def test_a_script_downloads_the_pdf_with_a_token_and_outsiders_get_nothing(
        client, client_for, alice, outsider, year):
    _token, key = token_issue(user=alice, name="report")
    response = client.get(pdf_url(year), headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "セキュリティ対策研究会" in text_of(read(response.content))
    assert client_for(outsider).get(pdf_url(year)).status_code == 404


def test_the_report_page_links_to_the_pdf(client_for, alice, year):
    page = client_for(alice).get(pdf_url(year).replace("?format=pdf", "")).content.decode()
    assert f'href="{pdf_url(year)}"' in page


def test_japanese_wraps_between_characters_and_never_before_closing_marks():
    paragraph = "あいうえお、かきくけこ。さしすせそ「たちつてと」" * 30
    text = text_of(read(report_pdf(f"# 題\n\n{paragraph}\n", title="題")))
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > 5
    assert squeezed(paragraph) in squeezed(text)
    assert not any(line.lstrip()[0] in "、。」" for line in lines[1:])
    assert not any(line.rstrip()[-1] == "「" for line in lines)


def test_latin_words_wrap_at_spaces_only():
    words = "Supply chain attacks on managed service providers " * 20
    text = text_of(read(report_pdf(f"# Report\n\n{words}\n", title="Report")))
    assert len(text.splitlines()) > 3
    assert set(text.split()) == {"Report", *words.split(), "1", "/"}  # and the footer


def test_hundreds_of_distinct_kanji_read_back_unchanged():
    # The first rows of JIS level 1: a year's report easily uses this many characters.
    # (Text in the font's CFF form, as fpdf2 embeds it, reads back garbled past 256.)
    kanji = "".join(bytes([0xA0 + row, 0xA0 + cell]).decode("euc_jp")
                    for row in range(16, 21) for cell in range(1, 95))
    assert len(set(kanji)) == 470
    data = report_pdf(f"# 漢字\n\n{kanji}\n", title="漢字")
    assert squeezed(kanji) in squeezed(text_of(read(data)))
    assert len(data) < 400_000  # the glyphs used, not the 16 MB font
