"""Jobs of the digests: thin — the work is in `apps.digests.digests`."""

import datetime

from celery import current_app, shared_task
from django.db import transaction
from django.utils import timezone

from apps.digests import digests
from portal.jobs import MAIL_RETRY

__all__ = ["retry_digests", "send_digests", "send_digests_part"]


def _retry_later(run: digests.DigestRun) -> None:
    """Enqueue the retry of the failed digests for when the first is due. Not when tasks run
    in-process (no broker, no beat): there the next run, or `send_digests` by hand, retries."""
    if run.retry_at is None or current_app.conf.task_always_eager:
        return
    countdown = max(1, int((run.retry_at - timezone.now()).total_seconds()) + 1)
    transaction.on_commit(lambda: retry_digests.apply_async(countdown=countdown))


def run_part(frequency: str, now: str | None, part: int, parts: int) -> dict:
    """One part of a run (all of it when ``parts`` is 1), as the tasks and the command run
    it."""
    run = digests.digests_send(
        frequency=frequency,
        now=datetime.datetime.fromisoformat(now) if now else None,
        shard=(part, parts) if parts > 1 else None,
    )
    _retry_later(run)
    return run.as_dict()


# If the mail server cannot be reached at all, the run raises and Celery runs it again with
# back-off (MAIL_RETRY): it sends only what is still missing.
@shared_task(name="apps.digests.tasks.send_digests", bind=True, **MAIL_RETRY)
def send_digests(self, frequency: str, parts: int = 1) -> dict:
    """Daily and weekly (beat, kwargs {"frequency": ...}): the digests due now. With
    ``parts`` above 1 (kwargs {"frequency": ..., "parts": 2} in the schedule), the members
    are split into that many jobs, which the workers run side by side."""
    if parts <= 1:
        return run_part(frequency, None, 0, 1)
    now = timezone.now().isoformat()
    for part in range(parts):
        transaction.on_commit(lambda part=part: send_digests_part.delay(
            frequency=frequency, now=now, part=part, parts=parts))
    return {"frequency": frequency, "parts": parts}


@shared_task(name="apps.digests.tasks.send_digests_part", bind=True, **MAIL_RETRY)
def send_digests_part(self, frequency: str, now: str, part: int, parts: int) -> dict:
    """One of ``parts`` jobs of the run started at ``now``: the members whose id is
    ``part`` modulo ``parts``."""
    return run_part(frequency, now, part, parts)


@shared_task(name="apps.digests.tasks.retry_digests", bind=True, **MAIL_RETRY)
def retry_digests(self) -> dict:
    """The digests that failed, once their back-off is over; again later if some fail."""
    run = digests.digests_retry()
    _retry_later(run)
    return run.as_dict()
