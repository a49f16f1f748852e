"""A series' activity report as PDF, readable in Japanese on any machine.

The font comes from pip, not from the system: Noto Sans CJK JP, shipped in the
``noto-cjk-sans-jp-regular`` wheel, is embedded in every PDF (only the glyphs used), so
neither the server nor the reader needs a Japanese font installed, nothing is fetched at
run time, and the text can be searched and copied. That font has CFF outlines, which fpdf2
embeds behind an encoding CMap of its own that pypdf and pdfminer misread (past 256
distinct glyphs the text comes out garbled); so the glyphs a report uses are converted to
TrueType outlines (fontTools' cu2qu) and embedded the usual way (CIDFontType2,
Identity-H), which every viewer and extractor reads. The font is opened once per process
and each glyph converted once.

The layout is done here: the Markdown is rendered and sanitised as for the page
(`portal.markdown`), then set line by line so that Japanese, which has no spaces, breaks
between any two characters (never before 。、」 nor after 「) while Latin words break at
spaces only. One weight is shipped: bold is drawn by also stroking the outlines.
"""

import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from django.utils.translation import get_language
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fpdf import FPDF
from fpdf.enums import TextMode, XPos, YPos
from noto_cjk_sans_jp_regular import FONT_PATH

from portal.markdown import render_markdown

_FAMILY = "NotoSansJP"
_NB = "{renkei:pages}"  # replaced by fpdf2 with the number of pages (not "{nb}": text may say it)
_PAGE_COLUMN = 12  # mm for "3 / 12" at the right of the footer
_BODY = 10.5  # font size in points
_SIZES = {"h1": 18, "h2": 14, "h3": 12, "h4": 11, "h5": 11, "h6": 11}
_INDENT = 6  # mm per list level or quote
_MARKER = 5  # mm kept for a list item's bullet or number
_TEXT = (33, 33, 33)
_MUTED = (110, 110, 110)
_LINK = (25, 80, 160)
_PT = 25.4 / 72  # mm per point
_HARD_BREAK = "\u2028"  # <br> and the line ends of <pre>
# Kinsoku: what may not start a line (closing marks, small kana, the long-vowel mark), and
# what may not end one (opening marks).
_NO_START = frozenset(
    "、。，．,.)）]］}｝」』】〕〉》〙〗”’!！?？:：;；・ー…‥%％"  # noqa: RUF001 (full-width on purpose)
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻ゝゞヽヾ"
)
_NO_END = frozenset("(（[［{｛「『【〔〈《〘〖“‘")  # noqa: RUF001


def _wide(char: str) -> bool:
    """Japanese (and other full-width) text: a line may break on either side."""
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


class _NotoJP:
    """The wheel's font, opened on first use and kept for the process; each glyph converted
    from CFF to TrueType once. A lock: fontTools reads a lazily opened font unguarded."""

    def __init__(self, path: Path):
        self._path = path
        self._lock = threading.Lock()
        self._font: TTFont | None = None
        self._cmap: dict[int, str] = {}
        self._covered: frozenset[int] = frozenset()
        self._glyph_set = None
        self._glyphs: dict[str, object] = {}

    def _open(self) -> TTFont:
        if self._font is None:
            font = TTFont(self._path, lazy=True)
            self._cmap = font.getBestCmap()
            self._covered = frozenset(self._cmap)
            self._glyph_set = font.getGlyphSet()
            self._font = font
        return self._font

    def covered(self) -> frozenset[int]:
        """The characters the font has."""
        with self._lock:
            self._open()
            return self._covered

    def _glyph(self, name: str) -> tuple[bytes, int]:
        """A glyph's outline as TrueType data, and its left side bearing; converted once."""
        if name not in self._glyphs:
            pen = TTGlyphPen(None)
            self._glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
            glyph = pen.glyph()
            self._glyphs[name] = (glyph.compile(None), getattr(glyph, "xMin", 0))
        return self._glyphs[name]

    def truetype(self, chars: set[str]) -> bytes:
        """A TrueType font with ``chars`` (those the font has) and nothing else. Tables that
        describe the glyphs as a whole (bounds, maxima) are left to fpdf2, which subsets
        and saves the font again, recomputing them."""
        with self._lock:
            font = self._open()
            codes = sorted({ord(char) for char in chars} & self._cmap.keys())
            order = [".notdef", *sorted({self._cmap[code] for code in codes} - {".notdef"})]
            glyphs = {name: self._glyph(name) for name in order}
            head, hmtx, hhea, os2 = font["head"], font["hmtx"], font["hhea"], font["OS/2"]
            builder = FontBuilder(head.unitsPerEm, isTTF=True)
            builder.setupGlyphOrder(order)
            builder.setupCharacterMap({code: self._cmap[code] for code in codes})
            glyf = newTable("glyf")
            glyf.glyphs = {name: Glyph(data) for name, (data, _lsb) in glyphs.items()}
            glyf.glyphOrder = order
            builder.font["glyf"], builder.font["loca"] = glyf, newTable("loca")
            builder.setupHorizontalMetrics(
                {name: (hmtx[name][0], lsb) for name, (_data, lsb) in glyphs.items()})
            builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent,
                                          lineGap=hhea.lineGap)
            builder.setupNameTable({"familyName": "Noto Sans CJK JP", "styleName": "Regular",
                                    "psName": "NotoSansCJKjp-Regular"})
            builder.setupOS2(
                sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender,
                sTypoLineGap=os2.sTypoLineGap, usWinAscent=os2.usWinAscent,
                usWinDescent=os2.usWinDescent, sxHeight=os2.sxHeight,
                sCapHeight=os2.sCapHeight, usWeightClass=os2.usWeightClass,
                fsType=os2.fsType, achVendID=os2.achVendID)
            builder.setupPost()
            builder.setupMaxp()
            for side in ("xMin", "yMin", "xMax", "yMax"):  # the whole font's: a superset
                setattr(builder.font["head"], side, getattr(head, side))
        builder.font.recalcBBoxes = False  # the glyphs stay compiled (much faster)
        out = BytesIO()
        builder.save(out)
        return out.getvalue()


_NOTO = _NotoJP(Path(str(FONT_PATH)))


# -- HTML (as rendered and sanitised for the page) to blocks of styled text -----------------

@dataclass
class _Run:
    text: str
    bold: bool = False
    link: str = ""


@dataclass
class _Block:
    kind: str  # p, h1…h6, li, pre, hr
    indent: int = 0  # list levels and quotes
    marker: str = ""  # a list item's bullet or number
    runs: list[_Run] = field(default_factory=list)

    def text(self) -> str:
        return "".join(run.text for run in self.runs)


class _Blocks(HTMLParser):
    _HEADINGS = frozenset(_SIZES)

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._current: _Block | None = None
        self._lists: list[list] = []  # [ordered, next number] per open list
        self._quotes = 0
        self._bold = 0
        self._link = ""
        self._pre = False
        self._cells = 0

    def _start(self, kind: str, marker: str = "") -> None:
        self._flush()
        self._current = _Block(kind, len(self._lists) + self._quotes, marker)

    def _flush(self) -> None:
        if self._current is not None and self._current.text().strip():
            self.blocks.append(self._current)
        self._current = None

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self._flush()
            self._lists.append([tag == "ol", 1])
        elif tag == "li":
            marker = "•"
            if self._lists and self._lists[-1][0]:
                marker = f"{self._lists[-1][1]}."
                self._lists[-1][1] += 1
            self._start("li", marker)
        elif tag == "p":
            item = self._current
            if not (item is not None and item.kind == "li" and not item.text().strip()):
                self._start("p")  # (a loose list's item keeps its first paragraph)
        elif tag in self._HEADINGS:
            self._start(tag)
        elif tag == "pre":
            self._start("pre")
            self._pre = True
        elif tag == "blockquote":
            self._flush()
            self._quotes += 1
        elif tag == "tr":
            self._start("p")
            self._cells = 0
        elif tag in ("td", "th"):
            if self._cells:
                self._add(" | ")
            self._cells += 1
            self._bold += tag == "th"
        elif tag == "hr":
            self._flush()
            self.blocks.append(_Block("hr", len(self._lists) + self._quotes,
                                      runs=[_Run("-")]))
        elif tag == "br":
            self._add(_HARD_BREAK)
        elif tag == "strong":
            self._bold += 1
        elif tag == "a":
            self._link = dict(attrs).get("href") or ""

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag in ("p", "li", "pre", "tr", *self._HEADINGS):
            self._flush()
            self._pre = False
        elif tag == "blockquote":
            self._flush()
            self._quotes = max(0, self._quotes - 1)
        elif tag == "th" or tag == "strong":
            self._bold = max(0, self._bold - 1)
        elif tag == "a":
            self._link = ""

    def handle_data(self, data):
        if self._pre:
            data = data.replace("\r\n", "\n").rstrip("\n").replace("\n", _HARD_BREAK)
        self._add(data)

    def _add(self, text: str) -> None:
        if self._current is None:
            if not text.strip():
                return
            self._start("p")  # text outside any block
        self._current.runs.append(_Run(text, self._bold > 0, self._link))


def _blocks(html: str) -> list[_Block]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks


# -- line breaking --------------------------------------------------------------------------

@dataclass
class _Atom:
    """What a line never breaks inside: a Latin word, or one Japanese character with the
    marks that must stay with it."""

    chars: list[tuple[str, bool, str]]  # (char, bold, link)
    space_before: bool = False
    break_before: bool = False


def _atoms(block: _Block) -> list[_Atom]:
    atoms: list[_Atom] = []
    space = newline_only = hard = False
    previous = ""
    for run in block.runs:
        for char in run.text:
            if char == _HARD_BREAK:
                hard, space = True, False
                continue
            if block.kind == "pre" and char in " \t":  # kept as written, breakable
                atoms.append(_Atom([("\u00a0", run.bold, run.link)], break_before=hard))
                hard, previous = False, " "
                continue
            if char.isspace():
                newline_only = (newline_only or not space) and char in "\r\n"
                space = True
                continue
            if space and newline_only and _wide(previous) and _wide(char):
                space = False  # a Markdown line end inside Japanese is no space
            item = (char, run.bold, run.link)
            joins = atoms and not space and not hard and (
                char in _NO_START or atoms[-1].chars[-1][0] in _NO_END
                or not (_wide(char) or _wide(previous)))
            if joins and block.kind != "pre":
                atoms[-1].chars.append(item)
            else:
                atoms.append(_Atom([item], space_before=space, break_before=hard))
            space = newline_only = hard = False
            previous = char
    return atoms


def _lines(atoms: list[_Atom], width: float, measure) -> list[list[tuple[str, bool, str]]]:
    """Fill lines up to ``width`` (mm): a space-separated or Japanese atom goes to the next
    line when it does not fit; an atom wider than a whole line is cut between characters."""
    pieces: list[_Atom] = []
    for atom in atoms:
        if measure("".join(char for char, _b, _l in atom.chars)) <= width:
            pieces.append(atom)
        else:
            pieces += [_Atom([item], space_before=atom.space_before and i == 0,
                             break_before=atom.break_before and i == 0)
                       for i, item in enumerate(atom.chars)]
    space = measure(" ")
    lines: list[list[tuple[str, bool, str]]] = []
    line: list[tuple[str, bool, str]] = []
    used = 0.0
    for atom in pieces:
        text = "".join(char for char, _b, _l in atom.chars)
        size = measure(text)
        gap = space if atom.space_before and line else 0.0
        if line and (atom.break_before or used + gap + size > width):
            lines.append(line)
            line, used, gap = [], 0.0, 0.0
        if gap:
            before, after = line[-1], atom.chars[0]
            line.append((" ", *(before[1:] if before[1:] == after[1:] else (False, ""))))
        line += atom.chars
        used += gap + size
    if line:
        lines.append(line)
    return [_merged(line) for line in lines]


def _merged(line: list[tuple[str, bool, str]]) -> list[tuple[str, bool, str]]:
    """Consecutive characters of one style as one piece of text."""
    pieces: list[tuple[str, bool, str]] = []
    for char, bold, link in line:
        if pieces and pieces[-1][1:] == (bold, link):
            pieces[-1] = (pieces[-1][0] + char, bold, link)
        else:
            pieces.append((char, bold, link))
    return pieces


# -- drawing --------------------------------------------------------------------------------

class _ReportPDF(FPDF):
    report_title = ""

    def measure(self, text: str) -> float:
        """`get_string_width`, from each character's width at this size, kept."""
        widths = self.__dict__.setdefault("_widths", {})
        for char in set(text):
            if (self.font_size_pt, char) not in widths:
                widths[self.font_size_pt, char] = self.get_string_width(char)
        return sum(widths[self.font_size_pt, char] for char in text)

    def footer(self):
        self.set_y(-14)
        self.set_font(_FAMILY, size=8)
        self.text_mode = TextMode.FILL
        self.set_text_color(*_MUTED)
        title_width = self.epw - _PAGE_COLUMN - 5
        self.cell(title_width, 5, _fitted(self, self.report_title, title_width))
        self.set_x(self.l_margin + self.epw - _PAGE_COLUMN)
        self.cell(_PAGE_COLUMN, 5, f"{self.page_no()} / {_NB}")


def _fitted(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _draw_line(pdf: FPDF, x: float, pieces, height: float, colour) -> None:
    pdf.set_x(x)
    for text, bold, link in pieces:
        pdf.text_mode = TextMode.FILL_STROKE if bold else TextMode.FILL
        pdf.set_text_color(*(_LINK if link else colour))
        pdf.set_draw_color(*(_LINK if link else colour))
        pdf.cell(pdf.get_string_width(text), height, text, link=link,
                 new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.text_mode = TextMode.FILL
    pdf.ln(height)


def _draw_block(pdf: _ReportPDF, block: _Block, previous: str) -> None:
    heading = block.kind in _SIZES
    size = _SIZES.get(block.kind, _BODY if block.kind != "pre" else _BODY - 1)
    height = size * _PT * (1.45 if heading else 1.7)
    before = {"h1": 0, "h2": 6, "h3": 4}.get(block.kind, 2.5)
    if block.kind == "li" and previous == "li":
        before = 0.8
    x = pdf.l_margin + block.indent * _INDENT
    pdf.set_font(_FAMILY, size=size)
    pdf.set_line_width(size * 0.012)  # the stroke that makes text bold
    if block.kind == "hr":
        pdf.ln(before + 2)
        pdf.set_draw_color(*_MUTED)
        pdf.set_line_width(0.2)
        pdf.line(x, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.ln(2)
        return
    if pdf.get_y() > pdf.t_margin + 0.1:
        pdf.ln(before)
    if heading and pdf.will_page_break(height + 2 * _BODY * _PT * 1.7):
        pdf.add_page()  # not a heading alone at the bottom of a page
    text_x = x + (max(_MARKER, pdf.get_string_width(block.marker) + 1.5) if block.marker else 0)
    width = pdf.l_margin + pdf.epw - text_x
    lines = _lines(_atoms(block), width, pdf.measure)
    if heading:
        lines = [[(text, True, link) for text, _bold, link in line] for line in lines]
    for number, pieces in enumerate(lines):
        if pdf.will_page_break(height):
            pdf.add_page()
        if number == 0 and block.marker:
            pdf.set_text_color(*_MUTED)
            pdf.set_xy(x, pdf.get_y())
            pdf.cell(text_x - x, height, block.marker, new_x=XPos.RIGHT, new_y=YPos.TOP)
        _draw_line(pdf, text_x, pieces, height, _TEXT)
    if block.kind in ("h1", "h2"):
        pdf.set_draw_color(*_MUTED)
        pdf.set_line_width(0.6 if block.kind == "h1" else 0.2)
        pdf.line(x, pdf.get_y() + 0.5, pdf.l_margin + pdf.epw, pdf.get_y() + 0.5)
        pdf.ln(2.5)


def report_pdf(markdown_text: str, *, title: str) -> bytes:
    """``markdown_text`` (a report from `report.report_markdown`) as an A4 PDF, in the
    embedded Japanese font; ``title`` is the document's title (metadata and footer)."""
    blocks = _blocks(render_markdown(markdown_text))
    covered = _NOTO.covered()

    def shown(text: str) -> str:  # a character the font lacks (an emoji) shows as such
        return "".join(c if ord(c) in covered or c.isspace() or c == _HARD_BREAK
                       else "?" for c in text)

    for block in blocks:
        for run in block.runs:
            run.text = shown(run.text)
    title = shown(" ".join(title.split()))
    chars = {char for block in blocks for char in block.text() + block.marker}
    chars |= set(title) | set(f" /0123456789…?\u00a0{_NB}")
    with tempfile.TemporaryDirectory(prefix="renkei-pdf-") as folder:
        font_file = Path(folder) / "NotoSansCJKjp-Regular.ttf"
        font_file.write_bytes(_NOTO.truetype(chars))
        pdf = _ReportPDF(format="A4")
        pdf.report_title = title
        pdf.set_title(title)
        pdf.set_lang(get_language() or "ja")
        pdf.set_creator("Renkei")
        pdf.alias_nb_pages(_NB)
        pdf.set_margins(20, 18, 20)
        pdf.set_auto_page_break(True, margin=20)
        pdf.c_margin = 0
        pdf.add_font(_FAMILY, fname=font_file)
        pdf.set_font(_FAMILY, size=_BODY)
        pdf.add_page()
        previous = ""
        for block in blocks:
            _draw_block(pdf, block, previous)
            previous = block.kind
        return bytes(pdf.output())
