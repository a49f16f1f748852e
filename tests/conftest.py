"""People, not users: every test can ask for the cast of a small ISAC.

- ``alice`` member of org A, ``bob`` member of org B, ``carol`` member of org C
- ``sec`` the secretariat (org A), ``olive`` an observer (org B)
- ``sam`` suspended (org C), ``outsider`` active in another community only
"""

import gc
import os
import shutil
from collections import Counter

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from tests.factories import (
    PASSWORD,
    AgreementFactory,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

# Hypothesis profiles, for every property test of the suite (registered here, not in one
# package's conftest, so that a test run without that package gets them too):
# HYPOTHESIS_PROFILE=ci runs several hundred worlds, the same ones on
# every run (derandomized), so that whether a change lands never rests on a lucky draw; the
# local default (dev: `make test`, and .ci/run's SQLite run) keeps a run short and explores
# new worlds each time, printing how to replay a failing one. .ci/run's PostgreSQL run uses
# ci. Worlds touch the database, so no per-example deadline. The cross-surface test
# (test_surfaces_property) makes ~100 HTTP requests per world and runs fewer of them (its
# own SURFACE_EXAMPLES: 200 under ci, some 6-7 minutes of CPU time).
settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
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


def pytest_configure(config):
    # The suite allocates many short-lived ORM objects: collecting the youngest generation
    # every 700 allocations (Python's default) cost 10-15 % of the CPU time.
    gc.set_threshold(50_000, 50, 100)
    # pytest-xdist's loadscope would send the scopes with the most tests first, i.e. the
    # one-test property shards last, where one of them alone keeps a core busy for a minute
    # while the other waits: the order of pytest_collection_modifyitems below is used instead.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_finish(session):
    # What is loaded by now (Django, the apps, the test modules) lives until the end: keep
    # the collector from walking it again and again.
    gc.collect()
    gc.freeze()


def _scope(item) -> str:
    """pytest-xdist's loadscope unit: the test's class, or its module."""
    return item.nodeid.rsplit("::", 1)[0]


def _heavy_first(items) -> None:
    """Scopes marked heavy (tens of seconds: property shards, schemathesis) first, then the
    others by number of tests, largest first; each scope stays together and in its order.
    Under `--dist loadscope` the long ones start at once and short ones fill in at the end."""
    sizes = Counter(_scope(item) for item in items)
    heavy = {_scope(item) for item in items if item.get_closest_marker("heavy")}
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        first_seen.setdefault(_scope(item), index)

    def order(item):
        scope = _scope(item)
        if scope in heavy:
            return (0, 0, first_seen[scope])
        return (1, -sizes[scope], first_seen[scope])

    items.sort(key=order)


def pytest_collection_modifyitems(config, items):
    """Tests needing a real service skip with a reason saying how to run them; under CI
    (RENKEI_REQUIRE_ALL=1) a missing service is an error instead of a skip. Heavy scopes
    are run first (_heavy_first)."""
    require_all = os.environ.get("RENKEI_REQUIRE_ALL") == "1"
    reasons = {
        "postgres": (os.environ.get("DATABASE_URL", "").startswith("postgres"),
                     "needs PostgreSQL: run with DATABASE_URL=postgres://… (bash .ci/run does)"),
        "redis": (bool(os.environ.get("REDIS_URL")),
                  "needs Redis and a Celery worker: run with REDIS_URL=redis://… "
                  "(bash .ci/run does)"),
        "browser": (bool(shutil.which("chromium") or os.path.exists("/usr/bin/chromium")),
                    "needs Chromium: apt-get install chromium (bash .ci/run does)"),
    }
    for item in items:
        for marker, (available, reason) in reasons.items():
            if marker in item.keywords and not available:
                if require_all:
                    raise pytest.UsageError(f"{item.nodeid}: {reason}")
                item.add_marker(pytest.mark.skip(reason=reason))
        # Tests that may start a real Celery worker, and the browser tests (one Chromium):
        # with REDIS_URL, .ci/run runs them apart in one process (-m broker), never beside
        # each other under pytest-xdist, where workers of two test processes would purge and
        # consume the one Redis queue, each task landing in either test database. (The rest,
        # which .ci/run runs at the same time, has Celery eager and leaves the queue alone.)
        if (
            "redis" in item.keywords
            or "browser" in item.keywords
            or "task_runner" in getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.broker)
    _heavy_first(items)


@pytest.fixture(autouse=True)
def _celery_eager_unless_real_worker(request):
    """Tasks run in-process, except in tests that use the broker with a real worker."""
    from portal.celery import app

    if request.node.get_closest_marker("redis") or "task_runner" in request.fixturenames:
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _english_by_default():
    """Code outside a request speaks English in tests; Japanese is asserted explicitly."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A signed-out browser that prefers English (the site default stays Japanese)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def org_a(db):
    return OrganizationFactory(slug="org-a", name="アルファ銀行", name_en="Alpha Bank")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(slug="org-b", name="ベータ証券", name_en="Beta Securities")


@pytest.fixture
def org_c(db):
    return OrganizationFactory(slug="org-c", name="ガンマ通信", name_en="Gamma Telecom")


@pytest.fixture
def community(db):
    community = CommunityFactory(slug="fin-isac", name="金融ISAC", name_en="Financial ISAC")
    AgreementFactory(community=community)
    return community


@pytest.fixture
def other_community(db):
    return CommunityFactory(slug="ict-isac", name="ICT-ISAC", name_en="ICT-ISAC")


def _member(community, email, organization, **kwargs):
    membership = MembershipFactory(
        community=community, user=UserFactory(email=email), organization=organization, **kwargs
    )
    from apps.communities.models import AgreementAcceptance

    agreement = community.current_agreement
    if agreement and membership.status == "active":
        AgreementAcceptance.objects.get_or_create(agreement=agreement, user=membership.user)
    return membership.user


@pytest.fixture
def alice(community, org_a):
    return _member(community, "alice@alpha.example.jp", org_a)


@pytest.fixture
def bob(community, org_b):
    return _member(community, "bob@beta.example.jp", org_b)


@pytest.fixture
def carol(community, org_c):
    return _member(community, "carol@gamma.example.jp", org_c)


@pytest.fixture
def sec(community, org_a):
    return _member(community, "sec@alpha.example.jp", org_a, role="secretariat")


@pytest.fixture
def olive(community, org_b):
    return _member(community, "olive@beta.example.jp", org_b, role="observer")


@pytest.fixture
def sam(community, org_c):
    return _member(community, "sam@gamma.example.jp", org_c, status="suspended")


@pytest.fixture
def outsider(other_community, org_c):
    return _member(other_community, "outsider@gamma.example.jp", org_c)


@pytest.fixture
def cast(alice, bob, carol, sec, olive, sam, outsider):
    """Everybody at once, so that every test can check who must not see an item."""
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "sec": sec,
        "olive": olive,
        "sam": sam,
        "outsider": outsider,
    }


def verified_login(client, user) -> None:
    """Sign ``client`` in as ``user`` the way a finished sign-in leaves it: for someone who
    must use a second factor (secretariat, superuser) or has one, the session is also marked
    as having given it (a confirmed TOTP device named "tests" is created when they have none).
    Use this instead of ``client.force_login`` for such people: the second-factor middleware
    sends an unverified session to the verification page."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts import mfa

    client.force_login(user)
    if not (mfa.mfa_required(user) or mfa.has_second_factor(user)):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client_for():
    """client_for(user) -> a test client signed in as that user (second factor given where
    one is due, see verified_login)."""

    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        verified_login(client, user)
        return client

    return make
