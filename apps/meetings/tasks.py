"""Background jobs of meetings. Thin: they take ids and call the work in `reminders` and
`guests`. (Telling the people who came that minutes are published is a notice: see
`signals.minutes_published` and apps.digests.)"""

from celery import shared_task

from apps.meetings import reminders
from portal.jobs import MAIL_RETRY


@shared_task(acks_late=True)
def send_meeting_reminders() -> int:
    """Daily (beat): remind whoever said they would come to a meeting of the next day."""
    due = reminders.due_reminders()
    for attendance_id in due:
        send_meeting_reminder.delay(attendance_id)
    return len(due)


@shared_task(bind=True, **MAIL_RETRY)
def send_meeting_reminder(self, attendance_id: int) -> bool:
    """One reminder, once: claimed before it is sent, released if it could not be sent —
    and retried with back-off when the mail server or the network failed (`MAIL_RETRY`)."""
    if not reminders.claim(attendance_id):
        return False
    try:
        reminders.reminder_email(attendance_id).send()
    except BaseException:
        reminders.release(attendance_id)
        raise
    return True


@shared_task(bind=True, **MAIL_RETRY)
def send_guest_invitation(self, attendance_id: int) -> bool:
    """The invitation of a guest, retried with back-off when the mail server or the network
    failed (`MAIL_RETRY`)."""
    from apps.meetings.guests import guest_invitation_email

    guest_invitation_email(attendance_id).send()
    return True
