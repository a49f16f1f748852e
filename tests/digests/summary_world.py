"""A federation of two ISACs for the summary tests: fin-isac (the cast of tests/conftest.py)
and ict-isac (``outsider`` of org C and ``dave`` of org D), coordinated by ict-isac. The
liaisons are ``sec`` (fin-isac's secretariat, reads Japanese) and ``dave`` (English).
``stranger`` is active in a third community, outside the federation.

Import the fixtures (``world_fixture``, ``federation_fixture``: asked for as ``world`` and
``federation``) into each test module that uses them."""

import datetime
import zoneinfo

import pytest

from apps.communities.models import Federation
from apps.digests.summaries import Period
from apps.incidents.attack import catalogue_load, records_from_bundle
from apps.incidents.models import Incident, Indicator
from apps.incidents.services import incident_create
from tests.conftest import _member
from tests.factories import CommunityFactory, OrganizationFactory
from tests.incidents.conftest import MINI_BUNDLE

__all__ = ["APRIL", "TOKYO", "at", "federation_fixture", "share", "world_fixture"]

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
APRIL = Period(2026, 4)  # April–May 2026; the period before is February–March


def at(month: int, day: int, hour: int = 12, minute: int = 0,
       year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def share(author, community, tlp, title, when, **choice):
    """An incident shared through the service, then dated ``when`` (and its indicators)."""
    choice.setdefault("category", "phishing")
    choice.setdefault("summary", f"About **{title}**: what we saw.")
    incident = incident_create(author=author, community=community, tlp=tlp, title=title,
                               **choice)
    Incident.objects.filter(pk=incident.pk).update(created_at=when)
    Indicator.objects.filter(incident=incident).update(created_at=when)
    incident.refresh_from_db()
    return incident


@pytest.fixture(name="world")
def world_fixture(db, cast, community, other_community):
    catalogue_load(records_from_bundle(MINI_BUNDLE))
    org_d = OrganizationFactory(slug="org-d", name="デルタ通信", name_en="Delta Telecom")
    dave = _member(other_community, "dave@delta.example.jp", org_d)
    elsewhere = CommunityFactory(slug="study", name="研究会", name_en="Study group",
                                 kind="study_group")
    stranger = _member(elsewhere, "stranger@epsilon.example.jp",
                       OrganizationFactory(slug="org-e", name_en="Epsilon"))
    sec = cast["sec"]
    sec.language = "ja"
    sec.save(update_fields=["language"])
    return {**cast, "dave": dave, "stranger": stranger, "fin": community,
            "ict": other_community}


@pytest.fixture(name="federation")
def federation_fixture(world):
    federation = Federation.objects.create(
        slug="isac-liaison", name="ISAC連絡会", name_en="Inter-ISAC Liaison Group",
        coordinator=world["ict"])
    federation.communities.set([world["fin"], world["ict"]])
    federation.liaisons.set([world["sec"], world["dave"]])
    return federation
