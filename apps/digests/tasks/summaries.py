"""Jobs of the summaries: thin — ids in, the work is in `apps.digests.summaries`."""

__all__: list[str] = []
