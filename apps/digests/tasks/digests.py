"""Jobs of the digests: thin — ids in, the work is in `apps.digests.digests`."""

__all__: list[str] = []
