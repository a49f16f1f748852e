"""Invite many people at once from a CSV file (as exported by Excel, often in Shift_JIS).

All rows are checked first; if any row is bad nothing is imported and every bad row is
reported with its line number. A good file is imported in one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.models import Language
from apps.communities.models import (
    Community,
    Invitation,
    Membership,
    MembershipStatus,
    Organization,
    Role,
)
from apps.communities.services import invitation_create

MAX_ROWS = 2000

HEADER_ALIASES = {
    "email": {"email", "e-mail", "mail", "メールアドレス", "メール", "eメール"},
    "name": {"name", "display name", "氏名", "名前", "表示名"},
    "organization": {"organization", "organisation", "org", "組織", "所属", "所属組織"},
    "role": {"role", "役割", "ロール"},
    "language": {"language", "lang", "言語"},
}
REQUIRED = ("email", "organization", "role")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class InviteRow:
    line: int
    email: str
    name: str
    organization: Organization
    role: str
    language: str


class CsvImportError(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Shift_JIS as Excel writes it in Japan."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvImportError([RowError(0, _(
        "The file could not be read. Save it as CSV in UTF-8 or Shift_JIS."))])


def _labels(choices, value_field: str = "value") -> dict[str, str]:
    """Map codes and their Japanese and English labels (lower-cased) to the code."""
    mapping = {}
    for lang in ("ja", "en"):
        with translation.override(lang):
            for value, label in choices:
                mapping[str(value).lower()] = value
                mapping[str(label).lower()] = value
    return mapping


def _header_map(fieldnames: list[str]) -> dict[str, str]:
    found = {}
    for raw in fieldnames:
        key = (raw or "").strip().lower()
        for field, aliases in HEADER_ALIASES.items():
            if key in aliases:
                found[field] = raw
    return found


class Outcome:
    """What the import will do with one row, shown in the preview before anything is sent."""

    INVITE = "invite"
    MEMBER = "member"  # already a member of the community: left alone
    REFUSED = "refused"


@dataclass(frozen=True)
class PreviewRow:
    line: int
    email: str
    name: str
    organization: Organization | None
    role: str | None
    language: str | None
    outcome: str
    message: str = ""

    @property
    def role_label(self) -> str:
        return str(dict(Role.choices).get(self.role, "")) if self.role else ""

    @property
    def invite(self) -> InviteRow:
        return InviteRow(self.line, self.email, self.name, self.organization, self.role,
                         self.language)


def preview_invitations(*, community: Community, data: bytes) -> list[PreviewRow]:
    """Read every row and say what will happen to it: invited, already a member (left
    alone), or refused with the reasons. A file that cannot be read at all (encoding, missing
    columns, no rows) raises CsvImportError. Nothing is written."""
    text = decode_csv(data)
    reader = csv.DictReader(io.StringIO(text))
    columns = _header_map(reader.fieldnames or [])
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise CsvImportError([RowError(1, _("Missing column(s): %(cols)s") % {
            "cols": ", ".join(missing)})])

    roles = _labels(Role.choices)
    languages = _labels(Language.choices)
    organizations = {}
    for org in Organization.objects.all():
        for key in (org.slug, org.name, org.name_en):
            if key:
                organizations[key.strip().lower()] = org
    taken = set(
        Membership.objects.filter(community=community)
        .exclude(status__in=[MembershipStatus.INVITED, MembershipStatus.LEFT])
        .values_list("user__email", flat=True)
    )

    rows: list[PreviewRow] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            rows.append(PreviewRow(line, "", "", None, None, None, Outcome.REFUSED,
                                   _("Too many rows: at most %(n)d per file.") % {"n": MAX_ROWS}))
            break
        def cell(field: str, record=record) -> str:
            return (record.get(columns.get(field, ""), "") or "").strip()
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue  # blank line
        problems = []
        email = get_user_model().objects.normalize_email(cell("email")).lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(value)s” is not a valid e-mail address.") % {"value": email})
        organization = organizations.get(cell("organization").lower())
        if organization is None:
            problems.append(_("Unknown organisation “%(value)s”.") % {
                "value": cell("organization")})
        role = roles.get(cell("role").lower())
        if role is None:
            problems.append(_("Unknown role “%(value)s”.") % {"value": cell("role")})
        language_cell = cell("language")
        language = languages.get(language_cell.lower()) if language_cell else (
            community.default_language)
        if language is None:
            problems.append(_("Unknown language “%(value)s” (use ja or en).") % {
                "value": language_cell})
        if email in seen:
            problems.append(_("Duplicate of line %(line)d.") % {"line": seen[email]})
        seen.setdefault(email, line)
        if problems:
            outcome, message = Outcome.REFUSED, " ".join(problems)
        elif email in taken:
            outcome, message = Outcome.MEMBER, _(
                "%(email)s is already a member of this community.") % {"email": email}
        else:
            outcome, message = Outcome.INVITE, ""
        rows.append(PreviewRow(line, email, cell("name"), organization, role, language,
                               outcome, message))
    if not rows:
        raise CsvImportError([RowError(0, _("The file has no rows to import."))])
    return rows


def parse_invitations(*, community: Community, data: bytes) -> list[InviteRow]:
    """Check every row; raise CsvImportError with all problems (a row of someone already a
    member is one), or return the rows."""
    preview = preview_invitations(community=community, data=data)
    errors = [RowError(row.line, row.message) for row in preview
              if row.outcome != Outcome.INVITE]
    if errors:
        raise CsvImportError(errors)
    return [row.invite for row in preview]


@transaction.atomic
def invitations_import(*, community: Community, data: bytes, invited_by) -> list[Invitation]:
    """All or nothing: every row becomes an invitation, or none does."""
    rows = parse_invitations(community=community, data=data)
    return [
        invitation_create(
            community=community, email=row.email, name=row.name,
            organization=row.organization, role=row.role, language=row.language,
            invited_by=invited_by,
        )
        for row in rows
    ]


@transaction.atomic
def invitations_import_previewed(*, community: Community, data: bytes,
                                 invited_by) -> list[Invitation]:
    """What the preview promised: every row to invite is invited, members already in the
    community are left alone; a file with any refused row imports nothing."""
    preview = preview_invitations(community=community, data=data)
    refused = [RowError(row.line, row.message) for row in preview
               if row.outcome == Outcome.REFUSED]
    if refused:
        raise CsvImportError(refused)
    return [
        invitation_create(
            community=community, email=row.email, name=row.name,
            organization=row.organization, role=row.role, language=row.language,
            invited_by=invited_by,
        )
        for row in preview if row.outcome == Outcome.INVITE
    ]


TEMPLATE_COLUMNS = ("email", "name", "organization", "role", "language")


def template_csv() -> bytes:
    """The file to fill in: the column names the import reads, UTF-8 with a byte-order mark
    so that Excel opens it with the Japanese intact."""
    return ("\ufeff" + ",".join(TEMPLATE_COLUMNS) + "\r\n").encode("utf-8")
