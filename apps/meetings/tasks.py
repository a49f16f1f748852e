"""Background jobs of meetings. Thin: they take ids and call the work in `reminders` and
`minutes`."""

from celery import shared_task

from apps.meetings import minutes as minutes_services
from apps.meetings import reminders


@shared_task(acks_late=True)
def send_meeting_reminders() -> int:
    """Daily (beat): remind whoever said they would come to a meeting of the next day."""
    due = reminders.due_reminders()
    for attendance_id in due:
        send_meeting_reminder.delay(attendance_id)
    return len(due)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def send_meeting_reminder(self, attendance_id: int) -> bool:
    """One reminder, once: claimed before it is sent, released (and retried) if the mail
    server refuses it."""
    if not reminders.claim(attendance_id):
        return False
    try:
        reminders.reminder_email(attendance_id).send()
    except Exception as exc:
        reminders.release(attendance_id)
        raise self.retry(exc=exc) from exc
    return True


@shared_task(acks_late=True)
def send_minutes_notices(minutes_id: str) -> int:
    """After publishing: one job per person told (`minutes.notice_recipients`)."""
    from apps.meetings.models import Minutes

    minutes = Minutes.objects.filter(pk=minutes_id).first()
    if minutes is None:
        return 0
    recipients = minutes_services.notice_recipients(minutes)
    for user_id in recipients:
        send_minutes_notice.delay(minutes_id, user_id)
    return len(recipients)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def send_minutes_notice(self, minutes_id: str, user_id: int) -> bool:
    """One notice, once: claimed before it is sent, released (and retried) if the mail
    server refuses it."""
    if not minutes_services.notice_claim(minutes_id, user_id):
        return False
    try:
        email = minutes_services.notice_email(minutes_id, user_id)
        if email is None:
            return False
        email.send()
    except Exception as exc:
        minutes_services.notice_release(minutes_id, user_id)
        raise self.retry(exc=exc) from exc
    return True


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def send_guest_invitation(self, attendance_id: int) -> bool:
    """The invitation of a guest, retried if the mail server refuses it."""
    from apps.meetings.guests import guest_invitation_email

    try:
        guest_invitation_email(attendance_id).send()
    except Exception as exc:
        raise self.retry(exc=exc) from exc
    return True
