"""Jobs of the notices: thin — ids in, the work is in `apps.digests.notices`."""

__all__: list[str] = []
