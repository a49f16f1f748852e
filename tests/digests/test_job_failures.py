"""Failed jobs are seen: every job that raises — or is retried — leaves a row (name, id,
short arguments, the error, whether it will be retried) for the administrators; and the jobs
that send e-mail give their claim back and are retried with back-off when the mail server or
the network fails (`portal.jobs.MAIL_RETRY`)."""

import smtplib

import pytest
from celery import shared_task
from celery.exceptions import Retry
from django.core import mail

from apps.communities.models import Invitation
from apps.communities.services import invitation_create
from apps.communities.tasks import send_invitation_email
from apps.digests.models import JobFailure
from apps.meetings.models import Answer, Attendance
from apps.meetings.tasks import send_guest_invitation, send_meeting_reminder
from portal.jobs import MAIL_RETRY
from tests.meetings.test_meetings import make_meetings, make_series

pytestmark = pytest.mark.django_db


@shared_task(name="tests.digests.failing_job")
def failing_job(item_id: str, note: str = "") -> None:
    raise ValueError(f"cannot handle {item_id}")


@shared_task(name="tests.digests.flaky_mail_job", bind=True, **MAIL_RETRY)
def flaky_mail_job(self, user_id: int) -> str:
    """Fails the first time, as a mail server that dropped the connection once."""
    if self.request.retries == 0:
        raise smtplib.SMTPServerDisconnected("connection lost")
    return "sent"


# As a worker runs them: the outcome is recorded, not raised at the caller (an eager call
# that propagates the error, as `make run` does, shows it to the caller instead).

def test_a_job_that_raises_leaves_a_row():
    result = failing_job.apply(args=["1234"], kwargs={"note": "x" * 5000}, throw=False)
    assert result.state == "FAILURE"
    (failure,) = JobFailure.objects.all()
    assert failure.task == "tests.digests.failing_job"
    assert failure.task_id
    assert failure.error == "ValueError: cannot handle 1234"
    assert failure.retrying is False
    # The arguments, each cut short: a long text handed to a job is never kept whole.
    assert "'1234'" in failure.args and "note=" in failure.args
    assert "x" * 100 not in failure.args and len(failure.args) <= 500


@pytest.fixture
def errors_not_propagated():
    """Eager, a retry runs at once — unless the error is propagated to the caller."""
    from portal.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def test_a_retried_job_says_it_will_be_retried(errors_not_propagated):
    assert flaky_mail_job.apply(args=[7]).get() == "sent"
    (failure,) = JobFailure.objects.all()
    assert failure.task == "tests.digests.flaky_mail_job" and failure.retrying is True
    assert failure.error == "SMTPServerDisconnected: connection lost"
    assert failure.args == "7"


def test_a_job_that_succeeds_leaves_nothing(community, sec, org_b):
    invitation_create(community=community, email="new@beta.example.jp", name="新井",
                      organization=org_b, role="member", language="ja", invited_by=sec)
    assert send_invitation_email.apply(
        args=[str(Invitation.objects.get().pk)]).get() is True
    assert not JobFailure.objects.exists()


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("mail server gone")


@pytest.fixture
def refusing_mail(settings):
    settings.EMAIL_BACKEND = "tests.digests.test_job_failures.RefusingBackend"
    return settings


def test_an_invitation_refused_by_the_mail_server_is_given_back_and_retried(
        community, sec, org_b, refusing_mail):
    invitation = invitation_create(community=community, email="new@beta.example.jp",
                                   name="新井", organization=org_b, role="member",
                                   language="ja", invited_by=sec)
    with pytest.raises(Retry):  # eager: raised where a worker would schedule the retry
        send_invitation_email.apply(args=[str(invitation.pk)], throw=True)
    invitation.refresh_from_db()
    assert invitation.sent_at is None  # released: the retry sends it
    refusing_mail.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_invitation_email.apply(args=[str(invitation.pk)]).get() is True
    assert len(mail.outbox) == 1


def test_a_reminder_refused_by_the_mail_server_is_given_back_and_retried(
        community, alice, refusing_mail):
    meeting = make_meetings(make_series(community), 1)[0]
    attendance = Attendance.objects.create(
        meeting=meeting, community=community, user=alice, answer=Answer.IN_PERSON,
        organization=alice.memberships.get().organization)
    with pytest.raises(Retry):
        send_meeting_reminder.apply(args=[attendance.pk], throw=True)
    attendance.refresh_from_db()
    assert attendance.reminded_at is None
    refusing_mail.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_meeting_reminder.apply(args=[attendance.pk]).get() is True
    assert send_meeting_reminder.apply(args=[attendance.pk]).get() is False  # once


def test_mail_jobs_retry_with_back_off_on_mail_and_network_errors():
    for task in (send_invitation_email, send_meeting_reminder, send_guest_invitation):
        assert task.autoretry_for == MAIL_RETRY["autoretry_for"]
        assert task.retry_backoff == MAIL_RETRY["retry_backoff"] and task.acks_late
        assert task.max_retries == MAIL_RETRY["max_retries"]
