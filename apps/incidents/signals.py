"""What incidents announce to the apps above them, after the commit
(`apps.sharing.signals.send_on_commit`): the author of an incident is told when it is
sighted or given feedback (apps.digests), without this app knowing who listens."""

from django.dispatch import Signal

# An organisation reported seeing an incident or one of its indicators: ``sighting``;
# sender: `models.Sighting`.
sighting_added = Signal()

# A recipient said what it did with an incident: ``feedback`` (`models.UsageFeedback`);
# sender: `models.UsageFeedback`.
feedback_added = Signal()
