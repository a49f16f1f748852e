"""``{% load tlp %}{% tlp_badge item.tlp %}``: the TLP 2.0 badge shown on every item.

The label is FIRST's own spelling (``TLP:AMBER+STRICT``) in every language; only the
handling rule in the tooltip is translated.
"""

from django import template
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from apps.sharing.tlp import TLP, parse_tlp

register = template.Library()


@register.simple_tag
def tlp_badge(value, handling: bool = False):
    """A badge in FIRST's colour on black; ``handling=True`` also writes the rule beside it
    (for detail pages and the picker). An unknown value renders nothing rather than a
    misleading label."""
    if not value:
        return ""
    try:
        label = value if isinstance(value, TLP) else parse_tlp(value)
    except ValidationError:  # a bad value must never break a page
        return ""
    css = "tlp tlp-" + label.value.lower().replace("+", "-")
    badge = format_html(
        '<span class="{}" title="{}" data-tlp="{}">{}</span>',
        css,
        label.handling,
        label.value,
        label.label,
    )
    if handling:
        return format_html('{} <span class="tlp-handling">{}</span>', badge, label.handling)
    return badge
