"""Data that betrays the victim: found before an item is shared, so the author confirms or
redacts it ("share the technique, not the victim").

Content-agnostic: incidents, threads and anything else hand over their texts (by where they
come from) and indicator values, and get back findings — e-mail addresses, user names,
internal host names and private or internal IP addresses. Public addresses and the
attacker's public domains are not findings. Defanged text (``hxxp://``, ``[.]``) is refanged
first, so that defanging does not hide anything.

All patterns are ASCII-only on purpose: Japanese text has no spaces, and ASCII word
boundaries are what separate ``10.2.3.4`` from the ``から`` that follows it.
"""

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ExposureKind(models.TextChoices):
    EMAIL = "email", gettext_lazy("e-mail address")
    USER_NAME = "user_name", gettext_lazy("user name")
    INTERNAL_HOST = "internal_host", gettext_lazy("internal host name")
    PRIVATE_IP = "private_ip", gettext_lazy("private or internal IP address")


@dataclass(frozen=True)
class Finding:
    """One piece of possibly victim-identifying data: what kind, the text as found (after
    refanging), and where (the caller's name for the text, e.g. "summary", "indicators")."""

    kind: ExposureKind
    match: str
    where: str

    def describe(self) -> str:
        return _("%(kind)s “%(match)s” in %(where)s") % {
            "kind": self.kind.label,
            "match": self.match,
            "where": self.where,
        }


# --- refanging ------------------------------------------------------------------------------

_REFANG = [
    (re.compile(r"h(?:xx|XX|Xx|xX)p(s?)(?=\[?:)", re.ASCII), r"http\1"),
    (re.compile(r"f(?:xx|XX)p(s?)(?=\[?:)", re.ASCII), r"ftp\1"),
    (re.compile(r"\[:\]//|\[://\]"), "://"),
    (re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", re.IGNORECASE), "."),
    (re.compile(r"\[:\]"), ":"),
    (re.compile(r"\[@\]|\(@\)|\[at\]|\(at\)", re.IGNORECASE), "@"),
]


def refang(text: str) -> str:
    """``hxxp://evil[.]example(.)com`` → ``http://evil.example.com``; ``a[@]b[.]jp`` →
    ``a@b.jp``; ``fe80[:]:1`` → ``fe80::1``."""
    for pattern, replacement in _REFANG:
        text = pattern.sub(replacement, text)
    return text


_DEFANG_SCHEME = re.compile(r"^(?:(http)|(ftp))(s?)(?=:)", re.IGNORECASE | re.ASCII)
_DOTTED_QUAD = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$", re.ASCII)


def defang(text: str) -> str:
    """The inverse of `refang`: a value made unclickable, as analysts write it —
    ``http://evil-update.example`` → ``hxxp://evil-update[.]example``, ``198.51.100[.]7``,
    ``user[@]example[.]com``. An IPv4 address has its last full stop bracketed; anything else
    every full stop and at sign (``evil.com.cn`` or a file name ``invoice.zip`` would still be
    a link in some mail readers with one left); hashes, CVE ids and IPv6 addresses have neither
    and stay as they are. ``refang(defang(v)) == v`` for every (normalised) indicator value."""
    text = str(text)
    if _DOTTED_QUAD.match(text):
        head, _dot, last = text.rpartition(".")
        return f"{head}[.]{last}"
    text = _DEFANG_SCHEME.sub(
        lambda m: ("hxxp" if m[1] else "fxxp") + m[3].lower(), text, count=1
    )
    return text.replace(".", "[.]").replace("@", "[@]")


# --- what counts as internal ----------------------------------------------------------------

PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",  # RFC 1918
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local
        "100.64.0.0/10",  # carrier-grade NAT (RFC 6598)
        "::1/128",
        "fe80::/10",
        "fc00::/7",  # IPv6 unique local addresses
    )
)

INTERNAL_SUFFIXES = (
    "local",
    "corp",
    "internal",
    "intranet",
    "intra",
    "lan",
    "localdomain",
    "home",
    "home.arpa",
    "private",
    "ad",
)

# Host names of the kind organisations give their own machines: DC01, FS01, PC-1234,
# SRV-FILE02, WS0012, and Windows' own DESKTOP-XXXXXXX / LAPTOP-XXXXXXX.
_HOST_NAME = (
    r"(?:(?:DC|FS|PC|WS|SV|SRV|SVR|VDI|NB|EXCH|ADDC|NAS)[-_]?(?:[A-Z]+[-_]?)?\d{1,6}[A-Z]?"
    r"|(?:DESKTOP|LAPTOP|WIN)-[A-Z0-9]{5,15})"
)
_A = r"(?<![A-Za-z0-9_.-])"  # ASCII start of a token
_Z = r"(?![A-Za-z0-9_-])(?!\.[A-Za-z0-9])"  # ASCII end of a token (a final full stop is ok)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(
    _A + r"[A-Za-z0-9._%+-]+@" + _LABEL + r"(?:\." + _LABEL + r")*\.[A-Za-z]{2,}" + _Z, re.ASCII
)
USER_AT_HOST = re.compile(_A + r"([A-Za-z][A-Za-z0-9._-]{1,31})@(" + _LABEL + r")" + _Z, re.ASCII)
DOMAIN_USER = re.compile(
    r"(?<![A-Za-z0-9_.:\\/%-])([A-Za-z][A-Za-z0-9-]{1,14})\\([A-Za-z0-9][A-Za-z0-9._-]{0,63})" + _Z,
    re.ASCII,
)
PROFILE_PATH = re.compile(
    r"(?:[A-Za-z]:\\+(?:Users|Documents and Settings)\\+|/(?:home|Users)/)"
    r"([A-Za-z0-9][A-Za-z0-9._ -]{0,63}?)(?=[\\/]|$|[^A-Za-z0-9._ -])",
    re.ASCII | re.IGNORECASE,
)
FQDN = re.compile(_A + r"(" + _LABEL + r"(?:\." + _LABEL + r")+)" + _Z, re.ASCII)
HOST_NAME = re.compile(_A + _HOST_NAME + _Z, re.ASCII | re.IGNORECASE)
IPV4 = re.compile(r"(?<![0-9.])(\d{1,3}(?:\.\d{1,3}){3})(?:/\d{1,2})?(?![0-9])(?!\.\d)", re.ASCII)
IPV6 = re.compile(
    r"(?<![0-9A-Za-z:])((?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4})(?:%\w+)?(?:/\d{1,3})?(?![0-9A-Za-z:])",
    re.ASCII,
)

# Not someone's account: Windows' built-in principals, registry roots and profile folders.
_NOT_USERS = {
    "public",
    "default",
    "default user",
    "all users",
    "system",
    "localsystem",
    "administrator",
}
_NOT_DOMAINS = {
    "authority",
    "builtin",
    "service",
    "hklm",
    "hkcu",
    "hkcr",
    "hku",
    "hkey_local_machine",
    "hkey_current_user",
    "software",
    "system32",
    "windows",
    "program",
    "microsoft",
}


def is_private_ip(value: str) -> bool:
    try:
        address = ipaddress.ip_address(value.split("%")[0])
    except ValueError:
        return False
    return any(
        address in network for network in PRIVATE_NETWORKS if network.version == address.version
    )


def is_internal_host(name: str) -> bool:
    """A host name that only makes sense inside an organisation: an internal suffix
    (``*.local``, ``*.corp``…) or an internal naming scheme in its first label
    (``dc01.example.co.jp``, ``PC-1234``)."""
    name = name.lower().rstrip(".")
    if any(name == suffix or name.endswith("." + suffix) for suffix in INTERNAL_SUFFIXES):
        return "." in name or name not in INTERNAL_SUFFIXES
    first = name.split(".", 1)[0]
    return bool(re.fullmatch(_HOST_NAME, first, re.ASCII | re.IGNORECASE))


# --- the scan -------------------------------------------------------------------------------


def _scan(text: str) -> list[tuple[ExposureKind, str, int, int]]:
    found: list[tuple[ExposureKind, str, int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(kind, match, start, end):
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            return
        taken.append((start, end))
        found.append((kind, match, start, end))

    for m in EMAIL.finditer(text):
        add(ExposureKind.EMAIL, m.group(0), m.start(), m.end())
    for m in PROFILE_PATH.finditer(text):
        user = m.group(1).strip()
        if user and user.lower() not in _NOT_USERS:
            add(ExposureKind.USER_NAME, user, m.start(1), m.start(1) + len(user))
    for m in DOMAIN_USER.finditer(text):
        domain, user = m.group(1), m.group(2)
        if domain.lower() in _NOT_DOMAINS or user.lower() in _NOT_USERS:
            continue
        add(ExposureKind.USER_NAME, m.group(0), m.start(), m.end())
    for m in USER_AT_HOST.finditer(text):
        add(ExposureKind.USER_NAME, m.group(0), m.start(), m.end())
    for m in IPV4.finditer(text):
        if is_private_ip(m.group(1)):
            add(ExposureKind.PRIVATE_IP, m.group(0), m.start(), m.end())
    for m in IPV6.finditer(text):
        if m.group(1).count(":") >= 2 and is_private_ip(m.group(1)):
            add(ExposureKind.PRIVATE_IP, m.group(0), m.start(), m.end())
    for m in FQDN.finditer(text):
        name = m.group(1)
        if not name.replace(".", "").isdigit() and is_internal_host(name):
            add(ExposureKind.INTERNAL_HOST, name, m.start(), m.end())
    for m in HOST_NAME.finditer(text):
        add(ExposureKind.INTERNAL_HOST, m.group(0), m.start(), m.end())
    return sorted(found, key=lambda item: item[2])


def find_exposures(
    texts: Mapping[str, str] | None = None, indicators: Iterable[str] = ()
) -> list[Finding]:
    """Everything in ``texts`` ({where: text}) and ``indicators`` (values) that could
    identify the victim, in order of appearance, each (kind, match, where) once."""
    sources = [(where, text) for where, text in (texts or {}).items() if text]
    where_indicators = str(gettext_lazy("indicators"))
    sources += [(where_indicators, value) for value in indicators if value]
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for where, text in sources:
        for kind, match, _start, _end in _scan(refang(str(text))):
            key = (kind, match.lower(), where)
            if key not in seen:
                seen.add(key)
                findings.append(Finding(kind=kind, match=match, where=str(where)))
    return findings


def unconfirmed(findings: Iterable[Finding], confirmed: Iterable[str]) -> list[Finding]:
    """The findings whose matched text the author has not confirmed (case-insensitive;
    confirmations may be written defanged too)."""
    accepted = {refang(str(text)).strip().lower() for text in confirmed}
    return [finding for finding in findings if finding.match.lower() not in accepted]


def exposure_message(findings: Iterable[Finding]) -> str:
    """The refusal, in the reader's language: what was found and what to do."""
    listed = "; ".join(finding.describe() for finding in findings)
    return _(
        "This may identify the victim. Redact it, or confirm each item to share it anyway: "
        "%(findings)s."
    ) % {"findings": listed}


class ExposureFound(ValidationError):
    """Text or indicators may betray the victim, and nothing was saved. The message (under
    ``exposures``) lists the findings for the API; ``findings`` keeps them so that a form can
    ask for each to be confirmed."""

    def __init__(self, findings: list[Finding]):
        self.findings = list(findings)
        super().__init__({"exposures": exposure_message(self.findings)}, code="exposure")


def exposure_check(
    *, texts: Mapping[str, str], indicators: Iterable[str] = (), confirmed: Iterable[str] = ()
) -> list[str]:
    """Refuse (`ExposureFound`) to share what may betray the victim until the author confirms
    each finding — by its matched text — or redacts it. Returns the confirmations that match
    something, for the item to remember. Every content app checks its texts here."""
    findings = find_exposures(texts, indicators)
    confirmed = list(confirmed or ())
    left = unconfirmed(findings, confirmed)
    if left:
        raise ExposureFound(left)
    matched = {finding.match.lower() for finding in findings}
    return sorted({text for text in confirmed if text.lower() in matched})
