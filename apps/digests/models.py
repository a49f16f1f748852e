"""What the background jobs keep: each digest e-mail due to a member for a period, each
notice a member is told at once, each two-monthly federation summary and its e-mails to the
liaisons, and every job that failed.

Every e-mail is a row *claimed before* it is handed to the mail server and marked sent after
(or failed, with the reason, and retried): a rerun sends only what is missing, a second
worker sends nothing twice, and nothing fails silently."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import DigestFrequency
from apps.communities.models import Community, Federation


class DeliveryStatus(models.TextChoices):
    CLAIMED = "claimed", _("being sent")
    SENT = "sent", _("sent")
    EMPTY = "empty", _("nothing to say")
    FAILED = "failed", _("failed")


def interrupted_claims(now) -> Q:
    """Claims older than `MAIL_CLAIM_STALE_SECONDS`, never marked: their worker died or was
    lost while handing the e-mail over (a live one takes seconds). Taken over rather than
    left: a rare second copy rather than a lost e-mail."""
    stale_before = now - timedelta(seconds=settings.MAIL_CLAIM_STALE_SECONDS)
    return Q(status=DeliveryStatus.CLAIMED, claimed_at__lt=stale_before)


class DeliveryMixin(models.Model):
    """The state of one e-mail: claimed → sent | nothing to say | failed (retried)."""

    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.CLAIMED)
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        abstract = True


class DigestDelivery(DeliveryMixin):
    """One digest of one member for one period (a day, or an ISO week, in Asia/Tokyo):
    unique, so that the same period is never sent twice. ``since`` and ``until`` bound what
    it told (``since``: the end of the member's previous digest)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="digest_deliveries", verbose_name=_("member"))
    frequency = models.CharField(_("frequency"), max_length=10,
                                 choices=[(f.value, f.label) for f in DigestFrequency
                                          if f != DigestFrequency.OFF])
    period = models.CharField(_("period"), max_length=10,
                              help_text=_("2026-12-07 for a day, 2026-W50 for a week."))
    since = models.DateTimeField(_("new since"))
    until = models.DateTimeField(_("new until"))
    item_count = models.PositiveIntegerField(_("items told"), default=0)

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        ordering = ["-claimed_at"]
        constraints = [models.UniqueConstraint(fields=["user", "frequency", "period"],
                                               name="digest_once_per_period")]
        indexes = [
            models.Index(fields=["user", "frequency", "-until"], name="digest_last_of_user"),
            models.Index(fields=["status", "claimed_at"], name="digest_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.frequency} {self.period}"


class NoticeKind(models.TextChoices):
    ADDRESSED = "addressed", _("addressed to you")
    ORGANIZATION = "organization", _("addressed to your organisation")
    REPLY = "reply", _("a reply in a thread you wrote in")
    SIGHTED = "sighted", _("your item was sighted")
    FEEDBACK = "feedback", _("feedback on your item")
    MINUTES = "minutes", _("minutes of a meeting you attended")


class Notice(models.Model):
    """Something a member is told at once (if they chose to be): an unread count in the
    navigation, a page of notices, and — several within a few minutes making one — an
    e-mail under the TLP table's e-mail column. ``object_id`` names the shared item (an
    incident, a thread, minutes); whether the member may still see it is asked again
    whenever the notice is shown or sent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notices", verbose_name=_("member"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    kind = models.CharField(_("kind"), max_length=15, choices=NoticeKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.UUIDField()
    count = models.PositiveIntegerField(_("how many"), default=1,
                                        help_text=_("Sightings or replies folded into it."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notice_of_user"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True),
                         name="notice_unread"),
            models.Index(fields=["user"], condition=Q(emailed_at__isnull=True),
                         name="notice_unmailed"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.object_id}"


class Summary(models.Model):
    """A federation's summary of one two-month period (``period``: its first month,
    "2026-10" for October–November), rebuilt in place: unique per (federation, period).
    ``data`` is the JSON document served at its stable address; the page and the e-mails
    are made from it."""

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE,
                                   related_name="summaries", verbose_name=_("federation"))
    period = models.CharField(_("period"), max_length=7)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    data = models.JSONField(_("summary"), default=dict)
    built_at = models.DateTimeField(_("built"), default=timezone.now)

    class Meta:
        verbose_name = _("federation summary")
        verbose_name_plural = _("federation summaries")
        ordering = ["federation", "-period"]
        constraints = [models.UniqueConstraint(fields=["federation", "period"],
                                               name="summary_once_per_period")]

    def __str__(self) -> str:
        return f"{self.federation} {self.period}"


class SummaryDelivery(DeliveryMixin):
    """The summary e-mailed to one liaison, once per summary."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="deliveries",
                                verbose_name=_("summary"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("liaison"))

    class Meta:
        verbose_name = _("summary delivery")
        verbose_name_plural = _("summary deliveries")
        ordering = ["-claimed_at"]
        constraints = [models.UniqueConstraint(fields=["summary", "user"],
                                               name="summary_delivery_once")]

    def __str__(self) -> str:
        return f"{self.summary} → {self.user_id}"


class JobFailure(models.Model):
    """A background job that raised: recorded by a Celery signal, whatever the job, so that
    a failure is seen in the admin rather than lost in a worker's log."""

    task = models.CharField(_("job"), max_length=200)
    task_id = models.CharField(_("job id"), max_length=64, blank=True)
    args = models.TextField(_("arguments"), blank=True)
    error = models.TextField(_("error"))
    retrying = models.BooleanField(_("will be retried"), default=False)
    failed_at = models.DateTimeField(_("failed"), default=timezone.now)

    class Meta:
        verbose_name = _("failed job")
        verbose_name_plural = _("failed jobs")
        ordering = ["-failed_at"]
        indexes = [models.Index(fields=["-failed_at"], name="jobfailure_recent")]

    def __str__(self) -> str:
        return f"{self.task} @ {self.failed_at:%Y-%m-%d %H:%M}"
