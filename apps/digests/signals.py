"""Receivers of the events other apps announce (an item shared, a reply, a sighting, minutes
published), turned into notices; and of Celery's failures, recorded. Connected in
`DigestsConfig.ready`.

The content apps send their signals after the commit (`apps.sharing.signals.send_on_commit`)
because they may not import this app; each receiver here is one plain call into
`apps.digests.notices`, where the rules are."""

import logging

from celery.signals import task_failure, task_retry
from django.db import DatabaseError, transaction
from django.dispatch import receiver

from apps.digests import notices
from apps.digests.models import JobFailure, NoticeKind
from apps.discussions.signals import post_added
from apps.incidents.signals import feedback_added, sighting_added
from apps.meetings.signals import minutes_published
from apps.sharing.signals import audience_set_done

logger = logging.getLogger(__name__)


# ---- notices -----------------------------------------------------------------------------------

@receiver(audience_set_done, dispatch_uid="digests.notices.addressed")
def _addressed(sender, *, item, audience, actor=None, **kwargs):
    notices.tell_addressed(item=item, audience=audience, actor=actor)


@receiver(post_added, dispatch_uid="digests.notices.reply")
def _reply(sender, *, post, **kwargs):
    notices.tell_reply(post=post)


@receiver(sighting_added, dispatch_uid="digests.notices.sighted")
def _sighted(sender, *, sighting, **kwargs):
    notices.tell_author(kind=NoticeKind.SIGHTED, incident=sighting.incident,
                        actor_id=sighting.user_id)


@receiver(feedback_added, dispatch_uid="digests.notices.feedback")
def _feedback(sender, *, feedback, **kwargs):
    notices.tell_author(kind=NoticeKind.FEEDBACK, incident=feedback.incident,
                        actor_id=feedback.user_id)


@receiver(minutes_published, dispatch_uid="digests.notices.minutes")
def _minutes(sender, *, minutes, actor=None, **kwargs):
    notices.tell_minutes(minutes=minutes, actor=actor)


# ---- failed jobs -------------------------------------------------------------------------------

ARGS_KEPT = 500  # characters of a job's arguments kept: ids and options, never a text
ARG_KEPT = 80    # characters of any one argument
ERROR_KEPT = 2000


def _short(value, limit: int) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _arguments(args, kwargs) -> str:
    """The job's arguments as a short text: each cut to `ARG_KEPT` characters, so that a
    text handed to a job (an e-mail body, a note) is never kept whole."""
    parts = [_short(arg, ARG_KEPT) for arg in args or ()]
    parts += [f"{key}={_short(value, ARG_KEPT)}" for key, value in (kwargs or {}).items()]
    text = ", ".join(parts)
    return text if len(text) <= ARGS_KEPT else text[: ARGS_KEPT - 1] + "…"


def _error(error) -> str:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return text[:ERROR_KEPT]


def job_failure_record(*, task: str, task_id: str | None, args, kwargs, error,
                       retrying: bool) -> JobFailure | None:
    """One row for a job that raised. Never raises itself: a failure to record a failure is
    logged, and the job's own outcome (retry, failure) goes on."""
    try:
        with transaction.atomic():
            return JobFailure.objects.create(
                task=(task or "?")[:200], task_id=(task_id or "")[:64],
                args=_arguments(args, kwargs),
                error=_error(error), retrying=retrying)
    except DatabaseError:
        logger.exception("could not record the failure of %s[%s]", task, task_id)
        return None


@task_failure.connect(dispatch_uid="digests.job_failure")
def _job_failed(sender=None, task_id=None, exception=None, args=None, kwargs=None, **extra):
    job_failure_record(task=getattr(sender, "name", str(sender)), task_id=task_id, args=args,
                       kwargs=kwargs, error=exception, retrying=False)


@task_retry.connect(dispatch_uid="digests.job_retry")
def _job_retried(sender=None, request=None, reason=None, **extra):
    # ``reason``: Celery's Retry, carrying the error that caused it (or a text).
    error = getattr(reason, "exc", None) or reason
    job_failure_record(task=getattr(sender, "name", str(sender)),
                       task_id=getattr(request, "id", None), args=getattr(request, "args", None),
                       kwargs=getattr(request, "kwargs", None), error=error, retrying=True)
