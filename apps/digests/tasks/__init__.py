"""The jobs of this app, one module per job family, registered under the stable names the
schedules use (``apps.digests.tasks.<name>``): digests, notices, federation summaries."""

from apps.digests.tasks.digests import *  # noqa: F403
from apps.digests.tasks.notices import *  # noqa: F403
from apps.digests.tasks.summaries import *  # noqa: F403
