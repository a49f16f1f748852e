"""Benchmark at ISAC scale: the incident and thread lists through the whole stack, for three
kinds of member and a signed-out visitor, against django-guardian's naive
`get_objects_for_user` on the same data.

    .venv/bin/python bench/scale.py --incidents 100000 [--threads M] [--repeat 20]
        [--keep] [--reuse] [--explain]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei .venv/bin/python bench/scale.py ...

It creates a throwaway database next to the configured one (``test_<name>`` on PostgreSQL, a
file under var/ on SQLite), migrates it, fills it with `manage.py build_scale_world` (bulk
COPY), issues API tokens to the three users of its manifest (`token_issue`, as `manage.py
issue_token` does) and times each request with Django's test client and
``Authorization: Token …``: authentication, filters, pagination and serialisers all run. Each
figure is the median and 95th percentile of ``--repeat`` requests after ``--warmup`` ones,
with the number of SQL queries of a request.

The naive figure is the same first page computed with guardian's
``get_objects_for_user(user, "incidents.view_incident", Incident.objects.all())`` (plus the
public TLP:CLEAR items) ordered, sliced and serialised like the API's; guardian reads group
membership from ``auth_user_groups``, which Renkei never writes, so in this throwaway
database only, each measured user is put in the groups `apps.sharing` says they are in.

The database is dropped at the end unless ``--keep``; ``--reuse`` keeps it and skips the
build when it already holds a world of the same size (building 1,000,000 takes minutes).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SEARCH = "ランサムウェア"
VISITOR = "signed-out visitor"


# -- the database ---------------------------------------------------------------------------


def backend() -> str:
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    return f"SQLite {connection.Database.sqlite_version}"


def open_database(args) -> tuple[str, dict | None]:
    """Create (or with --reuse, open) the throwaway database. Returns Django's name of the
    configured database (to restore at the end) and the manifest when the world is already
    there and of the requested size."""
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        (ROOT / "var").mkdir(exist_ok=True)
        database.setdefault("TEST", {})["NAME"] = str(ROOT / "var" / "bench-scale.sqlite3")
    old_name = connection.settings_dict["NAME"]  # create_test_db returns the new name
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=args.reuse)
    manifest = None
    if args.reuse and args.manifest.exists():
        manifest = json.loads(args.manifest.read_text())
        from apps.discussions.management.commands.build_scale_world import WORLD_VERSION
        from apps.incidents.models import Incident

        wanted = (WORLD_VERSION, args.incidents, args.threads, args.seed)
        same = tuple(manifest.get(key) for key in ("version", "incidents", "threads",
                                                   "seed")) == wanted
        if not same or Incident.objects.count() != args.incidents:
            manifest = None
    if args.reuse and manifest is None:
        from apps.communities.models import Community

        if Community.objects.exists():  # another world: start again from an empty one
            connection.creation.destroy_test_db(old_name, verbosity=0)
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return old_name, manifest


def build(args) -> dict:
    started = time.perf_counter()
    call_command("build_scale_world", incidents=args.incidents, threads=args.threads,
                 manifest=str(args.manifest), seed=args.seed, stdout=sys.stderr)
    print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return json.loads(args.manifest.read_text())


def limit_statements(seconds: int) -> None:
    """From now on, PostgreSQL cancels any statement running longer than ``seconds``: a
    planner cliff shows as a time-out in the table instead of stalling the run."""
    if connection.vendor != "postgresql":
        return
    options = connection.settings_dict.setdefault("OPTIONS", {})
    # Beside the portal's own options (portal.settings.base), not instead of them.
    options["options"] = f"{options.get('options', '')} -c statement_timeout={seconds * 1000}"
    connection.close()  # the next connection takes the option


# -- measuring ------------------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank."""
    return sorted_values[max(0, math.ceil(share * len(sorted_values)) - 1)]


def timed(run, *, repeat: int, warmup: int, slow: float = 5.0) -> dict:
    """Run ``run()`` (returning a result to keep) warmup + repeat times; a request slower
    than ``slow`` seconds is timed three times only (marked), one that times out not at all."""
    from django.db import OperationalError

    for _ in range(warmup):
        started = time.perf_counter()
        try:
            with CaptureQueriesContext(connection) as captured:
                run()
        except OperationalError:  # statement_timeout: keep the statement for --explain
            return {"median": math.nan, "p95": math.nan, "queries": "-", "result": {},
                    "slowest": captured.captured_queries[-1:] and
                    {**captured.captured_queries[-1], "timed_out": True}, "runs": 0}
        if time.perf_counter() - started > slow:
            repeat = 3
            break
    timings, queries, result = [], set(), None
    slowest = None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = run()
            timings.append((time.perf_counter() - started) * 1000)
        queries.add(len(captured))
        heavy = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
        if heavy and (slowest is None or float(heavy["time"]) > float(slowest["time"])):
            slowest = heavy
    timings.sort()
    low, high = min(queries), max(queries)  # a token's last use is written now and then
    return {"median": statistics.median(timings), "p95": percentile(timings, 0.95),
            "queries": f"{low}" if low == high else f"{low}-{high}", "result": result,
            "slowest": slowest, "runs": len(timings)}


def figures(result: dict) -> str:
    """"median | p95" in ms, marked when fewer runs were timed."""
    if not result["runs"]:
        return "timed out | timed out"
    mark = "" if result["runs"] >= 20 else f" ({result['runs']} runs)"
    return f"{result['median']:.1f}{mark} | {result['p95']:.1f}"


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def later_page(client: Client, url: str, headers: dict, depth: int) -> tuple[str, int]:
    """The URL ``depth`` pages after ``url`` (following ``next``), or the last one."""
    page = 1
    for _ in range(depth):
        following = client.get(url, headers=headers).json().get("next")
        if not following:
            break
        url, page = local(following), page + 1
    return url, page


def get(client: Client, url: str, headers: dict):
    def run():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response.json()
    return run


def shown(body: dict) -> str:
    """How many items the page shows, and the count the API gives (if any)."""
    items = len(body.get("results", ()))
    count = body.get("count")
    if count is None:
        return f"{items}"
    return f"{items} of {count}" + ("" if body.get("count_exact", True) else "+")


def cases(client: Client, headers: dict, depth: int) -> list[tuple[str, str]]:
    incidents_later, incidents_page = later_page(client, "/api/v1/incidents/", headers, depth)
    threads_later, threads_page = later_page(client, "/api/v1/threads/", headers, depth)
    return [
        ("incidents, first page", "/api/v1/incidents/"),
        (f"incidents, page {incidents_page}", incidents_later),
        (f"incidents ?q={SEARCH}", f"/api/v1/incidents/?q={SEARCH}"),
        ("incidents ?tlp=AMBER", "/api/v1/incidents/?tlp=AMBER"),
        ("threads, first page", "/api/v1/threads/"),
        (f"threads, page {threads_page}", threads_later),
        ("threads ?tlp=AMBER", "/api/v1/threads/?tlp=AMBER"),
    ]


# -- naive guardian -------------------------------------------------------------------------


def enrol_in_groups(user) -> None:
    """Put ``user`` in the auth groups `apps.sharing` derives from their memberships, so that
    guardian (which reads ``auth_user_groups``) sees what they may see. Bench database only:
    Renkei itself ignores these rows."""
    try:
        from apps.sharing.selectors import reach_of
    except ImportError:  # before the materialised audience
        from apps.communities.models import CommunityGroup
        from apps.sharing.selectors import principal_groups

        ids = CommunityGroup.objects.filter(principal_groups(user)).values_list("group_id",
                                                                               flat=True)
    else:
        ids = reach_of(user).group_ids
    user.groups.set(list(ids))


def naive_incidents(user, request, page_size: int):
    from guardian.shortcuts import get_objects_for_user

    from apps.incidents import selectors
    from apps.incidents.api.serializers import IncidentSerializer
    from apps.incidents.models import Incident
    from apps.sharing.tlp import TLP

    def run():
        visible = get_objects_for_user(user, "incidents.view_incident",
                                       Incident.objects.all())
        visible = visible | Incident.objects.filter(tlp=TLP.CLEAR)
        page = list(selectors.with_counts(
            visible.select_related("community", "author_organization")
            .prefetch_related("techniques", "recipient_organizations", "recipient_users")
            .order_by("-created_at", "-pk"))[:page_size])
        return IncidentSerializer(page, many=True, context={"request": request}).data
    return run


def naive_threads(user, request, page_size: int):
    from django.db.models import Count, Q
    from guardian.shortcuts import get_objects_for_user

    from apps.discussions import selectors
    from apps.discussions.api.serializers import ThreadSerializer
    from apps.discussions.models import Thread
    from apps.sharing.tlp import TLP

    def run():
        visible = get_objects_for_user(user, "discussions.view_thread", Thread.objects.all())
        visible = visible | Thread.objects.filter(tlp=TLP.CLEAR)
        page = list(
            visible.select_related("community", "author_organization")
            .annotate(post_count=Count("posts", filter=Q(posts__deleted=False)))
            .prefetch_related(*selectors.recipients_prefetch())
            .order_by("-last_post_at", "-pk")[:page_size])
        page = selectors.threads_decorate(page, user)
        return ThreadSerializer(page, many=True, context={"request": request}).data
    return run


def drf_request(user, path: str):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = Request(APIRequestFactory().get(path))
    request.user = user
    return request


def ids(data) -> list[str]:
    return [str(item["id"]) for item in data]


# -- main -----------------------------------------------------------------------------------


def explain(query: dict) -> None:
    """The plan of ``query``, run (ANALYZE) unless it timed out."""
    if connection.vendor != "postgresql" or not query:
        return
    analyze = "" if query.get("timed_out") else "(ANALYZE, BUFFERS) "
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + analyze + query["sql"])
        print("\n```\n" + "\n".join(row[0] for row in cursor.fetchall()) + "\n```")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=None, help="default: incidents / 10")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests (at least 20)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--depth", type=int, default=5, help="pages to follow for 'later'")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database, and skip the build if it holds this world")
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds after which PostgreSQL cancels a statement (default 120)")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN ANALYZE the slowest query of each request (PostgreSQL)")
    args = parser.parse_args()
    args.threads = args.incidents // 10 if args.threads is None else args.threads
    args.repeat = max(20, args.repeat)

    setup_test_environment()
    settings.DEBUG = False
    old_name, manifest = open_database(args_with_manifest(args))
    try:
        if manifest is None:
            manifest = build(args)
        limit_statements(args.timeout)
        run(args, manifest)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0,
                                            keepdb=args.keep or args.reuse)


def args_with_manifest(args):
    name = settings.DATABASES["default"]["NAME"]
    stem = Path(str(name)).stem if connection.vendor == "sqlite" else name
    args.manifest = ROOT / "var" / f"bench-scale-{connection.vendor}-{stem}.json"
    args.manifest.parent.mkdir(exist_ok=True)
    return args


def run(args, manifest: dict) -> None:
    from apps.accounts.models import User
    from apps.accounts.services import token_issue

    page_size = settings.REST_FRAMEWORK["PAGE_SIZE"]
    client = Client()
    people = [(VISITOR, None, {}, None)]
    for entry in manifest["users"]:
        user = User.objects.get(email=entry["email"])
        _token, key = token_issue(user=user, name="bench", days=1)
        people.insert(-1, (entry["kind"], user, {"Authorization": f"Token {key}"}, entry))

    # As portal/wsgi.py does once the application is loaded: the collector leaves alone what
    # lives as long as the process.
    client.get("/api/v1/incidents/")
    gc.freeze()
    print(f"\n{args.incidents:,} incidents, {args.threads:,} threads, {backend()}, "
          f"{os.cpu_count()} CPUs; built in {manifest.get('built_seconds', '?')} s; "
          f"{args.repeat} timed requests each after {args.warmup}; times in ms\n")
    print("| user | sees incidents / threads |")
    print("|---|---:|")
    for kind, _user, _headers, entry in people[:-1]:
        print(f"| {kind} | {entry['visible_incidents']:,} / {entry['visible_threads']:,} |")

    print("\n| user | request | median | p95 | queries | shown |")
    print("|---|---|---:|---:|---:|---:|")
    first_pages, slow = {}, []
    for kind, _user, headers, _entry in people:
        for name, url in cases(client, headers, args.depth):
            result = timed(get(client, url, headers), repeat=args.repeat, warmup=args.warmup)
            first_pages[(kind, name)] = result
            slow.append((kind, name, result["slowest"]))
            print(f"| {kind} | {name} | {figures(result)} | "
                  f"{result['queries']} | {shown(result['result'])} |", flush=True)

    print("\nThe first page through guardian's get_objects_for_user (+ TLP:CLEAR), ordered, "
          "sliced and serialised, against the API's:\n")
    print("| user | list | API median | guardian median | guardian p95 | ratio | same page |")
    print("|---|---|---:|---:|---:|---:|---|")
    for kind, user, _headers, _entry in people[:-1]:
        enrol_in_groups(user)
        for name, path, naive in (
            ("incidents", "/api/v1/incidents/", naive_incidents),
            ("threads", "/api/v1/threads/", naive_threads),
        ):
            result = timed(naive(user, drf_request(user, path), page_size),
                           repeat=args.repeat, warmup=args.warmup)
            api = first_pages[(kind, f"{name}, first page")]
            same = bool(result["runs"] and api["runs"]) and (
                ids(result["result"]) == ids(api["result"]["results"]))
            print(f"| {kind} | {name} | {api['median']:.1f} | {figures(result)} | "
                  f"{result['median'] / api['median']:.1f}x | "
                  f"{'yes' if same else 'NO'} |", flush=True)
        user.groups.clear()

    if args.explain:
        for kind, name, query in slow:
            took = "timed out" if query and query.get("timed_out") else (
                f"{query and query['time']} s")
            print(f"\n### {kind}, {name}: slowest query ({took})")
            explain(query)


if __name__ == "__main__":
    main()
