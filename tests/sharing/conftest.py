import os

import pytest
from hypothesis import HealthCheck, settings

from apps.incidents.models import Incident
from apps.incidents.services import incident_create
from apps.sharing.selectors import visible_to


@pytest.fixture
def share(community):
    """share(author, tlp, **choice) -> a new incident in the fin-isac community."""

    def make(author, tlp, **choice):
        choice.setdefault("community", community)
        return incident_create(
            author=author,
            title=f"{tlp} incident",
            category="ransomware",
            summary="ランサムウェアの感染を確認",
            tlp=tlp,
            **choice,
        )

    return make


@pytest.fixture
def seers(cast):
    """seers(item) -> the names of the cast who can see it, read through `visible_to`."""

    def names(item):
        return {
            name
            for name, user in cast.items()
            if visible_to(user, Incident.objects.filter(pk=item.pk)).exists()
        }

    return names


# Hypothesis profiles: HYPOTHESIS_PROFILE=ci runs several hundred worlds, the same ones on
# every run (derandomized), so that whether a change lands never rests on a lucky draw; the
# local default keeps a run short and explores new worlds each time. Worlds touch the
# database, so no per-example deadline. The cross-surface test (test_surfaces_property)
# makes ~100 HTTP requests per world and runs fewer of them (its own SURFACE_EXAMPLES: 200
# under ci, ~7 minutes on PostgreSQL).
settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=400,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
