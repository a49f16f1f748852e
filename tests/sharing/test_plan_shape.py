"""A guard against the planner cliff (PostgreSQL): on a scale world analysed like a real one,
the first page of a list and a later one (by cursor), for a reader of wide reach, is a merge
of index range scans — no sequential scan of the items or of their audience, nothing hashed,
and no subplan run once per row; a search reads its matches rather than walking the list.
It asserts the shape of the plan the database chose, not a time."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.services import token_issue
from apps.incidents.models import Incident
from apps.incidents.search import text_match
from apps.sharing.pages import visible_page

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.heavy]

WIDE = ("/api/v1/incidents/", "/api/v1/incidents/?tlp=AMBER", "/api/v1/threads/")
TABLES = {"incidents_incident", "discussions_thread", "sharing_audiencerow"}


def plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


@pytest.fixture
def scale_world(tmp_path):
    manifest = tmp_path / "manifest.json"
    call_command("build_scale_world", incidents=30000, threads=20000, manifest=str(manifest),
                 seed=8)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics as a live database has them
    return json.loads(manifest.read_text())["users"]


def page_query(client, path, headers) -> tuple[str, str]:
    """The SQL statement that picks the page's ids (the one naming the audience rows), and
    the path of the next page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
        assert response.status_code == 200
    [sql] = [q["sql"] for q in queries if "page_pos" in q["sql"] and "LIMIT" in q["sql"]
             and "COUNT(" not in q["sql"]]
    return sql, response.json()["next"].removeprefix("http://testserver")


def test_a_first_page_walks_indexes_for_a_reader_of_wide_reach(scale_world, client):
    """One world (built once: it takes a while) and every kind of reader in it."""
    for entry, first in [(entry, path) for entry in scale_world for path in WIDE]:
        kind = entry["kind"]
        user = get_user_model().objects.get(email=entry["email"])
        _token, key = token_issue(user=user, name="plan", days=1)
        headers = {"Authorization": f"Token {key}"}
        first_sql, later = page_query(client, first, headers)
        later_sql, _next = page_query(client, later, headers)  # by cursor: the same shape
        for path, sql in ((first, first_sql), (later, later_sql)):
            assert_walks(kind, path, sql)
        item = client.get(first, headers=headers).json()["results"][0]["id"]
        detail = f"{first.split('?')[0]}{item}/"
        assert_probes(kind, detail, detail_query(client, detail, item, headers))
    for user in [*(get_user_model().objects.get(email=e["email"]) for e in scale_world),
                 AnonymousUser()]:
        assert_reads_matches(user)


SEARCH = "ランサムウェア"  # in 3 % of a scale world's incidents


def assert_reads_matches(user):
    """A search reads its matches, then puts them in order: asked for the newest match in
    order, the planner walks the list's index testing the words on every item it meets —
    for a word found only in old items, the whole table. Asked here for one match among all
    (no window of the newest items), where such a walk looks cheapest to it."""
    matches = text_match(Incident.objects.all(), SEARCH, reader=user)
    with CaptureQueriesContext(connection) as queries:
        visible_page(user, matches, size=1, narrow=True, windows=())
    [sql] = [q["sql"] for q in queries if "sharing_audiencerow" in q["sql"]]
    walked = [n for n in explain(sql) if n.get("Index Name") == "incident_created"]
    assert not walked, (user, walked)


def detail_query(client, path, item, headers) -> str:
    """The statement of a detail page that asks the audience rows about its one item."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, headers=headers).status_code == 200
    [sql, *_] = [q["sql"] for q in queries if "sharing_audiencerow" in q["sql"]
                 and "EXISTS" in q["sql"] and item.replace("-", "") in q["sql"]]
    return sql


def assert_probes(kind, path, sql):
    """One item, probed through its own audience rows: no scan, no hash of everything the
    reader may see (a `visible_to` without ``few`` hashed 300,000 rows at 1,000,000)."""
    nodes = explain(sql)
    scanned = {n.get("Relation Name") for n in nodes if n["Node Type"] in ("Seq Scan", "Hash")}
    hashed = [n.get("Subplan Name") for n in nodes if n.get("Subplan Name", "").startswith(
        "hashed")]
    assert not scanned & TABLES and not hashed, (kind, path, scanned, hashed)
    assert "audience_item" in {n.get("Index Name") for n in nodes}, (kind, path)


def explain(sql) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        [[document]] = cursor.fetchall()
    return list(plan_nodes(document[0]["Plan"]))


def assert_walks(kind, path, sql):
    nodes = explain(sql)
    seq_scans = {n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"}
    per_row = [n for n in nodes if n.get("Parent Relationship") == "SubPlan"
               and not n.get("Subplan Name", "").startswith("hashed")]
    assert not seq_scans & TABLES, (kind, path, seq_scans)
    assert not per_row, (kind, path, [n.get("Subplan Name") for n in per_row])
    # Nothing hashed either: each walk stops after a page, whatever the world's size.
    hashed = [n.get("Relation Name") for n in nodes if n["Node Type"] == "Hash Join"]
    assert not hashed, (kind, path, hashed)
    walks = {n.get("Index Name") for n in nodes if "Index" in n["Node Type"]}
    assert walks & {"audience_group_walk", "audience_user_walk",
                    "audience_public_walk"}, (kind, path, walks)
