"""Jobs of the notices: thin — ids in, the work is in `apps.digests.notices`."""

from celery import shared_task

from apps.digests import notices
from portal.jobs import MAIL_RETRY

__all__ = ["send_due_notices", "send_notices"]


@shared_task(name="apps.digests.tasks.send_due_notices", acks_late=True)
def send_due_notices() -> int:
    """Every five minutes (beat): one job per member whose first unmailed notice is a few
    minutes old (`notices.EMAIL_DELAY`), so that what happened meanwhile goes in one e-mail."""
    due = notices.due_users()
    for user_id in due:
        send_notices.delay(user_id)
    return len(due)


@shared_task(name="apps.digests.tasks.send_notices", bind=True, **MAIL_RETRY)
def send_notices(self, user_id: int) -> int:
    """One member's e-mail of notices, once (`notices.notices_send` claims them first and
    gives them back if the mail server fails; `MAIL_RETRY` tries again with back-off)."""
    return notices.notices_send(user_id=user_id)
