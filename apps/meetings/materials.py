"""Materials handed out at a meeting (配付資料): uploaded under their own TLP label and
audience, checked before anything is stored.

The type of a file is read from its content (`filetype`), never from its name: a file whose
content is not what its extension says is refused, so that a renamed executable cannot pass
for slides. Text formats have no signature: they must decode as UTF-8 and hold no binary
bytes. Nothing is half-saved: the file is written inside the transaction and removed again
if anything after it fails."""

import hashlib
from collections.abc import Iterable
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from apps.meetings.models import Material, Meeting, MeetingStatus
from apps.sharing.audience import audience_resolve
from apps.sharing.selectors import may_change, visible_to
from apps.sharing.services import audience_set, author_membership

# Extension → the content type its content must be. Office's zip-based formats are told
# apart by their inner structure (filetype looks inside the archive).
ACCEPTED = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "zip": "application/zip",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
}
TEXT_TYPES = {"txt", "md", "csv"}
# The old Office formats share one container signature (OLE2): filetype names it by its
# first matcher, whichever of the three it is.
OLE2 = {"doc", "xls", "ppt"}
# What filetype calls a kind, when it differs from our extension.
SAME_KIND = {"jpeg": "jpg"}
SNIFF_BYTES = 8192


def _kind_of(head: bytes, whole) -> str | None:
    """filetype's extension for this content, or None when it has no known signature."""
    kind = filetype.guess(head)
    if kind is not None and kind.extension == "zip":
        # Office and OpenDocument files are zips: look inside the whole file.
        whole.seek(0)
        kind = filetype.guess(whole.read()) or kind
    return None if kind is None else kind.extension


def _is_text(upload) -> bool:
    upload.seek(0)
    data = upload.read()
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def checked_type(upload) -> str:
    """The content type of ``upload`` (a Django UploadedFile), or a ValidationError that says
    what is wrong in the reader's language: empty, too large, a type not accepted, or content
    that is not what the name says."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    limit = settings.MATERIAL_MAX_BYTES
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError({"file": _("The file is %(size)s; materials may be at most "
                                          "%(limit)s.")
                               % {"size": filesizeformat(upload.size),
                                  "limit": filesizeformat(limit)}})
    if extension not in ACCEPTED:
        raise ValidationError({"file": _(
            "Files of type “.%(extension)s” are not accepted. Accepted: %(accepted)s."
        ) % {"extension": extension or "?",
             "accepted": ", ".join(sorted({SAME_KIND.get(e, e) for e in ACCEPTED}))}})
    upload.seek(0)
    found = _kind_of(upload.read(SNIFF_BYTES), upload)
    upload.seek(0)
    expected = SAME_KIND.get(extension, extension)
    if extension in TEXT_TYPES:
        agrees = found is None and _is_text(upload)
    elif expected in OLE2:
        agrees = found in OLE2
    else:
        agrees = found == expected
    upload.seek(0)
    if not agrees:
        raise ValidationError({"file": _(
            "The content of “%(name)s” is not a .%(extension)s file. Upload the file as it "
            "was saved, with its own extension."
        ) % {"name": name, "extension": extension}})
    return ACCEPTED[extension]


def _digest(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def material_upload(*, meeting: Meeting, author, upload, title: str, description: str = "",
                    tlp: str, organizations: Iterable | None = None,
                    users: Iterable | None = None, federated: bool = False,
                    id=None) -> Material:
    """Store a material shared by ``author`` (a member who shares) under the audience
    chosen; everything is checked before the file is written."""
    membership = author_membership(author=author, community=meeting.community)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled: nothing can be added to it."))
    tlp = audience_resolve(community=meeting.community,
                           author_organization_id=membership.organization_id, tlp=tlp,
                           organizations=organizations, users=users, federated=federated).tlp
    content_type = checked_type(upload)
    title = (title or "").strip() or PurePath(upload.name).stem
    material = Material(
        **({"id": id} if id is not None else {}), community=meeting.community, meeting=meeting,
        author=author, author_organization=membership.organization, title=title[:200],
        description=description or "", filename=PurePath(upload.name).name[:200],
        content_type=content_type, size=upload.size, sha256=_digest(upload))
    material.full_clean(exclude=["file"])
    try:
        with transaction.atomic():
            material.file.save(material.filename, upload, save=False)
            material.save()
            audience_set(item=material, actor=author, tlp=tlp, organizations=organizations,
                         users=users, federated=federated)
    except BaseException:
        if material.file.name:
            material.file.storage.delete(material.file.name)
        raise
    return material


def material_delete(*, material: Material, actor) -> None:
    """Removed with its file by its author or the secretariat (`sharing.may_change`);
    hidden from the actor → not found."""
    if not visible_to(actor, Material.objects.filter(pk=material.pk), few=True).exists():
        raise Material.DoesNotExist
    if not may_change(actor, material):
        raise PermissionDenied(_("Only the person who shared it or the secretariat can "
                                 "remove a material."))
    name = material.file.name
    with transaction.atomic():
        material.delete()
        transaction.on_commit(lambda: material.file.storage.delete(name))
