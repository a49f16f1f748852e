import pytest

from apps.discussions.services import post_add, thread_create
from apps.incidents.services import incident_create


@pytest.fixture
def open_thread(community):
    """open_thread(author, tlp, **choice) -> a new thread (with its first post) in fin-isac."""

    def make(author, tlp, *, title=None, body="最初の投稿: ランサムウェアの手口", **choice):
        choice.setdefault("community", community)
        return thread_create(
            author=author, title=title or f"{tlp} thread", body=body, tlp=tlp, **choice
        )

    return make


@pytest.fixture
def reply():
    def make(author, thread, body="A reply", **kwargs):
        return post_add(author=author, thread=thread, body=body, **kwargs)

    return make


@pytest.fixture
def incident(community):
    def make(author, tlp, **choice):
        return incident_create(
            author=author,
            community=community,
            title=f"{tlp} incident",
            category="ransomware",
            tlp=tlp,
            **choice,
        )

    return make


def set_status(user, community, status):
    membership = user.memberships.get(community=community)
    membership.status = status
    membership.save()
