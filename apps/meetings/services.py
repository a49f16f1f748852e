"""Changes to a meeting's record. Views and the API call these; they refuse with a
ValidationError whose message the user reads."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.communities.models import Membership, MembershipStatus
from apps.meetings.models import (
    ROLE_OF_MEMBERSHIP,
    AgendaItem,
    Answer,
    Attendance,
    Feedback,
    Meeting,
    MeetingNote,
    MeetingStatus,
)
from apps.meetings.selectors import may_organise, may_take_notes


@transaction.atomic
def record_save(*, form, membership: Membership, agenda=None):
    """Save a series or meeting form of ``membership``'s community (checked once more here:
    a view that forgot would still be refused), and a meeting's agenda formset with it: the
    items numbered in the order given."""
    if not may_organise(membership) or form.instance.community_id != membership.community_id:
        raise PermissionDenied(_("Only the chair or the secretariat keeps the record of "
                                 "meetings."))
    saved = form.save()
    if agenda is not None:
        for item_form in agenda.deleted_forms:
            if item_form.instance.pk:
                item_form.instance.delete()
        deleted = set(agenda.deleted_forms)
        kept = [f for f in agenda.forms
                if f not in deleted and (f.instance.pk or f.has_changed())]
        # Out of the way first: the new order may swap two positions (unique per meeting).
        AgendaItem.objects.filter(meeting=saved).update(position=F("position") + 10_000)
        for position, item_form in enumerate(kept, start=1):
            item = item_form.save(commit=False)
            item.meeting, item.community_id, item.position = saved, saved.community_id, position
            item.save()
    return saved


def answerable(meeting: Meeting) -> Meeting:
    """The meeting, locked, if it still takes answers (not cancelled, not started)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled: there is nothing to answer."),
                              code="cancelled")
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("The meeting has started: answers are closed."),
                              code="started")
    return meeting


@transaction.atomic
def invitation_answer(*, meeting: Meeting, user, answer: str) -> Attendance:
    """``user``'s answer to the meeting (in person, online, absent), until it starts. Only
    an active member of the meeting's community answers; a cancelled meeting takes none."""
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Choose in person, online or absent.")},
                              code="answer")
    membership = (Membership.objects.select_for_update()
                  .filter(community_id=meeting.community_id, user=user,
                          status=MembershipStatus.ACTIVE).first())
    if membership is None:
        raise ValidationError(_("Only active members of the community answer."),
                              code="not_member")
    meeting = answerable(meeting)
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting, user=user,
        defaults={"community_id": meeting.community_id, "answer": answer,
                  "answered_at": timezone.now(), "organization_id": membership.organization_id,
                  "role": ROLE_OF_MEMBERSHIP[membership.role]},
    )
    return attendance


@transaction.atomic
def feedback_give(*, user, text: str, anonymous: bool, meeting: Meeting | None = None,
                  series=None) -> Feedback:
    """``user``'s feedback on a meeting (once it has started) or on the year; giving it again
    replaces it. Only an active member of the community gives feedback."""
    target = meeting or series
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something first.")}, code="empty")
    if not Membership.objects.filter(community_id=target.community_id, user=user,
                                     status=MembershipStatus.ACTIVE).exists():
        raise ValidationError(_("Only active members of the community give feedback."),
                              code="not_member")
    if meeting is not None and meeting.starts_at > timezone.now():
        raise ValidationError(_("Feedback opens when the meeting starts."), code="early")
    if meeting is not None and meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."), code="cancelled")
    feedback, _created = Feedback.objects.update_or_create(
        author=user, meeting=meeting, series=series,
        defaults={"community_id": target.community_id, "text": text,
                  "anonymous": anonymous},
    )
    return feedback


class NoteConflict(ValidationError):
    """A save based on an older version of the notes: ``current`` is what is saved now."""

    def __init__(self, current: MeetingNote):
        super().__init__(_("Someone else saved these notes meanwhile. Merge your text with "
                           "theirs, then save again."), code="conflict")
        self.current = current


@transaction.atomic
def note_save(*, meeting: Meeting, item, user, text: str, base_version: int) -> MeetingNote:
    """Save the notes of ``item`` (None: the meeting's general notes) if they are still at
    ``base_version``; otherwise raise `NoteConflict` and change nothing."""
    membership = Membership.objects.filter(community_id=meeting.community_id, user=user).first()
    if not may_take_notes(membership, meeting):
        raise PermissionDenied(_("Only the chair, the secretariat or a note-taker they named "
                                 "writes the notes."))
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError(_("This agenda item belongs to another meeting."), code="item")
    note, _created = MeetingNote.objects.select_for_update().get_or_create(
        meeting=meeting, item=item, defaults={"community_id": meeting.community_id})
    if note.version != base_version:
        raise NoteConflict(note)
    note.text, note.version, note.updated_by = text, note.version + 1, user
    note.save()
    return note


@transaction.atomic
def attendance_record(*, meeting: Meeting, actor, attended: set[int]) -> int:
    """After the meeting started, the chair or the secretariat records who came: each active
    member of the community is marked as having attended (``attended``: their user ids) or
    not, keeping their answer. Returns how many came."""
    membership = Membership.objects.filter(community_id=meeting.community_id, user=actor).first()
    if not may_organise(membership):
        raise PermissionDenied(_("Only the chair or the secretariat keeps the record of "
                                 "meetings."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."), code="cancelled")
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Who came is recorded once the meeting has started."),
                              code="early")
    members = list(Membership.objects.filter(community_id=meeting.community_id,
                                             status=MembershipStatus.ACTIVE))
    # Three queries whatever the size of the community: the rows there are, then one update
    # and one insert for all.
    rows = {row.user_id: row for row in Attendance.objects.filter(meeting=meeting,
                                                                  user__isnull=False)}
    new = []
    for member in members:
        row = rows.get(member.user_id) or Attendance(
            meeting=meeting, community_id=meeting.community_id, user_id=member.user_id)
        row.organization_id = member.organization_id
        row.role = ROLE_OF_MEMBERSHIP[member.role]
        row.attended = member.user_id in attended
        if row.pk is None:
            new.append(row)
    Attendance.objects.bulk_update(
        [rows[m.user_id] for m in members if m.user_id in rows],
        ["organization", "role", "attended"])
    Attendance.objects.bulk_create(new)
    return len(attended & {member.user_id for member in members})
