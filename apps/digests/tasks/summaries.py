"""Jobs of the summaries: thin — ids in, the work is in `apps.digests.summaries`."""

from celery import shared_task

from apps.digests import summaries
from portal.jobs import MAIL_RETRY

__all__ = ["build_federation_summaries", "send_federation_summary"]


@shared_task(name="apps.digests.tasks.build_federation_summaries", acks_late=True)
def build_federation_summaries() -> int:
    """Beat, the day after each period ends: every federation's summary of that period,
    built (or rebuilt) in place, then one e-mail job per liaison — each sent once, however
    often this runs."""
    built = summaries.summaries_build_due()
    return sum(summaries.summary_send_all(summary) for summary in built)


@shared_task(bind=True, name="apps.digests.tasks.send_federation_summary", **MAIL_RETRY)
def send_federation_summary(self, summary_id: int, user_id: int) -> str:
    """One summary to one liaison, once; a mail server's refusal is recorded on the delivery
    and retried with back-off."""
    return summaries.summary_send(summary_id, user_id)
