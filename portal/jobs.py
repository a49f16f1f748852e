"""What every job that sends e-mail shares: retried with back-off when the mail server or
the network fails (a refused recipient is not a reason to lose the others' mail), a bounded
number of times, each attempt spread out (jitter) so that a server coming back is not hit by
every worker at once."""

import smtplib

# For `@shared_task(bind=True, **MAIL_RETRY)`: the task raises, Celery retries.
MAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
}
