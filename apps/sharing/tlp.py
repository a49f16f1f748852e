"""The Traffic Light Protocol 2.0 as FIRST defines it.

Labels are written the same way in every language (``TLP:AMBER+STRICT``), so they are plain
strings, never passed through gettext; only the handling rule beside them is translated.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TLP(models.TextChoices):
    """The five labels, from the least to the most restrictive."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"

    @property
    def rank(self) -> int:
        """Restrictiveness: CLEAR 0 … RED 4. Lowering a label means a smaller rank."""
        return _ORDER.index(self)

    @property
    def colour(self) -> str:
        """FIRST's text colour; badges put it on a black background (BADGE_BACKGROUND)."""
        return _COLOURS[self]

    @property
    def handling(self) -> str:
        """The one-line handling rule, in the reader's language."""
        return str(_HANDLING[self])


_ORDER = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]

# FIRST TLP 2.0, "colour-coding in RGB": RED 255,43,43; AMBER 255,192,0; GREEN 51,255,0;
# CLEAR 255,255,255 — always on black.
BADGE_BACKGROUND = "#000000"
_COLOURS = {
    TLP.CLEAR: "#FFFFFF",
    TLP.GREEN: "#33FF00",
    TLP.AMBER: "#FFC000",
    TLP.AMBER_STRICT: "#FFC000",
    TLP.RED: "#FF2B2B",
}

_HANDLING = {
    TLP.CLEAR: _("No limit on disclosure; anyone may receive it, subject to copyright."),
    TLP.GREEN: _("Share within the community, but not on publicly accessible channels."),
    TLP.AMBER: _(
        "Share on a need-to-know basis within the recipient organisations and their clients."
    ),
    TLP.AMBER_STRICT: _(
        "Organisation only — not to clients: share on a need-to-know basis "
        "within the recipient organisations only."
    ),
    TLP.RED: _("For the named recipients only; no further disclosure."),
}

# TLP 1.0 spelled CLEAR as WHITE; imports still carry it.
_ALIASES = {"WHITE": TLP.CLEAR}


def parse_tlp(value: str) -> TLP:
    """Read a label as people and tools write it: ``TLP:AMBER+STRICT``, ``amber+strict``,
    ``TLP: white`` (TLP 1.0, read as CLEAR). Anything else is refused."""
    text = "".join(str(value).split()).upper().removeprefix("TLP:")
    if text in _ALIASES:
        return _ALIASES[text]
    try:
        return TLP(text)
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a TLP label."), code="invalid_tlp", params={"value": value}
        ) from None
