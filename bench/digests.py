"""Benchmark of the daily digest run at ISAC scale: 20,000 members in 50 communities (several
organisations each, some members in several communities, Japanese and English, a few time
zones, all daily) and 5,000 new items (incidents mostly, threads with a post) across the TLP
labels; the whole `digests_send(frequency="daily")` is timed, rendering included, with its
e-mails handed to a local SMTP server (aiosmtpd in a thread, counting them).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei_bdig .venv/bin/python bench/digests.py
        [--members 20000] [--communities 50] [--items 5000] [--workers 2] [--reuse] [--keep]
        [--profile]

Like bench/scale.py it creates a throwaway database next to the configured one (``test_<name>``),
dropped at the end unless ``--keep``; ``--reuse`` keeps it and builds the world only once
(the digest rows are deleted before each run). Items are bulk-created, their grants written
as `apps.sharing.services.audience_set` would (its `_groups`), and their audience rows
derived with `apps.sharing.materialise.audience_rebuild`. Reports seconds, e-mails, queries
and peak memory (the process's peak RSS) of the run; ``--profile`` prints cProfile's top functions.
``--workers N`` runs it as `send_digests --workers N` and the scheduled job in parts do: N
processes side by side, each with its share of the members (queries and memory are then
those of the busiest part).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import multiprocessing
import os
import pstats
import random
import resource
import socket
import sys
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
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

ZONES = ["Asia/Tokyo", "Asia/Tokyo", "Asia/Tokyo", "UTC", "Europe/Paris", "America/New_York"]
LABELS = ["green"] * 45 + ["clear"] * 15 + ["amber"] * 25 + ["amber+strict"] * 8 + ["red"] * 7


class Counting:
    """aiosmtpd handler counting what it is handed."""

    def __init__(self):
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.bytes += len(envelope.original_content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(args) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from apps.communities.models import Community, Membership, MembershipStatus, Organization
    from apps.discussions.models import Post, Thread
    from apps.incidents.models import Incident
    from apps.sharing.audience import Audience
    from apps.sharing.materialise import audience_rebuild
    from apps.sharing.models import permission_models, view_codename
    from apps.sharing.services import _groups
    from apps.sharing.tlp import TLP

    rng = random.Random(7)
    started = time.perf_counter()
    User = get_user_model()
    communities = [Community.objects.create(slug=f"bench-c{n}", name=f"ISAC {n}",
                                            name_en=f"ISAC {n}") for n in range(args.communities)]
    organizations = Organization.objects.bulk_create([
        Organization(slug=f"bench-o{n}", name=f"組織{n}", name_en=f"Organisation {n}")
        for n in range(args.communities * 8)])
    users = User.objects.bulk_create([
        User(email=f"m{n:05d}@bench.example.jp", display_name=f"Member {n}", password="!",
             language="ja" if n % 3 else "en", time_zone=ZONES[n % len(ZONES)],
             digest_frequency="daily")
        for n in range(args.members)], batch_size=2000)
    memberships, members_of = [], {c.pk: [] for c in communities}
    now = timezone.now()
    for n, user in enumerate(users):
        home = n % args.communities
        extra = [rng.randrange(args.communities)] if n % 5 == 0 else []  # 20 %: a second one
        for index in dict.fromkeys([home, *extra]):
            community = communities[index]
            organization = organizations[index * 8 + n % 8]
            memberships.append(Membership(community=community, user=user,
                                          organization=organization, activated_at=now,
                                          status=MembershipStatus.ACTIVE))
            members_of[community.pk].append((user, organization))
    Membership.objects.bulk_create(memberships, batch_size=5000)
    print(f"{len(users)} members, {len(memberships)} memberships "
          f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    tlps = {"green": TLP.GREEN, "clear": TLP.CLEAR, "amber": TLP.AMBER,
            "amber+strict": TLP.AMBER_STRICT, "red": TLP.RED}
    plans = []
    for n in range(args.items):
        community = communities[n % args.communities]
        author, organization = rng.choice(members_of[community.pk])
        tlp = tlps[rng.choice(LABELS)]
        kind = "thread" if n % 5 == 0 else "incident"
        plans.append((kind, community, author, organization, tlp))
    incidents = Incident.objects.bulk_create([
        Incident(community=c, author=a, author_organization=o, tlp=t, category="phishing",
                 title=f"インシデント {n} / incident {n}", summary="ランサムウェア " * 40)
        for n, (kind, c, a, o, t) in enumerate(plans) if kind == "incident"], batch_size=2000)
    threads = Thread.objects.bulk_create([
        Thread(community=c, author=a, author_organization=o, tlp=t, title=f"Thread {n}")
        for n, (kind, c, a, o, t) in enumerate(plans) if kind == "thread"], batch_size=2000)
    Post.objects.bulk_create([
        Post(community=thread.community, thread=thread, author=thread.author,
             author_organization=thread.author_organization, body="An observation. " * 30)
        for thread in threads], batch_size=2000)
    for model, items in ((Incident, incidents), (Thread, threads)):
        user_perms, group_perms = permission_models(model)
        permission = Permission.objects.get(
            content_type=ContentType.objects.get_for_model(model), codename=view_codename(model))
        user_rows, group_rows = [], []
        for item in items:
            if item.tlp == TLP.CLEAR:
                continue
            members = members_of[item.community_id]
            users_named = {item.author_id}
            orgs = frozenset()
            if item.tlp == TLP.RED:
                users_named |= {rng.choice(members)[0].pk for _ in range(3)}
            if item.tlp in (TLP.AMBER, TLP.AMBER_STRICT):
                orgs = frozenset({item.author_organization_id,
                                  *(rng.choice(members)[1].pk for _ in range(2))})
            audience = Audience(tlp=item.tlp, organizations=orgs)
            group_rows += [group_perms(content_object=item, group_id=group.pk,
                                       permission=permission)
                           for group in _groups(item.community, audience)]
            user_rows += [user_perms(content_object=item, user_id=pk, permission=permission)
                          for pk in users_named]
        user_perms.objects.bulk_create(user_rows, batch_size=5000)
        group_perms.objects.bulk_create(group_rows, batch_size=5000)
        audience_rebuild(model)
    print(f"{len(incidents)} incidents, {len(threads)} threads with their audiences "
          f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)


def run_part(now, shard, profile) -> dict:
    """One process's share of the run (all of it without ``shard``): what it did, its
    queries and its peak memory."""
    from apps.digests.digests import digests_send

    queries = 0

    def count(execute, sql, params, many, context):  # cheaper than logging every query
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        if profile:
            profile.enable()
        run = digests_send(frequency="daily", now=now, shard=shard)
        if profile:
            profile.disable()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    connection.close()
    return {**run.as_dict(), "queries": queries, "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--communities", type=int, default=50)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from apps.communities.models import Community
    from apps.digests.models import DigestDelivery

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False,
                                       keepdb=args.reuse)
    try:
        if not (args.reuse and Community.objects.filter(slug="bench-c0").exists()):
            build(args)
        DigestDelivery.objects.all().delete()
        counting = Counting()
        controller = Controller(counting, hostname="127.0.0.1", port=free_port())
        controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        connection.force_debug_cursor = False
        now = timezone.now() + datetime.timedelta(minutes=1)
        profile = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if args.workers > 1:
            connection.close()  # each process opens its own
            with multiprocessing.get_context("fork").Pool(args.workers) as pool:
                parts = pool.starmap(run_part, [(now, (part, args.workers), False)
                                                for part in range(args.workers)])
        else:
            parts = [run_part(now, None, profile)]
        seconds = time.perf_counter() - started
        time.sleep(0.5)
        controller.stop()
        total = {name: sum(part[name] for part in parts) for name in ("sent", "empty", "failed")}
        print(f"daily digest run ({args.workers} process{'es' if args.workers > 1 else ''}): "
              f"{seconds:.1f} s, {total['sent']} e-mails sent "
              f"({counting.messages} received, {counting.bytes / 1e6:.0f} MB), "
              f"{total['empty']} empty, {total['failed']} failed, "
              f"{max(part['queries'] for part in parts)} queries and peak RSS "
              f"{max(part['peak'] for part in parts) / 1e6:.0f} MB in the busiest process")
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
    finally:
        connection.close()
        if not args.keep and not args.reuse:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
