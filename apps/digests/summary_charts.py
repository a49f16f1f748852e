"""Small bar charts of the federation summary, drawn on the server as SVG: readable with no
JavaScript, no CDN and no style sheet (presentation attributes only, so the page's
Content-Security-Policy needs nothing more), and well-formed XML whatever the names in them
— the tree is built with ElementTree, which escapes every text and attribute."""

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 560
ROW = 30  # two bars of 10 px and the gap to the next row
BAR = 10
TOP = 28  # the legend
LABEL_MAX = 200
VALUE_ROOM = 40
PREVIOUS_FILL = "#a7b1bc"
CURRENT_FILL = "#1f5f8b"
TEXT_FILL = "#222222"
FONT = "system-ui, sans-serif"
MAX_LABEL_CHARS = 22


@dataclass(frozen=True)
class Bar:
    """One row of a chart: what it counts, the period before, this period."""

    label: str
    previous: int
    current: int


def _text_width(text: str, size: int = 12) -> int:
    """A rough width in pixels: wide characters (Japanese) count double."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _text(parent, x, y, content, *, anchor="start", size=12, fill=TEXT_FILL):
    element = ET.SubElement(parent, "text", {
        "x": f"{x:g}", "y": f"{y:g}", "font-size": str(size), "font-family": FONT,
        "fill": fill, "text-anchor": anchor, "dominant-baseline": "middle"})
    element.text = content
    return element


def bar_chart(bars: Sequence[Bar], *, title: str, previous_label: str,
              current_label: str) -> SafeString:
    """Grouped horizontal bars, the period before (grey) above this period (blue), each with
    its number; ``title`` is the chart's accessible name. Empty when there is nothing to
    draw."""
    if not bars:
        return mark_safe("")
    labels = [_short(bar.label) for bar in bars]
    label_width = min(LABEL_MAX, max(_text_width(label) for label in labels) + 12)
    scale_width = WIDTH - label_width - VALUE_ROOM
    top = max(max(bar.previous, bar.current) for bar in bars) or 1
    height = TOP + ROW * len(bars) + 4
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "width": str(WIDTH), "height": str(height),
        "viewBox": f"0 0 {WIDTH} {height}", "role": "img", "class": "summary-chart"})
    ET.SubElement(svg, "title").text = title
    # Legend.
    x = label_width
    for fill, label in ((PREVIOUS_FILL, previous_label), (CURRENT_FILL, current_label)):
        ET.SubElement(svg, "rect", {"x": f"{x:g}", "y": "6", "width": "12", "height": "12",
                                    "fill": fill})
        _text(svg, x + 16, 12, label)
        x += 16 + _text_width(label) + 24
    for index, (bar, label) in enumerate(zip(bars, labels, strict=True)):
        y = TOP + index * ROW
        row = ET.SubElement(svg, "g")
        ET.SubElement(row, "title").text = f"{bar.label}: {bar.previous} → {bar.current}"
        _text(row, label_width - 8, y + BAR, label, anchor="end")
        for offset, value, fill in ((0, bar.previous, PREVIOUS_FILL),
                                    (BAR + 1, bar.current, CURRENT_FILL)):
            length = round(scale_width * value / top, 1)
            ET.SubElement(row, "rect", {
                "x": f"{label_width:g}", "y": f"{y + offset:g}", "width": f"{length:g}",
                "height": str(BAR), "fill": fill})
            _text(row, label_width + length + 4, y + offset + BAR / 2, str(value), size=10)
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # safe: ElementTree escaped it
