import pytest

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
