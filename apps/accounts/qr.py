"""QR codes drawn on the server as inline SVG: nothing is sent to an outside service."""

import qrcode
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathImage


def qr_svg(data: str) -> SafeString:
    """An <svg> element (no XML declaration, no inline style) that encodes ``data``."""
    image = qrcode.make(data, image_factory=SvgPathImage, box_size=10, border=4)
    svg = image.to_string(encoding="unicode")
    # The SVG is produced by qrcode from our own data: paths and numbers only.
    return mark_safe(svg.replace("<svg ", '<svg class="qr" aria-hidden="true" ', 1))
