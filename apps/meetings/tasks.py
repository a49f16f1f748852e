"""Background jobs of meetings. Thin: they take ids and call the work in `reminders`."""

from celery import shared_task

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
