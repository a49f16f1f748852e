"""How an audit event reads on the secretariat's page, in the admin and in the CSV export."""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.models import ANONYMOUS_AUTHOR, AuditEvent

KEY_LABELS = {
    "tlp": gettext_lazy("label"),
    "organizations": gettext_lazy("organisations"),
    "users": gettext_lazy("people"),
    "federated": gettext_lazy("federation"),
    "anonymous": gettext_lazy("anonymous"),
    "member": gettext_lazy("member"),
    "organization": gettext_lazy("organisation"),
    "role": gettext_lazy("role"),
    "status": gettext_lazy("status"),
    "community": gettext_lazy("community"),
    "deleted": gettext_lazy("deleted"),
    "via": gettext_lazy("via"),
    "what": gettext_lazy("what"),
    "format": gettext_lazy("format"),
    "rows": gettext_lazy("rows"),
    "filters": gettext_lazy("filters"),
    "revision": gettext_lazy("revision"),
}
HIDDEN_KEYS = frozenset({ANONYMOUS_AUTHOR})


def _value(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list) and len(value) == 2:
        return f"{_value(value[0]) or '—'} → {_value(value[1]) or '—'}"
    if isinstance(value, dict):
        return ", ".join(f"{key}={_value(item)}" for key, item in value.items())
    if value is None:
        return ""
    return str(value)


def detail_text(detail: dict) -> str:
    """``role: member → secretariat; status: active → suspended``."""
    return "; ".join(
        f"{KEY_LABELS.get(key, key)}: {_value(value)}"
        for key, value in (detail or {}).items()
        if key not in HIDDEN_KEYS
    )


# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell) -> str:
    """Prefix a quote to a cell a spreadsheet would read as a formula."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_header() -> list[str]:
    return [_("time"), _("actor"), _("action"), _("target type"), _("target id"), _("target"),
            _("detail"), _("IP address"), _("browser"), _("detail (JSON)")]


def csv_row(event: AuditEvent) -> list[str]:
    return [
        timezone.localtime(event.at).isoformat(timespec="seconds"),
        event.actor_email,
        event.get_action_display(),
        event.target_type.model if event.target_type_id else "",
        event.target_id,
        event.target_label,
        detail_text(event.detail),
        event.ip_address or "",
        event.user_agent,
        json.dumps(event.detail, ensure_ascii=False, sort_keys=True, default=str),
    ]


def csv_lines(events: Iterable[AuditEvent], *, language: str | None = None,
              tz=None) -> Iterator[str]:
    """The CSV as text chunks: a UTF-8 byte-order mark first (so Excel reads Japanese), a
    header, one line per event, every cell neutralised. ``language`` and ``tz`` are fixed by
    the caller: a streamed response is written after the request's middleware has run."""
    with translation.override(language or translation.get_language()), timezone.override(
        tz or timezone.get_current_timezone()
    ):
        yield from _csv_lines(events)


def _csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        writer.writerow([neutralise(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(csv_header())
    for event in events:
        yield line(csv_row(event))
