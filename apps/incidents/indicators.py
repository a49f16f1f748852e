"""Indicator types, and how each value is validated and normalised.

Normalising (refanged, lower-case domains and hashes, compressed IPv6, upper-case CVE ids)
is what lets "has anyone reported this value?" find the same thing written differently.
"""

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.sharing.exposure import refang


class IndicatorType(models.TextChoices):
    IPV4 = "ipv4", gettext_lazy("IPv4 address")
    IPV6 = "ipv6", gettext_lazy("IPv6 address")
    DOMAIN = "domain", gettext_lazy("Domain name")
    URL = "url", gettext_lazy("URL")
    EMAIL = "email", gettext_lazy("E-mail address")
    FILE_NAME = "filename", gettext_lazy("File name")
    MD5 = "md5", gettext_lazy("MD5")
    SHA1 = "sha1", gettext_lazy("SHA-1")
    SHA256 = "sha256", gettext_lazy("SHA-256")
    CVE = "cve", gettext_lazy("CVE id")


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HEX = {IndicatorType.MD5: 32, IndicatorType.SHA1: 40, IndicatorType.SHA256: 64}
_CVE = re.compile(r"^CVE-\d{4}-\d{4,7}$")
_URL_SCHEMES = {"http", "https", "ftp", "ftps", "sftp", "ws", "wss", "smb", "ldap", "ldaps"}
_FORBIDDEN_IN_FILE_NAME = re.compile(r"[\x00-\x1f/\\]")


def _invalid(kind: IndicatorType, value: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not a valid %(type)s.") % {"value": value, "type": kind.label},
        code="invalid_indicator",
    )


def _domain(text: str) -> str | None:
    name = text.strip().rstrip(".").lower()
    if not name or len(name) > 253:
        return None
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():  # an IP address is not a domain
        return None
    return name


def _ip(text: str, version: int) -> str | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    return address.compressed if address.version == version else None


def _url(text: str) -> str | None:
    text = text.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in _URL_SCHEMES or not host or any(c.isspace() for c in text):
        return None
    normal_host = _ip(host, 4) or _ip(host, 6) or _domain(host)
    if normal_host is None:
        return None
    if ":" in normal_host:
        normal_host = f"[{normal_host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if userinfo else "") + normal_host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "", parts.query, parts.fragment))


def _email(text: str) -> str | None:
    local, at, domain = text.strip().rpartition("@")
    if not at or not local or len(local) > 64 or any(c.isspace() or c in "<>()," for c in local):
        return None
    domain = _domain(domain)
    return f"{local.lower()}@{domain}" if domain else None


def indicator_normalize(kind: str, value: str) -> str:
    """The canonical form of ``value`` as an indicator of type ``kind``, refanged first;
    ValidationError (in the reader's language) if it is not one."""
    kind = IndicatorType(kind)
    text = refang(str(value)).strip()
    normal: str | None
    if kind == IndicatorType.IPV4:
        normal = _ip(text, 4)
    elif kind == IndicatorType.IPV6:
        normal = _ip(text, 6)
    elif kind == IndicatorType.DOMAIN:
        normal = _domain(text)
    elif kind == IndicatorType.URL:
        normal = _url(text)
    elif kind == IndicatorType.EMAIL:
        normal = _email(text)
    elif kind in _HEX:
        normal = text.lower()
        if len(normal) != _HEX[kind] or not all(c in "0123456789abcdef" for c in normal):
            normal = None
    elif kind == IndicatorType.CVE:
        normal = text.upper()
        normal = normal if _CVE.match(normal) else None
    else:  # file name: kept as written (case matters on many systems), without a path
        normal = text if text and len(text) <= 255 else None
        if normal and _FORBIDDEN_IN_FILE_NAME.search(normal):
            normal = None
    if not normal:
        raise _invalid(kind, str(value))
    return normal


def indicator_candidates(value: str) -> list[tuple[str, str]]:
    """Every (type, normalised value) that ``value`` can be read as: what a lookup without a
    type searches for."""
    found = []
    for kind in IndicatorType:
        try:
            found.append((kind.value, indicator_normalize(kind, value)))
        except ValidationError:
            continue
    return found
