"""The OpenAPI schema tells the truth.

schemathesis loads /api/schema/ as drf-spectacular serves it and calls every operation on
the WSGI app, as an active member (API token), in a small world with items under every TLP
label — some the member may see, some not. Each answer must be documented: no server
error, a documented status code and content type, a body that matches the schema.

Requests are valid ("positive") and invalid ("negative") by the schema; valid ones often
name real objects of the world (ids, slugs, e-mail addresses), so that they reach the
code behind the lookups. Bounded and deterministic: a fixed number of examples per
operation, derandomised, no example database; a few thousand requests in all. The figures
are printed in the test log, passed or failed.
"""

import contextlib
import time
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.cache import caches
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.services import token_issue
from apps.communities.models import Membership
from apps.communities.services import invitation_create
from apps.discussions.services import post_add, post_edit, thread_create
from apps.incidents.attack import catalogue_load, records_from_bundle
from apps.incidents.services import feedback_add, incident_create, sighting_add
from apps.sharing.tlp import TLP
from tests.incidents.conftest import MINI_BUNDLE

pytestmark = pytest.mark.heavy  # ~2,100 requests in one test: started first under xdist

# Examples per operation: valid requests, then invalid ones. With ~50 operations this is
# about 2,100 requests: 75 s on SQLite or PostgreSQL on 2 idle cores, ~3 min when busy.
POSITIVE_EXAMPLES = 30
NEGATIVE_EXAMPLES = 15

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class World:
    """What the caller can name: every value is a real one (seen or hidden), in a fixed
    order so that a derandomised run draws the same ones each time."""

    caller: object
    ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, *values) -> None:
        self.ids.setdefault(kind, []).extend(str(value) for value in values)


def _audience(tlp, organizations, users):
    if tlp in (TLP.AMBER, TLP.AMBER_STRICT):
        return {"organizations": organizations}
    if tlp == TLP.RED:
        return {"users": users}
    return {}


@pytest.fixture
def world(db, cast, community, other_community, org_a, org_b, org_c):
    """fin-isac with the whole cast; alice (org A, member) is the caller. Incidents and
    threads under every label by alice and by bob, some anonymous, with indicators,
    sightings, feedback, replies and a revision; items alice may not see (AMBER for org B
    and C, RED for bob and carol, ict-isac's); an invitation by the secretariat."""
    catalogue_load(records_from_bundle(MINI_BUNDLE))
    alice, bob, carol, sec, outsider = (cast[name] for name in
                                        ("alice", "bob", "carol", "sec", "outsider"))
    world = World(caller=alice)
    n = 0
    for author, readers, orgs in ((alice, [alice, bob], [org_a, org_b]),
                                  (bob, [alice, bob], [org_a, org_b]),
                                  (bob, [bob, carol], [org_b, org_c])):
        for tlp in TLP:
            n += 1
            incident = incident_create(
                author=author, community=community, title=f"{tlp} phishing {n}",
                category="phishing", summary="**Phishing** wave", tlp=tlp,
                techniques=["T1566.001"], attack_stage="initial-access" if n % 2 else "",
                anonymous=author == bob and tlp == TLP.GREEN,
                indicators=[{"type": "domain", "value": f"evil-{n}.example.com"}],
                **_audience(tlp, orgs, readers),
            )
            world.add("incidents", incident.pk)
            world.add("indicators", *incident.indicators.values_list("pk", flat=True))
            thread = thread_create(
                author=author, community=community, title=f"{tlp} talk {n}", body="Hello",
                tlp=tlp, incident=incident if author == alice else None,
                **_audience(tlp, orgs, readers),
            )
            world.add("threads", thread.pk)
            reply = post_add(author=readers[1] if author == readers[0] else readers[0],
                             thread=thread, body="Seen too")
            world.add("posts", thread.posts.values_list("pk", flat=True).first(), reply.pk)
            if author == bob and alice in readers:
                world.add("sightings", sighting_add(user=alice, incident=incident,
                                                    show_organization=n % 2 == 0).pk)
                world.add("feedback", feedback_add(user=alice, incident=incident,
                                                   action="blocked").pk)
            if author == alice:
                world.add("sightings", sighting_add(user=bob, incident=incident).pk)
                world.add("feedback", feedback_add(user=bob, incident=incident,
                                                   action="hunted").pk)
    post_edit(post=reply, editor=reply.author, body="Seen too, twice")
    elsewhere = incident_create(author=outsider, community=other_community,
                                title="ICT incident", category="ddos", tlp=TLP.GREEN)
    world.add("incidents", elsewhere.pk)
    world.add("threads", thread_create(author=outsider, community=other_community,
                                       title="ICT talk", body="Hi", tlp=TLP.GREEN).pk)
    invitation = invitation_create(community=community, email="new@delta.example.jp",
                                   organization=org_b, role="member", language="en",
                                   invited_by=sec)
    world.add("invitations", invitation.pk)
    world.add("memberships", *Membership.objects.order_by("pk").values_list("pk", flat=True))
    world.add("communities", community.slug, other_community.slug)
    world.add("organizations", org_a.slug, org_b.slug, org_c.slug)
    world.add("emails", *(user.email for user in cast.values()))
    world.add("techniques", "T1566", "T1566.001", "T1486")
    return world


# Where a real value may stand: path parameters by the collection they name, query and
# body fields by their name; the fields that take a list get a list of real values.
PATH_KINDS = {"attack-techniques": "techniques"}
LIST_FIELDS = {"organizations", "exclude_organizations", "users", "techniques"}
FIELD_KINDS = {
    "community": "communities", "incident": "incidents", "indicator": "indicators",
    "thread": "threads", "parent": "posts", "organization": "organizations",
    "organizations": "organizations", "exclude_organizations": "organizations",
    "users": "emails", "email": "emails", "techniques": "techniques",
    "technique": "techniques",
}


def _with_real_values(world: World, strategy):
    """Half of the cases name real objects instead of random ones."""

    def kind_of_path(case) -> str:
        collection = case.operation.path.removeprefix("/api/v1/").split("/")[0]
        return PATH_KINDS.get(collection, collection)

    def choices(case):
        picks = {}
        for name in case.path_parameters or {}:
            values = world.ids.get(kind_of_path(case))
            if values:
                picks[("path", name)] = st.sampled_from(values)
        for where, container in (("query", case.query), ("body", case.body)):
            if not isinstance(container, dict):
                continue
            for name in container:
                values = world.ids.get(FIELD_KINDS.get(name, ""))
                if values:
                    one = st.sampled_from(values)
                    picks[(where, name)] = (st.lists(one, max_size=3, unique=True)
                                            if where == "body" and name in LIST_FIELDS
                                            else one)
        return st.fixed_dictionaries(picks)

    def substitute(case, picks):
        for (where, name), value in picks.items():
            {"path": case.path_parameters, "query": case.query, "body": case.body}[where][
                name] = value
        return case

    return strategy.flatmap(
        lambda case: st.one_of(st.just(case),
                               choices(case).map(lambda picks: substitute(case, picks)))
    )


@dataclass
class Run:
    operations: int = 0
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[tuple, str] = field(default_factory=dict)


def _exercise(operation, mode: GenerationMode, examples: int, world: World, headers,
              run: Run) -> None:
    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded even if red
              suppress_health_check=list(HealthCheck))
    @given(case=_with_real_values(world, operation.as_strategy(generation_mode=mode)))
    def call(case):
        # Throttling is tested on its own; here no rate may turn an answer into a 429.
        for cache in caches.all():
            cache.clear()
        # Every request meets the same world: what it wrote is undone afterwards (a
        # generated DELETE /tokens/{id}/ may revoke the caller's own token, a PATCH may
        # change their language), and on PostgreSQL a failed statement cannot break the
        # test's transaction for the requests after it.
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
        finally:
            transaction.savepoint_rollback(savepoint)
        run.requests += 1
        run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (operation.label, mode.value, failure.title)
                run.failures.setdefault(key, (
                    f"{failure.message}\n{response.status_code} {response.text[:500]}\n"
                    f"{case.as_curl_command(headers={'Authorization': 'Token …'})}"))

    # Unsatisfiable: nothing in this operation can be made invalid (no parameters, no body).
    with contextlib.suppress(Unsatisfiable):
        call()


def test_every_operation_answers_as_documented(world, wsgi_app, capsys):
    load_all_checks()
    _token, key = token_issue(user=world.caller, name="schemathesis")
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    run = Run()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        run.operations += 1
        _exercise(operation, GenerationMode.POSITIVE, POSITIVE_EXAMPLES, world, headers, run)
        _exercise(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, world, headers, run)
    seconds = time.monotonic() - started
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(run.statuses.items()))
    with capsys.disabled():  # the figures go to the CI log, passed or not
        print(f"\nschemathesis: {run.operations} operations, {run.requests} requests in "
              f"{seconds:.0f} s ({statuses}); {len(run.failures)} failures")
    report = "\n\n".join(f"{' | '.join(key)}\n{detail}"
                         for key, detail in sorted(run.failures.items()))
    assert not run.failures, report
    assert run.operations >= 40 and run.requests >= 1000  # the run did happen
