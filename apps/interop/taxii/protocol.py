"""The TAXII 2.1 wire: media types, error messages, timestamps, the paging cursor and the
filters of the objects endpoints (OASIS TAXII 2.1, sections 1.6, 3.4-3.6 and 5).

Nothing here reads the database or decides who sees what: the views hand over the entries
a user may see (`apps.interop.taxii.collections`), this module only filters, orders and
pages them."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.http import HttpResponse
from django.utils.dateparse import parse_datetime

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
TAXII_VERSION = "2.1"
STIX_SPEC_VERSION = "2.1"

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # a POST body larger than this is refused (413)


class TaxiiError(Exception):
    """A refusal, answered as a TAXII error message (section 3.6.1)."""

    def __init__(self, status: int, title: str, description: str = "", headers=None):
        super().__init__(title)
        self.status = status
        self.title = title
        self.description = description
        self.headers = headers or {}


def taxii_response(body: dict, status: int = 200, headers=None) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type=TAXII_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: TaxiiError) -> HttpResponse:
    body = {"title": error.title, "http_status": str(error.status)}
    if error.description:
        body["description"] = error.description
    return taxii_response(body, status=error.status, headers=error.headers)


# --- media types -----------------------------------------------------------------------------


def _media_ranges(header: str):
    """(type, parameters, q) of each range of an Accept or Content-Type header."""
    for part in header.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        if not pieces[0]:
            continue
        params = {}
        for piece in pieces[1:]:
            name, _sep, value = piece.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 0.0
        yield pieces[0].lower(), params, q


def _is_taxii_21(media_type: str, params: dict) -> bool:
    return media_type == "application/taxii+json" and params.get("version", "2.1") == "2.1"


def accept_check(request) -> None:
    """Every answer is `application/taxii+json;version=2.1`: an Accept header that allows it
    (with or without the version, or any type) passes, anything else is a 406. No Accept
    header counts as any type."""
    header = request.headers.get("Accept", "").strip()
    if not header:
        return
    for media_type, params, q in _media_ranges(header):
        if q <= 0:
            continue
        if _is_taxii_21(media_type, params) or media_type in ("*/*", "application/*"):
            return
    raise TaxiiError(
        406, "Not Acceptable",
        f"This server answers {TAXII_MEDIA_TYPE}; the request accepts only: {header}.")


def content_type_check(request) -> None:
    """A write (Add Objects) carries a TAXII envelope: `application/taxii+json` (version 2.1
    or none), else 415."""
    header = request.headers.get("Content-Type", "").strip()
    ranges = list(_media_ranges(header))
    if not ranges or not _is_taxii_21(ranges[0][0], ranges[0][1]):
        raise TaxiiError(
            415, "Unsupported Media Type",
            f"Send a TAXII envelope as {TAXII_MEDIA_TYPE}, not {header or 'no Content-Type'}.")


# --- timestamps ------------------------------------------------------------------------------


def timestamp(value: datetime) -> str:
    """A TAXII timestamp with microseconds (``2024-05-01T09:30:00.123456Z``): ``date_added``
    is written this precisely so that ``added_after`` with a value read from an answer
    skips exactly what was read."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str, what: str) -> datetime:
    value = parse_datetime(text.strip()) if text else None
    if value is None or value.tzinfo is None:
        raise TaxiiError(400, "Bad Request",
                         f"{what} must be an RFC 3339 timestamp in UTC such as "
                         f"2024-05-01T09:30:00.000Z, not {text!r}.")
    return value.astimezone(UTC)


# --- the cursor ------------------------------------------------------------------------------


def cursor_encode(date_added: datetime, object_id: str, version: str) -> str:
    raw = f"{timestamp(date_added)}|{object_id}|{version}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(text: str) -> tuple[datetime, str, str]:
    """The (date_added, id, version) after which the next page starts. Positions, not
    offsets: what is added while a client pages through comes after what it has read."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        when, object_id, version = raw.split("|")
        return parse_timestamp(when, "next"), object_id, version
    except (binascii.Error, UnicodeDecodeError, ValueError, TaxiiError):
        raise TaxiiError(400, "Bad Request",
                         "The value of next is not one this server gave.") from None


# --- the entries of a collection and their filters -------------------------------------------


@dataclass(frozen=True)
class Item:
    """One version of one object of a collection, as TAXII pages it."""

    object: dict
    date_added: datetime

    @property
    def id(self) -> str:
        return self.object["id"]

    @property
    def version(self) -> str:
        """``modified``, else ``created``, else the time it was added (section 3.4.2)."""
        return self.object.get("modified") or self.object.get("created") or timestamp(
            self.date_added)

    @property
    def spec_version(self) -> str:
        return self.object.get("spec_version", STIX_SPEC_VERSION)

    @property
    def key(self) -> tuple:
        return (self.date_added, self.id, self.version)

    def manifest(self) -> dict:
        return {"id": self.id, "date_added": timestamp(self.date_added),
                "version": self.version, "media_type": STIX_MEDIA_TYPE}


def _values(request, name: str) -> list[str]:
    return [value.strip() for raw in request.GET.getlist(name) for value in raw.split(",")
            if value.strip()]


def _same_instant(a: str, b: str) -> bool:
    first, second = parse_datetime(a), parse_datetime(b)
    return first is not None and second is not None and first == second


@dataclass
class Query:
    """What a GET on objects, manifest, an object or its versions asks for."""

    added_after: datetime | None = None
    limit: int = DEFAULT_LIMIT
    after: tuple | None = None  # the cursor's (date_added, id, version)
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()

    @classmethod
    def from_request(cls, request, *, versions_default: str = "last") -> "Query":
        query = cls(versions=(versions_default,))
        if request.GET.get("added_after"):
            query.added_after = parse_timestamp(request.GET["added_after"], "added_after")
        if request.GET.get("limit"):
            try:
                query.limit = int(request.GET["limit"])
            except ValueError:
                query.limit = 0
            if query.limit < 1:
                raise TaxiiError(400, "Bad Request", "limit must be a positive whole number.")
            query.limit = min(query.limit, MAX_LIMIT)
        if request.GET.get("next"):
            query.after = cursor_decode(request.GET["next"])
        query.ids = tuple(_values(request, "match[id]"))
        query.types = tuple(_values(request, "match[type]"))
        query.versions = tuple(_values(request, "match[version]")) or query.versions
        for version in query.versions:
            if version not in ("last", "first", "all"):
                parse_timestamp(version, "match[version]")
        query.spec_versions = tuple(_values(request, "match[spec_version]"))
        return query

    def _version_matches(self, item: Item, all_versions: list[Item]) -> bool:
        for wanted in self.versions:
            if wanted == "all":
                return True
            if wanted == "last" and item is max(all_versions, key=lambda i: i.version):
                return True
            if wanted == "first" and item is min(all_versions, key=lambda i: i.version):
                return True
            if wanted not in ("last", "first", "all") and _same_instant(wanted, item.version):
                return True
        return False

    def filter(self, items: list[Item]) -> list[Item]:
        """The items that match, ordered by (date_added, id, version): the order the cursor
        walks."""
        by_id: dict[str, list[Item]] = {}
        for item in items:
            by_id.setdefault(item.id, []).append(item)
        chosen = []
        for item in items:
            if self.ids and item.id not in self.ids:
                continue
            if self.types and item.id.split("--", 1)[0] not in self.types:
                continue
            if self.spec_versions and item.spec_version not in self.spec_versions:
                continue
            if self.added_after is not None and item.date_added <= self.added_after:
                continue
            if not self._version_matches(item, by_id[item.id]):
                continue
            chosen.append(item)
        chosen.sort(key=lambda item: item.key)
        return chosen

    def page(self, items: list[Item]) -> tuple[list[Item], str | None]:
        """One page of ``items`` (already filtered and ordered) after the cursor, and the
        cursor of the next page when there is more."""
        if self.after is not None:
            items = [item for item in items if item.key > self.after]
        page = items[: self.limit]
        more = len(items) > self.limit
        next_cursor = cursor_encode(*page[-1].key) if more else None
        return page, next_cursor


def date_headers(page: list[Item]) -> dict:
    if not page:
        return {}
    return {"X-TAXII-Date-Added-First": timestamp(min(item.date_added for item in page)),
            "X-TAXII-Date-Added-Last": timestamp(max(item.date_added for item in page))}
