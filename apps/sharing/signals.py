"""What happened to shared content, announced to the apps above the content apps (digests
turns it into notices), which a content app may not import: the import wall of DESIGN.md
holds, and the receiver still asks `sharing` who may see what.

Every announcement is sent after the transaction commits (`send_on_commit`), so that nobody
is told of something rolled back, and robustly: a receiver that fails is logged and never
undoes, nor refuses, what the member did."""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# An item was given an audience that differs from the one it had (its first one when it is
# shared, or a new label or new recipients). Sent with ``item`` (the shared item, its label
# already set), ``audience`` (`audience.Audience`: the label and the recipients chosen) and
# ``actor`` (who set it); sender: the item's model.
audience_set_done = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    """Send ``signal`` once the current transaction commits (at once outside one). Nothing is
    queued when nobody listens."""
    if not signal.has_listeners(sender):
        return

    def send() -> None:
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                logger.error("%r failed on %s", receiver, sender.__name__,
                             exc_info=(type(result), result, result.__traceback__))

    transaction.on_commit(send)
