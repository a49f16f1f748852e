"""A small world with secrets in it, and an operator who is a member of nothing."""

import pytest

from apps.discussions.services import thread_create
from apps.incidents.services import incident_create
from apps.sharing.tlp import TLP
from tests.factories import UserFactory

RED_TITLE = "Zebra-red wire fraud at the treasury"
RED_VALUE = "zebra-exfil.xyz"
RED_SUMMARY = "Moved the money through the zebra account."
ANON_TITLE = "Quokka-anonymous breach of the payroll"
ANON_BODY = "We, quokka, found the payroll export."
AMBER_TITLE = "Walrus-amber phishing kit"

SECRETS = [RED_TITLE, RED_VALUE, RED_SUMMARY, ANON_TITLE, ANON_BODY, AMBER_TITLE]


@pytest.fixture
def root(db):
    """A superuser who belongs to no community: sees CLEAR only."""
    return UserFactory(email="root@renkei.example", is_superuser=True, is_staff=True)


@pytest.fixture
def world(community, alice, bob, carol):
    """Alice (Alpha Bank) shared a RED incident with Bob, an AMBER incident for Alpha Bank
    only and an anonymous GREEN thread."""
    red = incident_create(
        author=alice,
        community=community,
        title=RED_TITLE,
        summary=RED_SUMMARY,
        category="fraud",
        tlp=TLP.RED,
        users=[bob],
        indicators=[{"type": "domain", "value": RED_VALUE}],
    )
    amber = incident_create(
        author=alice,
        community=community,
        title=AMBER_TITLE,
        category="phishing",
        tlp=TLP.AMBER,
        organizations=[alice.memberships.get().organization],
    )
    thread = thread_create(
        author=alice,
        community=community,
        title=ANON_TITLE,
        body=ANON_BODY,
        tlp=TLP.GREEN,
        anonymous=True,
    )
    return {"red": red, "amber": amber, "thread": thread}


def assert_tells_nothing(html: str) -> None:
    """No title, text or indicator value of the world's items, and no name of the
    organisation behind them (Alpha Bank is the anonymous thread's source)."""
    for secret in SECRETS:
        assert secret not in html, secret
    assert "zebra" not in html.lower()
    assert "quokka" not in html.lower()
