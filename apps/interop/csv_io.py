"""Indicators as CSV, out and in: what spreadsheets and other tools read and write.

Out (`indicators_for_export`, `indicators_csv_stream`): the indicators a user may see — read
through `apps.incidents.selectors.indicators_visible_to`, i.e. through `apps.sharing` —
narrowed by the filters of the portal's lists (the incident FilterSet and the indicator
FilterSet, reused as they are). Streamed in a fixed number of queries. Every cell a
spreadsheet would run as a formula is neutralised (`apps.audit.presentation.neutralise`). An
anonymous incident never names its source in an export, whoever downloads it (stricter than
the web page, which tells the secretariat: a file travels). UTF-8 with a byte-order mark by
default (Excel in Japan reads it); Shift_JIS (cp932) on request — and refused, with the row
named, when a character cannot be written in it, rather than a value silently changed.

In (`indicators_csv_read`, `indicators_csv_import`): a CSV with a header into one incident
its editor may change. All or nothing: every row is checked first, each problem reported
with its row number (as a spreadsheet numbers rows: the header is row 1), and one bad row
saves nothing. The victim-data check of `apps.sharing.exposure` applies as in
`apps.incidents.services.indicator_add`: each finding must be confirmed (or the row removed)
before anything is saved.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.presentation import FORMULA_STARTS, neutralise
from apps.audit.services import record_export
from apps.incidents.api.filters import IndicatorFilter
from apps.incidents.filters import IncidentFilter
from apps.incidents.indicators import IndicatorType, indicator_candidates
from apps.incidents.models import Incident, Indicator
from apps.incidents.selectors import indicators_visible_to
from apps.incidents.services import incident_editor_check
from apps.sharing.exposure import Finding, exposure_check, find_exposures, unconfirmed

# --- encodings ------------------------------------------------------------------------------


class Encoding(models.TextChoices):
    UTF8 = "utf-8", "UTF-8"
    SHIFT_JIS = "shift_jis", "Shift_JIS"


AUTO = "auto"
# Shift_JIS as Windows (and so Excel) writes it: cp932, with NEC and IBM extensions (①, ㈱).
_CODEC = {Encoding.UTF8: "utf-8", Encoding.SHIFT_JIS: "cp932"}
_ALIASES = {
    "utf-8": Encoding.UTF8, "utf8": Encoding.UTF8, "utf-8-sig": Encoding.UTF8,
    "shift_jis": Encoding.SHIFT_JIS, "shift-jis": Encoding.SHIFT_JIS, "sjis": Encoding.SHIFT_JIS,
    "cp932": Encoding.SHIFT_JIS, "windows-31j": Encoding.SHIFT_JIS, "ms932": Encoding.SHIFT_JIS,
}
BOM = "\ufeff"


def encoding_read(value: str | None, *, allow_auto: bool = False) -> str:
    """``utf-8`` / ``shift_jis`` (and their usual spellings); empty means UTF-8 for an export
    and "detect" for an import. Anything else is refused in the reader's language."""
    text = (value or "").strip().lower()
    if not text:
        return AUTO if allow_auto else Encoding.UTF8
    if allow_auto and text == AUTO:
        return AUTO
    if text in _ALIASES:
        return _ALIASES[text]
    raise ValidationError(
        {"encoding": _("Unknown encoding “%(value)s”: choose utf-8 or shift_jis.")
         % {"value": value}},
        code="encoding",
    )


# --- export ---------------------------------------------------------------------------------

EXPORT_COLUMNS = ("incident_id", "incident_title", "tlp", "source", "type", "value",
                  "first_seen", "last_seen", "note", "created_at")
IMPORT_COLUMNS = ("type", "value", "first_seen", "last_seen", "note")
# Lines gathered before a chunk of the stream is handed over (about 64 KB each).
_CHUNK = 64 * 1024
_STARTS = "".join(FORMULA_STARTS)


def _filters_valid(*filtersets) -> None:
    errors: dict[str, list[str]] = {}
    for filterset in filtersets:
        if not filterset.is_valid():
            for name, messages in filterset.errors.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors, code="filters")


def _applied(*filtersets) -> dict:
    """The filters in force, for the audit record of the export."""
    applied = {}
    for filterset in filtersets:
        for name, value in filterset.form.cleaned_data.items():
            if value in (None, "", [], ()) or (isinstance(value, slice)
                                               and value.start is value.stop is None):
                continue
            applied[name] = (", ".join(map(str, value)) if isinstance(value, list | tuple)
                             else str(value))
    return applied


@dataclass
class Export:
    """What one export holds: the indicators (a queryset, not read yet) and the filters."""

    indicators: QuerySet
    filters: dict


def indicators_for_export(*, user, params: Mapping, incidents: QuerySet | None = None) -> Export:
    """The indicators ``user`` may see among ``incidents`` (default: every incident), narrowed
    by the lists' filters read from ``params``: the incident list's (``q`` search, ``tlp``,
    ``category``, dates, …) and the indicator list's (``community``, ``incident``, ``type``,
    ``value``). Invalid filters are refused (ValidationError), never ignored — an export
    wider than asked for would be a leak of a kind. Visibility: `indicators_visible_to`."""
    request = SimpleNamespace(user=user)  # the text search reads only what the reader may see
    incident_filter = IncidentFilter(
        params, queryset=incidents if incidents is not None else Incident.objects.all(),
        request=request,
    )
    indicator_filter = IndicatorFilter(params, queryset=Indicator.objects.all(), request=request)
    _filters_valid(incident_filter, indicator_filter)
    narrowed = indicator_filter.qs.filter(incident_id__in=incident_filter.qs.values("pk"))
    indicators = (
        indicators_visible_to(user, narrowed)
        .select_related("incident", "incident__author_organization")
        .order_by("-incident__created_at", "incident_id", "type", "value")
    )
    return Export(indicators=indicators, filters=_applied(incident_filter, indicator_filter))


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _export_cells(indicator: Indicator) -> list[str]:
    incident = indicator.incident
    # A file travels: an anonymous item's source is never written, not even for its author.
    source = (_("via the secretariat") if incident.anonymous
              else incident.author_organization.display_name)
    return [str(incident.pk), incident.title, incident.get_tlp_display(), source,
            indicator.type, indicator.value, _moment(indicator.first_seen),
            _moment(indicator.last_seen), indicator.note, _moment(indicator.created_at)]


def _looks_dangerous(text: str) -> bool:
    """Starts a formula — or would, once the quotes before it are taken away."""
    first = text.lstrip("'")[:1]
    return bool(first) and first in _STARTS


def _neutralise(cell) -> str:
    """A quote before a cell a spreadsheet would run as a formula (`neutralise`), and before
    one that only looks neutralised already (``'=x``), so that reading the file back
    (`_unneutralise`) gives every text exactly, as Excel shows it."""
    text = "" if cell is None else str(cell)
    return "'" + text if _looks_dangerous(text) else neutralise(text)


def _lines(indicators: Iterable[Indicator]) -> Iterator[tuple[int, str]]:
    """(row number, CSV text) for the header (row 1) and each indicator, cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        writer.writerow([_neutralise(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield 1, line(EXPORT_COLUMNS)
    for number, indicator in enumerate(indicators, start=2):
        yield number, line(_export_cells(indicator))


def _rows(indicators: QuerySet | Iterable[Indicator]) -> Iterator[Indicator]:
    # One query however many rows (a server-side cursor on PostgreSQL), read in chunks.
    if isinstance(indicators, QuerySet):
        return indicators.iterator(chunk_size=2000)
    return iter(indicators)


def export_encodable(export: Export, encoding: str) -> None:
    """Refuse (ValidationError, naming the row) a Shift_JIS export that would lose a
    character: Shift_JIS cannot write every character of Unicode, and an indicator changed
    by a replacement character is a wrong indicator. One more query; UTF-8 needs none."""
    if encoding != Encoding.SHIFT_JIS:
        return
    for number, text in _lines(_rows(export.indicators)):
        try:
            text.encode(_CODEC[encoding])
        except UnicodeEncodeError as error:
            raise ValidationError(
                {"encoding": _(
                    "Shift_JIS cannot write “%(character)s” (row %(row)d). Download the file "
                    "in UTF-8 instead, which Excel also reads."
                ) % {"character": error.object[error.start:error.end], "row": number}},
                code="not_encodable",
            ) from None


def indicators_csv_stream(export: Export, *, encoding: str = Encoding.UTF8,
                          language: str | None = None, tz=None) -> Iterator[bytes]:
    """The CSV as byte chunks of about 64 KB: constant memory, one query. ``language`` and
    ``tz`` are fixed by the caller — a streamed response is written after the request's
    middleware has run. UTF-8 starts with a byte-order mark so that Excel reads Japanese."""
    codec = _CODEC[encoding]
    with translation.override(language or translation.get_language()), timezone.override(
        tz or timezone.get_current_timezone()
    ):
        pending = [BOM] if encoding == Encoding.UTF8 else []
        size = 0
        for _number, text in _lines(_rows(export.indicators)):
            pending.append(text)
            size += len(text)
            if size >= _CHUNK:
                yield "".join(pending).encode(codec)
                pending, size = [], 0
        if pending:
            yield "".join(pending).encode(codec)


def export_record(*, export: Export, actor, community=None, encoding: str, request=None) -> int:
    """The audit record of an export (like every export: what, format, rows, filters), written
    before the first row leaves. Returns the number of rows."""
    rows = export.indicators.count()
    record_export(community=community, what="indicators", rows=rows, format="csv",
                  filters={**export.filters, "encoding": str(encoding)}, actor=actor,
                  request=request)
    return rows


def export_filename(*, scope: str, encoding: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    suffix = "-sjis" if encoding == Encoding.SHIFT_JIS else ""
    return f"indicators-{scope}-{stamp}{suffix}.csv"


def template_csv(encoding: str = Encoding.UTF8) -> bytes:
    """A file to fill in: the header and one example row per kind of use."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(IMPORT_COLUMNS)
    writer.writerow(["domain", "update-check[.]example", "2025-05-01T09:00:00+09:00", "",
                     _("C2 domain (defanged values are accepted)")])
    writer.writerow(["", "198.51.100.7", "2025-05-01", "2025-05-02",
                     _("type left empty: detected from the value")])
    writer.writerow(["sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                     "", "", ""])
    text = buffer.getvalue()
    if encoding == Encoding.UTF8:
        return (BOM + text).encode("utf-8")
    return text.encode(_CODEC[encoding], errors="replace")


# --- import ---------------------------------------------------------------------------------

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000

_HEADER_ALIASES = {
    "type": {"type", "indicator_type", "indicator type", "kind", "種別", "種類", "タイプ"},
    "value": {"value", "indicator", "ioc", "observable", "値", "指標", "インジケーター"},
    "first_seen": {"first_seen", "first seen", "firstseen", "初回観測", "初観測"},
    "last_seen": {"last_seen", "last seen", "lastseen", "最終観測"},
    "note": {"note", "notes", "comment", "description", "メモ", "備考", "コメント", "説明"},
}
# Types as other tools (MISP above all) write them: each may stand for several of ours, the
# first whose rules the value meets is taken.
_TYPE_ALIASES = {
    "ip": (IndicatorType.IPV4, IndicatorType.IPV6),
    "ip-src": (IndicatorType.IPV4, IndicatorType.IPV6),
    "ip-dst": (IndicatorType.IPV4, IndicatorType.IPV6),
    "ip-address": (IndicatorType.IPV4, IndicatorType.IPV6),
    "ipアドレス": (IndicatorType.IPV4, IndicatorType.IPV6),
    "hostname": (IndicatorType.DOMAIN,),
    "fqdn": (IndicatorType.DOMAIN,),
    "domain-name": (IndicatorType.DOMAIN,),
    "link": (IndicatorType.URL,),
    "uri": (IndicatorType.URL,),
    "email-src": (IndicatorType.EMAIL,),
    "email-dst": (IndicatorType.EMAIL,),
    "email-addr": (IndicatorType.EMAIL,),
    "e-mail": (IndicatorType.EMAIL,),
    "file": (IndicatorType.FILE_NAME,),
    "file name": (IndicatorType.FILE_NAME,),
    "sha-1": (IndicatorType.SHA1,),
    "sha-256": (IndicatorType.SHA256,),
    "vulnerability": (IndicatorType.CVE,),
}
_MOMENT_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %H:%M")


def _each_language(label) -> set[str]:
    found = set()
    for language in ("en", "ja"):
        with translation.override(language):
            found.add(str(label).strip().lower())
    return found


def _header_names() -> dict[str, str]:
    names = {}
    for column, aliases in _HEADER_ALIASES.items():
        for alias in aliases | _each_language(Indicator._meta.get_field(column).verbose_name):
            names[alias] = column
    return names


def _type_names() -> dict[str, tuple[str, ...]]:
    names: dict[str, tuple[str, ...]] = dict(_TYPE_ALIASES)
    for kind in IndicatorType:
        for alias in {kind.value} | _each_language(kind.label):
            names[alias] = (kind,)
    return names


@dataclass
class ImportRow:
    """One row of the file, as read: the values (normalised), or what is wrong with it."""

    row: int
    type: str = ""
    value: str = ""
    first_seen: datetime.datetime | None = None
    last_seen: datetime.datetime | None = None
    note: str = ""
    type_detected: bool = False
    existing: bool = False  # already on the incident (skipped when asked to)
    errors: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def texts(self) -> dict[str, str]:
        """What the victim-data check reads, each text named by its row."""
        return {
            _("row %(row)d: value") % {"row": self.row}: self.value,
            _("row %(row)d: note") % {"row": self.row}: self.note,
        }


@dataclass
class CsvImport:
    """A file read against one incident: every row with its errors, and what would be added."""

    incident: Incident
    encoding: str = Encoding.UTF8
    source: bytes = b""  # the file as sent, so that a preview can be saved without a new upload
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    skip_existing: bool = False
    added: list[Indicator] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows)

    @property
    def to_add(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors and not row.existing]

    @property
    def skipped(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors and row.existing]

    @property
    def errors(self) -> list[tuple[int, list[str]]]:
        """(row, messages); row 0 is the file as a whole."""
        found = [(0, list(self.file_errors))] if self.file_errors else []
        return found + [(row.row, row.errors) for row in self.rows if row.errors]

    def findings(self, confirmed: Iterable[str] = ()) -> list[Finding]:
        """The victim-data findings in the rows to add not confirmed yet (for this incident
        or in ``confirmed``)."""
        found = [finding for row in self.to_add for finding in row.findings]
        return unconfirmed(found, [*self.incident.confirmed_exposures, *confirmed])

    def texts(self) -> dict[str, str]:
        texts: dict[str, str] = {}
        for row in self.to_add:
            texts.update(row.texts())
        return texts


class CsvRejected(ValidationError):
    """The file has errors and nothing was saved; ``result`` holds every row's."""

    def __init__(self, result: CsvImport):
        self.result = result
        messages = [
            (_("row %(row)d: %(message)s") % {"row": row, "message": message}) if row
            else message
            for row, found in result.errors for message in found
        ]
        super().__init__({"rows": messages}, code="csv_rows")


def csv_decode(data: bytes, encoding: str = AUTO) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without a byte-order mark) first, then Shift_JIS as
    Excel writes it in Japan; or only the encoding asked for."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(_("This file is UTF-16 (Excel's “Unicode text”). Save it as "
                                "“CSV UTF-8” or “CSV” instead."), code="encoding")
    tried = [encoding] if encoding != AUTO else [Encoding.UTF8, Encoding.SHIFT_JIS]
    for name in tried:
        try:
            return data.decode("utf-8-sig" if name == Encoding.UTF8 else _CODEC[name]), name
        except UnicodeDecodeError:
            continue
    if encoding != AUTO:
        raise ValidationError(_("The file is not in %(encoding)s. Choose another encoding, or "
                                "let it be detected.") % {"encoding": Encoding(encoding).label},
                              code="encoding")
    raise ValidationError(_("The file could not be read. Save it as CSV in UTF-8 or Shift_JIS."),
                          code="encoding")


def _unneutralise(text: str) -> str:
    """Undo an export's neutralisation: ``'=x`` was ``=x``."""
    if text[:1] == "'" and _looks_dangerous(text[1:]):
        return text[1:]
    return text


def _read_moment(text: str) -> datetime.datetime:
    """ISO 8601 (``2025-05-01``, ``2025-05-01T10:00:00+09:00``) or as Excel in Japan writes
    it (``2025/5/1 10:00``); without an offset, in the reader's time zone."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        for layout in _MOMENT_FORMATS:
            try:
                moment = datetime.datetime.strptime(text, layout)
                break
            except ValueError:
                continue
        else:
            raise ValidationError(
                _("“%(value)s” is not a date or a date and time (write 2025-05-01 or "
                  "2025-05-01T10:00:00+09:00).") % {"value": text}) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(datetime.UTC)


def _kinds_for(text: str, value: str, type_names) -> tuple[tuple[str, ...], bool]:
    """The types to try for a row, and whether they were detected (no type given)."""
    if text:
        kinds = type_names.get(text.strip().lower())
        if kinds is None:
            raise ValidationError(
                _("Unknown type “%(type)s”: use one of %(types)s, or leave it empty to have it "
                  "detected.") % {"type": text, "types": ", ".join(IndicatorType.values)})
        return kinds, False
    candidates = [kind for kind, _normal in indicator_candidates(value)]
    # Anything can be a file name: only when it is nothing else.
    candidates = [kind for kind in candidates if kind != IndicatorType.FILE_NAME] or candidates
    if not candidates:
        raise ValidationError(_("Could not tell what kind of indicator “%(value)s” is: give "
                                "its type.") % {"value": value})
    if len(candidates) > 1:
        raise ValidationError(_("“%(value)s” could be %(types)s: give its type.")
                              % {"value": value, "types": ", ".join(candidates)})
    return tuple(candidates), True


def _read_row(number: int, cells: list[str], columns: dict[str, int], incident: Incident,
              type_names) -> ImportRow:
    def cell(name: str) -> str:
        index = columns.get(name)
        return _unneutralise(cells[index]) if index is not None and index < len(cells) else ""

    row = ImportRow(row=number, value=cell("value").strip(), note=cell("note"))
    if not row.note.strip():
        row.note = ""
    for name in ("first_seen", "last_seen"):
        if text := cell(name).strip():
            try:
                setattr(row, name, _read_moment(text))
            except ValidationError as error:
                row.errors.extend(error.messages)
    if not row.value:
        row.errors.append(_("No value."))
        return row
    try:
        kinds, row.type_detected = _kinds_for(cell("type"), row.value, type_names)
    except ValidationError as error:
        row.errors.extend(error.messages)
        return row
    refusal = None
    for kind in kinds:
        indicator = Indicator(community_id=incident.community_id, incident=incident, type=kind,
                              value=row.value, first_seen=row.first_seen,
                              last_seen=row.last_seen, note=row.note)
        try:
            # Not the keys: checking that the incident exists would cost a query per row.
            indicator.full_clean(exclude=["created_by", "stix_id", "incident", "community"],
                                 validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            refusal = refusal or error
            continue
        row.type, row.value, refusal = indicator.type, indicator.value, None
        break
    if refusal is not None:
        row.errors.extend(refusal.messages)
        return row
    row.findings = find_exposures(row.texts())
    return row


def _reader(text: str):
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def indicators_csv_read(*, incident: Incident, data: bytes | str, encoding: str = AUTO,
                        skip_existing: bool = False) -> CsvImport:
    """Read and check a file for ``incident`` without saving anything: every row's values or
    errors (row numbers as a spreadsheet shows them, the header being row 1), duplicates in
    the file and against the incident's indicators, and the victim-data findings. ``data``:
    the file's bytes, or its text already decoded (a preview being saved)."""
    result = CsvImport(incident=incident, skip_existing=skip_existing)
    if isinstance(data, bytes):
        result.source = data
        if len(data) > MAX_BYTES:
            result.file_errors.append(
                _("The file is larger than %(size)d KB: split it into several files.")
                % {"size": MAX_BYTES // 1024})
            return result
        try:
            text, result.encoding = csv_decode(data, encoding)
        except ValidationError as error:
            result.file_errors.extend(error.messages)
            return result
    else:
        text = data
        result.encoding = encoding if encoding != AUTO else Encoding.UTF8
        if len(text) > MAX_BYTES * 2:
            result.file_errors.append(
                _("The file is larger than %(size)d KB: split it into several files.")
                % {"size": MAX_BYTES // 1024})
            return result
    text = text.removeprefix(BOM)
    reader = _reader(text)
    header_names = _header_names()
    type_names = _type_names()
    try:
        header = next(reader, None)
        columns: dict[str, int] = {}
        for index, name in enumerate(header or []):
            column = header_names.get(_unneutralise(name).strip().lower().removeprefix(BOM))
            if column and column not in columns:
                columns[column] = index
        if "value" not in columns:
            result.file_errors.append(_(
                "The first row must name the columns: %(columns)s (at least “value”). "
                "Download the template to start from.") % {"columns": ", ".join(IMPORT_COLUMNS)})
            return result
        existing = set(incident.indicators.values_list("type", "value"))
        first_row: dict[tuple[str, str], int] = {}
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(result.rows) >= MAX_ROWS:
                result.file_errors.append(
                    _("Too many rows: at most %(count)d indicators per file. Split it into "
                      "several files.") % {"count": MAX_ROWS})
                break
            row = _read_row(number, cells, columns, incident, type_names)
            result.rows.append(row)
            if row.errors:
                continue
            key = (row.type, row.value)
            if key in first_row:
                row.errors.append(_("The same indicator as row %(row)d.")
                                  % {"row": first_row[key]})
                continue
            first_row[key] = row.row
            if key in existing:
                row.existing = True
                if not skip_existing:
                    row.errors.append(_("Already on this incident (choose to skip such rows, or "
                                        "remove it from the file)."))
    except csv.Error as error:
        result.file_errors.append(_("The file is not a valid CSV (line %(line)d): %(error)s")
                                  % {"line": reader.line_num, "error": error})
        return result
    if not result.rows and not result.file_errors:
        result.file_errors.append(_("The file holds no indicators."))
    return result


@transaction.atomic
def indicators_csv_import(*, incident: Incident, actor, data: bytes | str, encoding: str = AUTO,
                          skip_existing: bool = False,
                          confirmed_exposures: Iterable[str] = ()) -> CsvImport:
    """Add the indicators of a CSV file to ``incident`` — all of them or none. The author or
    the secretariat only (`incident_editor_check`, PermissionDenied). Refused with
    `CsvRejected` (every row's errors) when any row is bad, with `ExposureFound` while a
    victim-data finding is neither confirmed nor removed; the confirmations are remembered
    on the incident as `indicator_add` does."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    incident_editor_check(incident=incident, actor=actor)
    result = indicators_csv_read(incident=incident, data=data, encoding=encoding,
                                 skip_existing=skip_existing)
    if not result.ok:
        raise CsvRejected(result)
    confirmed = exposure_check(
        texts=result.texts(), confirmed=[*incident.confirmed_exposures, *confirmed_exposures]
    )
    result.added = Indicator.objects.bulk_create([
        Indicator(community_id=incident.community_id, incident=incident, type=row.type,
                  value=row.value, first_seen=row.first_seen, last_seen=row.last_seen,
                  note=row.note, created_by=actor)
        for row in result.to_add
    ])
    if set(confirmed) - set(incident.confirmed_exposures):
        incident.confirmed_exposures = sorted(set(incident.confirmed_exposures) | set(confirmed))
        incident.save(update_fields=["confirmed_exposures"])
    return result


ENCODING_CHOICES = [(AUTO, gettext_lazy("Detect (UTF-8 or Shift_JIS)")), *Encoding.choices]
