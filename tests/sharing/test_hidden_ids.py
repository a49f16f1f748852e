"""Finding 6 of issue 7: no oracle on the ids of shared items.

1. Every endpoint and page that takes the id of an incident, indicator, thread, post or
   revision — in the path, the query string or the body — answers a hidden id exactly as it
   answers an id that does not exist: same status, same bytes once the id itself is masked.
2. Changing an item the caller sees but may not change is refused (403) before the body is
   read: whatever the body says, and without naming anything the caller may not see (such as
   the label of the incident a thread discusses).

bob is the caller. alice's RED incident (with an indicator) and RED thread about it (with an
edited post) are hidden from him; a RED thread naming him discusses that incident; a GREEN
thread in which bob wrote an edited post is not hidden either.
"""

import json
import re
import uuid

import pytest

from apps.discussions.services import post_add, post_edit, thread_create
from apps.incidents.services import incident_create
from apps.sharing.tlp import TLP

MISSING_REVISION = 987654321


@pytest.fixture
def ids(community, alice, bob, carol, sec):
    hidden_incident = incident_create(
        author=alice,
        community=community,
        title="Hidden incident",
        category="ransomware",
        tlp=TLP.RED,
        indicators=[{"type": "domain", "value": "hidden.example.com"}],
    )
    hidden_thread = thread_create(
        author=alice,
        community=community,
        title="Hidden thread",
        body="first",
        tlp=TLP.RED,
        incident=hidden_incident,
    )
    hidden_post = hidden_thread.posts.get()
    # A thread bob may read about the incident he may not: the oracle of finding 6.
    thread_create(
        author=alice,
        community=community,
        title="Readable thread about it",
        body="first",
        tlp=TLP.RED,
        users=[bob],
        incident=hidden_incident,
    )
    post_edit(post=hidden_post, editor=alice, body="second")
    visible_thread = thread_create(
        author=alice, community=community, title="Open thread", body="hello", tlp=TLP.GREEN
    )
    own_post = post_add(author=bob, thread=visible_thread, body="mine")
    post_edit(post=own_post, editor=bob, body="mine, edited")
    hidden = {
        "incident": str(hidden_incident.pk),
        "indicator": str(hidden_incident.indicators.get().pk),
        "thread": str(hidden_thread.pk),
        "post": str(hidden_post.pk),
        "revision": str(hidden_post.revisions.get().pk),
    }
    missing = {
        "incident": str(uuid.uuid4()),
        "indicator": str(uuid.uuid4()),
        "thread": str(uuid.uuid4()),
        "post": str(uuid.uuid4()),
        "revision": str(MISSING_REVISION),
    }
    common = {"visible_thread": str(visible_thread.pk), "own_post": str(own_post.pk)}
    return {"hidden": {**hidden, **common}, "missing": {**missing, **common}}


API, WEB = "api", "web"
D = "/c/fin-isac/discussions"
INC = "/c/fin-isac/incidents"

# (kind, method, path, body) — {name} is filled with a hidden or a missing id.
ENDPOINTS = [
    # incidents and what hangs off them
    (API, "get", "/api/v1/incidents/{incident}/", None),
    (API, "patch", "/api/v1/incidents/{incident}/", {"anonymous": False}),
    (API, "patch", "/api/v1/incidents/{incident}/", {"tlp": "bogus"}),
    (API, "get", "/api/v1/indicators/?incident={incident}", None),
    (API, "get", "/api/v1/indicators/{indicator}/", None),
    (API, "delete", "/api/v1/indicators/{indicator}/", None),
    (API, "post", "/api/v1/indicators/",
     {"incident": "{incident}", "type": "domain", "value": "new.example.com"}),
    (API, "post", "/api/v1/indicators/", {"incident": "{incident}", "type": "bogus"}),
    (API, "get", "/api/v1/sightings/?incident={incident}", None),
    (API, "get", "/api/v1/sightings/?indicator={indicator}", None),
    (API, "post", "/api/v1/sightings/", {"incident": "{incident}"}),
    (API, "post", "/api/v1/sightings/", {"indicator": "{indicator}", "note": "x"}),
    (API, "get", "/api/v1/feedback/?incident={incident}", None),
    (API, "post", "/api/v1/feedback/", {"incident": "{incident}", "action": "hunted"}),
    # threads and posts
    (API, "get", "/api/v1/threads/?incident={incident}", None),
    (API, "post", "/api/v1/threads/",
     {"community": "fin-isac", "title": "t", "body": "b", "tlp": "RED",
      "incident": "{incident}"}),
    (API, "get", "/api/v1/threads/{thread}/", None),
    (API, "patch", "/api/v1/threads/{thread}/", {"anonymous": False}),
    (API, "post", "/api/v1/threads/{thread}/audience/", {"tlp": "GREEN"}),
    (API, "post", "/api/v1/threads/{thread}/audience/", {}),
    (API, "get", "/api/v1/posts/?thread={thread}", None),
    (API, "post", "/api/v1/posts/", {"thread": "{thread}", "body": "x"}),
    (API, "post", "/api/v1/posts/", {"thread": "{visible_thread}", "body": "x",
                                     "parent": "{post}"}),
    (API, "get", "/api/v1/posts/{post}/", None),
    (API, "patch", "/api/v1/posts/{post}/", {"body": "x"}),
    (API, "patch", "/api/v1/posts/{post}/", {}),
    (API, "delete", "/api/v1/posts/{post}/", None),
    (API, "get", "/api/v1/posts/{post}/revisions/", None),
    (API, "post", "/api/v1/posts/{post}/purge/", None),
    (API, "post", "/api/v1/posts/{own_post}/revisions/{revision}/purge/", None),
    # web pages
    (WEB, "get", INC + "/{incident}/", None),
    (WEB, "get", INC + "/{incident}/edit/", None),
    (WEB, "post", INC + "/{incident}/edit/", {"title": "x"}),
    (WEB, "post", INC + "/{incident}/sighting/", {}),
    (WEB, "post", INC + "/{incident}/feedback/", {"action": "hunted"}),
    (WEB, "get", D + "/new/?incident={incident}", None),
    (WEB, "post", D + "/new/", {"title": "t", "body": "b", "tlp": "GREEN",
                                "incident": "{incident}"}),
    (WEB, "get", D + "/{thread}/", None),
    (WEB, "post", D + "/{thread}/", {"body": "x"}),
    (WEB, "get", D + "/{thread}/audience/", None),
    (WEB, "post", D + "/{thread}/audience/", {"tlp": "GREEN"}),
    (WEB, "get", D + "/{thread}/anonymity/", None),
    (WEB, "post", D + "/{thread}/anonymity/", {"anonymous": "0"}),
    (WEB, "get", D + "/{thread}/posts/{post}/history/", None),
    (WEB, "get", D + "/{thread}/posts/{post}/edit/", None),
    (WEB, "post", D + "/{thread}/posts/{post}/edit/", {"body": "x"}),
    (WEB, "post", D + "/{thread}/posts/{post}/delete/", None),
    (WEB, "get", D + "/{thread}/posts/{post}/purge/", None),
    (WEB, "post", D + "/{thread}/posts/{post}/purge/", None),
    (WEB, "get", D + "/{visible_thread}/posts/{own_post}/history/{revision}/purge/", None),
    (WEB, "post", D + "/{visible_thread}/posts/{own_post}/history/{revision}/purge/", None),
]


def _fill(template, values: dict):
    if template is None:
        return None
    text = json.dumps(template) if not isinstance(template, str) else template
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return json.loads(text) if not isinstance(template, str) else text


def _answer(client, kind, method, path, body, values) -> tuple[int, str, str]:
    url = _fill(path, values)
    data = _fill(body, values)
    call = getattr(client, method)
    if kind == API:
        response = call(url, data, content_type="application/json") if data is not None else (
            call(url)
        )
    else:
        response = call(url, data or {}) if method == "post" else call(url)
    text = response.content.decode()
    location = response.get("Location", "")
    for name, value in values.items():
        if name in ("visible_thread", "own_post"):
            continue
        # A revision id is a small number: mask it only where it stands as a path segment.
        mask = (lambda t, v=value: t.replace(f"/{v}/", "/<ID>/")) if name == "revision" else (
            lambda t, v=value: t.replace(v, "<ID>")
        )
        text, location = mask(text), mask(location)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "<CSRF>", text)
    return response.status_code, location, text


@pytest.mark.parametrize(
    "kind,method,path,body", ENDPOINTS, ids=[f"{m.upper()} {p}" for _k, m, p, _b in ENDPOINTS]
)
def test_a_hidden_id_answers_exactly_like_one_that_does_not_exist(
    ids, bob, client_for, kind, method, path, body
):
    client = client_for(bob)
    hidden = _answer(client, kind, method, path, body, ids["hidden"])
    missing = _answer(client, kind, method, path, body, ids["missing"])
    assert hidden == missing
    assert hidden[0] in (200, 302, 400, 404)


def test_nothing_was_written_through_hidden_ids(ids, bob, client_for):
    from apps.discussions.models import Post, Thread
    from apps.incidents.models import Indicator, Sighting, UsageFeedback

    client = client_for(bob)
    for kind, method, path, body in ENDPOINTS:
        _answer(client, kind, method, path, body, ids["hidden"])
    assert not Sighting.objects.exists() and not UsageFeedback.objects.exists()
    assert Indicator.objects.filter(pk=ids["hidden"]["indicator"]).exists()
    assert Indicator.objects.count() == 1
    assert Post.objects.get(pk=ids["hidden"]["post"]).body == "second"
    assert Thread.objects.filter(incident_id=ids["hidden"]["incident"]).count() == 2


# --- visible but not allowed: 403 before the body is read --------------------------------------


@pytest.fixture
def readable(community, alice, bob):
    """bob sees alice's GREEN incident and her RED thread naming him — but not the RED
    incident (alice only) that the thread discusses."""
    incident = incident_create(
        author=alice, community=community, title="Open incident", category="ransomware",
        tlp=TLP.GREEN,
    )
    secret = incident_create(
        author=alice, community=community, title="Secret incident", category="other",
        tlp=TLP.RED,
    )
    thread = thread_create(
        author=alice, community=community, title="About the secret", body="first",
        tlp=TLP.RED, users=[bob], incident=secret,
    )
    return {"incident": incident, "thread": thread, "post": thread.posts.get()}


BODIES = [{}, {"tlp": "GREEN"}, {"tlp": "bogus"}, {"tlp": "RED", "users": ["nobody@x.example"]},
          {"anonymous": False}, {"anonymous": "nonsense"}, {"title": ""}, {"body": ""},
          {"type": "bogus", "value": ""}]


@pytest.mark.parametrize("body", BODIES, ids=[json.dumps(b) for b in BODIES])
def test_a_reader_who_may_not_change_an_item_gets_403_whatever_the_body(
    readable, bob, client_for, body
):
    client = client_for(bob)
    incident, thread, post = readable["incident"], readable["thread"], readable["post"]
    api = [
        ("patch", f"/api/v1/incidents/{incident.pk}/", body),
        ("post", f"/api/v1/threads/{thread.pk}/audience/", body),
        ("patch", f"/api/v1/threads/{thread.pk}/", body),
        ("patch", f"/api/v1/posts/{post.pk}/", body),
        ("post", f"/api/v1/posts/{post.pk}/purge/", body),
        ("post", "/api/v1/indicators/", {**body, "incident": str(incident.pk)}),
    ]
    for method, url, data in api:
        response = getattr(client, method)(url, data, content_type="application/json")
        assert response.status_code == 403, (url, response.content)
        assert "RED" not in response.content.decode(), url
    web = [
        f"{D}/{thread.pk}/audience/",
        f"{D}/{thread.pk}/anonymity/",
        f"{INC}/{incident.pk}/edit/",
        f"{D}/{thread.pk}/posts/{post.pk}/purge/",
    ]
    for url in web:
        response = client.post(url, {key: str(value) for key, value in body.items()})
        assert response.status_code == 403, url
        assert "TLP:RED incident" not in response.content.decode()
    thread.refresh_from_db()
    assert thread.tlp == TLP.RED


def test_the_secretariat_is_not_told_the_label_of_an_incident_it_cannot_see(
    community, alice, sec, client_for
):
    """The secretariat may change a thread it sees; when the thread discusses an incident it
    cannot see, the refusal of a lower label does not name that incident's label."""
    secret = incident_create(
        author=alice, community=community, title="Secret incident", category="other",
        tlp=TLP.RED,
    )
    thread = thread_create(
        author=alice, community=community, title="About the secret", body="first",
        tlp=TLP.RED, users=[sec], incident=secret,
    )
    client = client_for(sec)
    response = client.post(
        f"/api/v1/threads/{thread.pk}/audience/", {"tlp": "GREEN"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "cannot be labelled less restrictively than that incident" in str(response.json())
    assert "RED" not in response.content.decode()
    page = client.post(f"{D}/{thread.pk}/audience/", {"tlp": "GREEN"})
    assert page.status_code == 400
    assert "TLP:RED incident" not in page.content.decode()
    # The author, who sees the incident, is told which label it has.
    response = client_for(alice).post(
        f"/api/v1/threads/{thread.pk}/audience/", {"tlp": "GREEN"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "TLP:RED incident" in str(response.json())
