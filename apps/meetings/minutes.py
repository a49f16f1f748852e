"""Minutes (議事要旨): written by the chair or the secretariat — in one step from the live
notes, or from scratch — under a TLP label and an audience that `apps.sharing` turns into
grants, published when ready (the people who came are told: `notice_recipients`), and
every later change of a published text kept as a revision.

Every service runs in one transaction and checks, inside it, that the actor runs the group
(`selectors.may_organise`) and can read the minutes: a hidden item is "not found", a refused
audience leaves nothing behind."""

import difflib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.communities.models import Membership, MembershipStatus
from apps.meetings.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    MinutesStatus,
)
from apps.meetings.selectors import may_organise, minutes_readable, notes_of
from apps.meetings.signals import minutes_published
from apps.sharing.audience import audience_resolve
from apps.sharing.exposure import exposure_check
from apps.sharing.selectors import recipients_of, visible_to
from apps.sharing.services import audience_set, author_membership
from apps.sharing.signals import send_on_commit
from apps.sharing.tlp import TLP


def _organiser_check(*, actor, meeting: Meeting) -> Membership:
    membership = author_membership(author=actor, community=meeting.community)
    if not may_organise(membership):
        raise PermissionDenied(_("Only the chair or the secretariat writes and publishes the "
                                 "minutes."))
    return membership


def _handle_check(*, actor, minutes: Minutes) -> None:
    """Hidden → not found; seen but not run by the actor → refused."""
    if not minutes_readable(actor, Minutes.objects.filter(pk=minutes.pk)).exists():
        raise Minutes.DoesNotExist
    _organiser_check(actor=actor, meeting=minutes.meeting)


def _texts_check(*, title: str, body: str) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the minutes a title.")
    if not (body or "").strip():
        errors["body"] = _("The minutes are empty.")
    if errors:
        raise ValidationError(errors)


def _exposures_check(minutes: Minutes, confirmed: Iterable[str]) -> None:
    """Before a text reaches its audience — when it is published, and each time a
    published text changes — what may identify a victim is confirmed or removed. A draft,
    read by the organisers only, is not held up."""
    exposure_check(texts={_("title"): minutes.title, _("text"): minutes.body},
                   confirmed=confirmed)


@transaction.atomic
def minutes_create(*, meeting: Meeting, author, title: str, body: str, tlp: str,
                   organizations: Iterable | None = None, users: Iterable | None = None,
                   federated: bool = False, id=None) -> Minutes:
    """A draft: only its author and the group's organisers (within its audience) read it
    until it is published."""
    membership = _organiser_check(actor=author, meeting=meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled: it has no minutes."))
    tlp = audience_resolve(community=meeting.community,
                           author_organization_id=membership.organization_id, tlp=tlp,
                           organizations=organizations, users=users, federated=federated).tlp
    _texts_check(title=title, body=body)
    minutes = Minutes(**({"id": id} if id is not None else {}), community=meeting.community,
                      meeting=meeting, author=author,
                      author_organization=membership.organization, title=title.strip(),
                      body=body)
    minutes.full_clean()
    minutes.save()
    audience_set(item=minutes, actor=author, tlp=tlp, organizations=organizations,
                 users=users, federated=federated)
    return minutes


@transaction.atomic
def minutes_update(*, minutes: Minutes, actor, title: str, body: str,
                   audience: dict | None = None,
                   confirmed_exposures: Iterable[str] = ()) -> Minutes:
    """Change the text (and, given ``audience``, the label and recipients — which `sharing`
    allows to the author and the secretariat only). A published text that changes is kept
    as a revision first."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__community").get(
        pk=minutes.pk)
    _handle_check(actor=actor, minutes=minutes)
    _texts_check(title=title, body=body)
    title = title.strip()
    if audience is not None and _audience_differs(minutes, audience):
        audience_set(item=minutes, actor=actor, **audience)
    if (title, body) != (minutes.title, minutes.body):
        if minutes.is_published:
            MinutesRevision.objects.create(minutes=minutes, title=minutes.title,
                                           body=minutes.body, changed_by=actor)
        minutes.title, minutes.body, minutes.updated_at = title, body, timezone.now()
        if minutes.is_published:
            _exposures_check(minutes, confirmed_exposures)
        minutes.save(update_fields=["title", "body", "updated_at"])
    return minutes


def _audience_differs(minutes: Minutes, audience: dict) -> bool:
    """Whether ``audience`` (the picker's choice) is not what the minutes have: an unchanged
    picker re-saves nothing, and needs no right to change the audience (a chair who is not
    the author edits the text)."""
    chosen = audience_resolve(community=minutes.community,
                              author_organization_id=minutes.author_organization_id,
                              **audience)
    return chosen != recipients_of(minutes)


@transaction.atomic
def minutes_publish(*, minutes: Minutes, actor,
                    confirmed_exposures: Iterable[str] = ()) -> Minutes:
    """Open the minutes to their whole audience, and announce it after the commit
    (`signals.minutes_published`: the people who came are told, by `notice_recipients`)."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__community").get(
        pk=minutes.pk)
    _handle_check(actor=actor, minutes=minutes)
    if minutes.is_published:
        raise ValidationError(_("These minutes are already published."))
    _exposures_check(minutes, confirmed_exposures)
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = minutes.updated_at = timezone.now()
    minutes.published_by = actor
    minutes.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    send_on_commit(minutes_published, Minutes, minutes=minutes, actor=actor)
    return minutes


def notes_markdown(meeting: Meeting) -> str:
    """The live notes of ``meeting`` as the text of its draft minutes: the general notes,
    then each agenda item in order with its presenter, its notes and the discussion that
    was recorded under it (questions and comments, and their answers)."""
    lines: list[str] = []
    for section in notes_of(meeting):
        item, note = section["item"], section["note"]
        text = (note.text.strip() if note else "")
        if item is None:
            if text:
                lines += [text, ""]
            continue
        presenter = f"（{item.presenter_name}）" if item.presenter_name else ""
        lines += [f"## {item.position}. {item.theme}{presenter}", ""]
        if text:
            lines += [text, ""]
        comments = list(item.comments.all())
        if comments:
            lines += [f"### {_('Discussion')}", ""]
            for comment in comments:
                chat = f" ({_('from the chat')})" if comment.from_chat else ""
                who = comment.speaker or _("A participant")
                lines.append(f"- **{who}**{chat}: {' '.join(comment.text.split())}")
                if comment.answer:
                    answerer = comment.answered_by or _("Answer")
                    lines.append(f"  - **{answerer}**: {' '.join(comment.answer.split())}")
            lines.append("")
    return "\n".join(lines).strip() + "\n"


def minutes_from_notes(*, meeting: Meeting, author) -> Minutes:
    """The notes become the draft minutes in one step: TLP:AMBER to every member
    organisation, the label a council's minutes usually carry; the chair changes it before
    publishing."""
    number = (_("No. %(number)s") % {"number": meeting.number} + " " if meeting.number else "")
    written = meeting.notes.exclude(text="").exists() or meeting.agenda.filter(
        comments__isnull=False).exists()
    if not written:
        raise ValidationError(_("No notes were taken for this meeting yet."))
    return minutes_create(
        meeting=meeting, author=author,
        title=_("Minutes: %(meeting)s") % {"meeting": f"{number}{meeting.display_title}"},
        body=notes_markdown(meeting), tlp=TLP.AMBER, organizations=None,
    )


def revisions_with_changes(minutes: Minutes) -> list[dict]:
    """The history of a published text, newest first: each change with who made it, when,
    and a unified diff from the text before to the text after."""
    revisions = list(minutes.revisions.select_related("changed_by"))
    after = (minutes.title, minutes.body)
    history = []
    for revision in revisions:
        before = (revision.title, revision.body)
        diff = difflib.unified_diff(
            f"{before[0]}\n\n{before[1]}".splitlines(),
            f"{after[0]}\n\n{after[1]}".splitlines(),
            lineterm="", n=1)
        history.append({"revision": revision, "diff": list(diff)[2:]})
        after = before
    return history


# ---- telling the people who came ------------------------------------------------------------

def notice_recipients(minutes: Minutes) -> list[int]:
    """Who is told that ``minutes`` are published: the members who came to the meeting
    (once it is recorded; until then, those who said they would come), still active, who
    may read the minutes — never someone outside their audience — but not the publisher.
    Asked by apps.digests when `signals.minutes_published` is sent."""
    rows = Attendance.objects.filter(meeting_id=minutes.meeting_id, user__isnull=False)
    if rows.filter(attended__isnull=False).exists():
        rows = rows.filter(attended=True)
    else:
        rows = rows.filter(answer__in=["in_person", "online"])
    active = Membership.objects.filter(community_id=minutes.community_id,
                                       status=MembershipStatus.ACTIVE)
    candidates = list(rows.filter(user_id__in=active.values("user_id"))
                      .exclude(user_id=minutes.published_by_id)
                      .values_list("user_id", flat=True))
    return [user_id for user_id in candidates if _reads(user_id, minutes)]


def _reads(user_id: int, minutes: Minutes) -> bool:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    return visible_to(user, Minutes.objects.filter(pk=minutes.pk,
                                                   status=MinutesStatus.PUBLISHED),
                      few=True).exists()
