"""``{{ value|defang }}``: how every template and e-mail prints an indicator value — never a
link (`apps.sharing.exposure.defang`). The real value is only ever in a copy button's
``data-value`` or a download."""

from django import template

from apps.sharing.exposure import defang as defang_value

register = template.Library()


@register.filter
def defang(value) -> str:
    return defang_value(value) if value not in (None, "") else ""
