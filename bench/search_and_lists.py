"""Benchmark: the incident list API page and a Japanese search, for one ISAC member, over
many incidents.

    .venv/bin/python bench/search_and_lists.py [--incidents 20000] [--repeat 30] [--explain]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei .venv/bin/python bench/...

It builds a throwaway database next to the configured one (Django's test database:
``test_<name>`` on PostgreSQL, a temporary file on SQLite), fills it with bulk operations,
times each request through Django's test client (whole stack: middleware, DRF, sharing's
`visible_to`, django-filter, serialisation) and drops the database again. It reports the
median and 95th percentile in milliseconds and the number of SQL queries per request.

The data: one ISAC, 20 member organisations with two active members each, and incidents
under every label — CLEAR 10 %, GREEN 50 %, AMBER 25 % (to a few organisations), AMBER+STRICT
5 %, RED 10 % (to two people) — with an indicator and two ATT&CK techniques each; about one
incident in twenty mentions ランサムウェア. The grants are those `apps.sharing` would write
(it is called once per label to learn them, then they are copied in bulk).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SEARCH = "ランサムウェア"

# Sentences the generated incidents are built from (written for the benchmark).
SUBJECTS = ["子会社", "海外拠点", "委託先", "営業部門", "財務部門", "コールセンター", "支店"]
EVENTS = [
    ("ransomware", f"で{SEARCH}による暗号化を確認し、ネットワークから切り離しました。"),
    ("phishing", "の社員宛てに、銀行を装うSMSで偽のログイン画面へ誘導する連絡が届きました。"),
    ("bec", "に、取引先を装って振込口座の変更を求めるメールが届きました。"),
    ("ddos", "の公開サイトに大量のリクエストが集中し、応答が遅くなりました。"),
    ("supply_chain", "の保守用リモート接続が不正に使われた形跡があります。"),
    ("targeted_attack", "に、講演依頼を装う添付ファイル付きの標的型メールが届きました。"),
    ("vulnerability_exploitation", "のVPN機器に、公開済みの脆弱性を突く通信がありました。"),
]
TECHNIQUES = ["T1566.001", "T1566.002", "T1486", "T1490", "T1498.001", "T1199", "T1190",
              "T1133", "T1078", "T1656"]


def build(n: int, seed: int = 7):
    """The world, in bulk. Returns (member, community)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from apps.communities.groups import community_group, membership_sync_groups
    from apps.communities.models import (
        Community,
        GroupKind,
        Membership,
        MembershipStatus,
        Organization,
        Role,
    )
    from apps.incidents.attack import catalogue_ensure
    from apps.incidents.models import (
        Incident,
        IncidentGroupObjectPermission,
        IncidentUserObjectPermission,
        Indicator,
    )
    from apps.sharing.tlp import TLP

    rng = random.Random(seed)
    User = get_user_model()
    catalogue_ensure()
    community = Community.objects.create(slug="bench-isac", kind="isac", name="ベンチISAC",
                                         name_en="Bench ISAC")
    orgs = Organization.objects.bulk_create(
        Organization(slug=f"org-{i:02d}", name=f"会員{i:02d}", name_en=f"Member {i:02d}")
        for i in range(20))
    users = User.objects.bulk_create(
        User(email=f"user{i:02d}@bench.example", display_name=f"利用者{i:02d}")
        for i in range(40))
    memberships = Membership.objects.bulk_create(
        Membership(community=community, user=user, organization=orgs[i // 2],
                   role=Role.MEMBER, status=MembershipStatus.ACTIVE)
        for i, user in enumerate(users))
    for membership in memberships:
        membership_sync_groups(membership)
    member = users[0]  # org-00
    members_group = community_group(community, GroupKind.MEMBERS)
    org_groups = {org.pk: community_group(community, GroupKind.ORGANIZATION, org)
                  for org in orgs}
    permission = Permission.objects.get(
        content_type=ContentType.objects.get_for_model(Incident), codename="view_incident")

    labels = ([TLP.CLEAR] * 10 + [TLP.GREEN] * 50 + [TLP.AMBER] * 25
              + [TLP.AMBER_STRICT] * 5 + [TLP.RED] * 10)
    incidents, plans = [], []
    for i in range(n):
        author_index = rng.randrange(len(users))
        subject = rng.choice(SUBJECTS)
        category, event = (EVENTS[0] if i % 20 == 0 else rng.choice(EVENTS[1:]))
        tlp = rng.choice(labels)
        incidents.append(Incident(
            community=community, author=users[author_index],
            author_organization=orgs[author_index // 2], tlp=tlp,
            title=f"{subject}{event[:24]} 第{i}報",
            summary=f"{subject}{event}\n\n調査を続けています。",
            category=category, sectors=["finance"], attack_stage="initial-access"))
        if tlp in (TLP.AMBER, TLP.AMBER_STRICT):
            chosen = {orgs[author_index // 2].pk, *(o.pk for o in rng.sample(orgs, 3))}
            plans.append(("groups", [org_groups[pk] for pk in chosen], chosen))
        elif tlp == TLP.RED:
            named = {users[author_index].pk, *(u.pk for u in rng.sample(users, 2))}
            plans.append(("users", named, set()))
        elif tlp == TLP.GREEN:
            plans.append(("groups", [members_group], set()))
        else:
            plans.append(("public", None, set()))
    with transaction.atomic():
        Incident.objects.bulk_create(incidents, batch_size=2000)
        user_grants, group_grants, recipients, links, indicators = [], [], [], [], []
        for index, (incident, (kind, targets, orgs_chosen)) in enumerate(
                zip(incidents, plans, strict=True)):
            if kind == "users":
                user_grants += [IncidentUserObjectPermission(
                    content_object=incident, user_id=pk, permission=permission)
                    for pk in targets]
            elif kind == "groups":
                user_grants.append(IncidentUserObjectPermission(
                    content_object=incident, user_id=incident.author_id, permission=permission))
                group_grants += [IncidentGroupObjectPermission(
                    content_object=incident, group=group, permission=permission)
                    for group in targets]
            recipients += [Incident.recipient_organizations.through(
                incident_id=incident.pk, organization_id=pk) for pk in orgs_chosen]
            links += [Incident.techniques.through(incident_id=incident.pk,
                                                  attacktechnique_id=t)
                      for t in rng.sample(TECHNIQUES, 2)]
            indicators.append(Indicator(
                community=community, incident=incident, type="domain",
                value=f"c2-{index}.bench-attacker.example", created_by_id=incident.author_id))
        IncidentUserObjectPermission.objects.bulk_create(user_grants, batch_size=5000)
        IncidentGroupObjectPermission.objects.bulk_create(group_grants, batch_size=5000)
        Incident.recipient_organizations.through.objects.bulk_create(recipients, batch_size=5000)
        Incident.techniques.through.objects.bulk_create(links, batch_size=5000)
        Indicator.objects.bulk_create(indicators, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return member, community


def measure(client: Client, url: str, repeat: int) -> dict:
    client.get(url)  # warm up (caches, prepared plans)
    timings, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        timings.append(elapsed)
        queries = len(captured)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    body = response.json() if response["Content-Type"].startswith("application/json") else None
    return {"median": statistics.median(timings), "p95": p95, "queries": queries,
            "count": body["count"] if body else None}


def explain(member) -> None:
    from apps.incidents.models import Incident
    from apps.incidents.search import incident_search

    rare = "第12345報"  # in one title of 20,000: the planner picks the trigram index
    print(f"\nEXPLAIN title__icontains={rare!r}:")
    print(Incident.objects.filter(title__icontains=rare).values("pk").explain())
    print(f"\nEXPLAIN title__icontains={SEARCH!r} (in 1 title of 20: a scan is cheaper):")
    print(Incident.objects.filter(title__icontains=SEARCH).values("pk").explain())
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            print("\n... the same with enable_seqscan = off (the index can serve it):")
            print(Incident.objects.filter(title__icontains=SEARCH).values("pk").explain())
    print("\nEXPLAIN the member's search (visible_to, then title/summary/indicators/posts):")
    print(incident_search(user=member, text=SEARCH).values("pk").explain())


def backend() -> str:
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    return f"SQLite {connection.Database.sqlite_version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()

    setup_test_environment()
    settings.DEBUG = False
    database = settings.DATABASES["default"]
    tmp = None
    if connection.vendor == "sqlite":
        tmp = tempfile.TemporaryDirectory(prefix="renkei-bench-")
        database.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True,
                                                  serialize=False)
    try:
        started = time.perf_counter()
        member, community = build(args.incidents)
        built = time.perf_counter() - started
        client = Client()
        client.force_login(member)
        cases = [
            ("API list, first page", f"/api/v1/incidents/?community={community.slug}"),
            ("API search (Japanese word)", f"/api/v1/incidents/?q={SEARCH}"),
            ("Web list search (Japanese word)", f"/c/{community.slug}/incidents/?q={SEARCH}"),
        ]
        print(f"Renkei bench: {args.incidents} incidents, {backend()}, built in {built:.1f} s, "
              f"{os.cpu_count()} CPUs, {args.repeat} requests each")
        print(f"{'request':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'results':>8}")
        for name, url in cases:
            result = measure(client, url, args.repeat)
            count = "-" if result["count"] is None else result["count"]
            print(f"{name:32} {result['median']:10.1f} {result['p95']:8.1f} "
                  f"{result['queries']:8d} {count:>8}")
        if args.explain:
            explain(member)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
