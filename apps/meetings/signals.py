"""What meetings announce to the apps above them, after the commit
(`apps.sharing.signals.send_on_commit`): the people who came to a meeting are told when its
minutes are published (apps.digests, by `minutes.notice_recipients`), without this app
knowing who listens."""

from django.dispatch import Signal

# Minutes were published: ``minutes``, ``actor`` (who published them); sender:
# `models.Minutes`.
minutes_published = Signal()
