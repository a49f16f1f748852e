"""What discussions announce to the apps above them, after the commit
(`apps.sharing.signals.send_on_commit`): those who wrote in a thread are told of a reply
(apps.digests), without this app knowing who listens."""

from django.dispatch import Signal

# A post was added to a thread after its first one: ``post``; sender: `models.Post`.
post_added = Signal()
