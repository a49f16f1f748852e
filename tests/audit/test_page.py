"""The secretariat's audit page: its community only, filters, pages in a fixed number of
queries, a formula-safe CSV export that is itself recorded; 404 for everyone else."""

import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from apps.audit.models import ANONYMOUS_AUTHOR, Action, AuditEvent
from apps.audit.presentation import neutralise
from apps.audit.services import record

pytestmark = pytest.mark.django_db

PAGE = "/c/fin-isac/manage/audit/"
EXPORT = "/c/fin-isac/manage/audit/export.csv"


def at(days_ago: int, actor, community, action=Action.VIEW, **fields) -> AuditEvent:
    event = AuditEvent(action=action, actor=actor, actor_email=actor.email if actor else "",
                       community=community,
                       at=timezone.now() - datetime.timedelta(days=days_ago), **fields)
    event.save()
    return event


def shown_ids(response) -> set[int]:
    return {event.pk for event, _detail in response.context["rows"]}


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_only_the_secretariat_gets_in(url, cast, client_for, client):
    for name in ("alice", "bob", "olive", "outsider"):
        assert client_for(cast[name]).get(url).status_code == 404, name
    assert client_for(cast["sam"]).get(url).status_code in (403, 404)
    assert client.get(url).status_code == 302  # signed out: the sign-in page
    assert client_for(cast["sec"]).get(url).status_code == 200


def test_a_refused_export_records_nothing(alice, client_for):
    client_for(alice).get(EXPORT)
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_page_shows_only_this_communitys_events(sec, bob, outsider, community,
                                                    other_community, client_for):
    mine = at(1, bob, community)
    at(1, outsider, other_community)
    at(1, outsider, None)
    response = client_for(sec).get(PAGE)
    assert shown_ids(response) == {mine.pk}


def test_the_secretariat_navigation_links_the_page(sec, client_for):
    assert PAGE in client_for(sec).get("/c/fin-isac/manage/").content.decode()


def test_filters_by_action_actor_dates_and_target(sec, alice, bob, community, client_for):
    old_view = at(40, alice, community, target_id="3f2a0000-0000-4000-8000-000000000001")
    recent_view = at(2, bob, community, target_id="3f2a0000-0000-4000-8000-000000000002")
    change = at(1, bob, community, action=Action.MEMBERSHIP_CHANGED, target_id="17")
    client = client_for(sec)

    def ids(**params):
        response = client.get(PAGE, params)
        assert response.status_code == 200
        return shown_ids(response)

    assert ids() == {old_view.pk, recent_view.pk, change.pk}
    assert ids(action="view") == {old_view.pk, recent_view.pk}
    assert ids(actor="BETA.example") == {recent_view.pk, change.pk}
    since = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert ids(date_from=since) == {recent_view.pk, change.pk}
    assert ids(date_to=until) == {old_view.pk}
    assert ids(target=" 3F2A0000-0000-4000-8000-000000000002 ") == {recent_view.pk}
    assert ids(action="view", actor="beta") == {recent_view.pk}


def test_a_malformed_filter_is_explained(sec, client_for):
    response = client_for(sec).get(PAGE, {"date_from": "yesterday", "action": "steal"})
    assert response.status_code == 200
    errors = response.context["filter"].form.errors
    assert "date_from" in errors and "action" in errors


def test_the_page_is_paginated_in_a_fixed_number_of_queries(
        sec, bob, community, client_for, django_assert_max_num_queries):
    client = client_for(sec)
    for _ in range(3):
        at(1, bob, community)
    client.get(PAGE)  # warm caches (content types, session)
    # 9: the navigation's count of pending approvals, shown to the secretariat, is one.
    with django_assert_max_num_queries(9) as few:
        client.get(PAGE)
    AuditEvent.objects.bulk_create(
        AuditEvent(action=Action.VIEW, actor=bob, actor_email=bob.email, community=community)
        for _ in range(120))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PAGE, {"action": "view"})
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.count == 123
    second = client.get(PAGE, {"page": 3})
    assert len(second.context["rows"]) == 23


def test_rows_that_betray_an_anonymous_source_are_recorded_when_shown(
        sec, bob, community, client_for, trail):
    at(1, bob, community, target_id="42", target_label="incident 42",
       detail={"tlp": "TLP:AMBER", ANONYMOUS_AUTHOR: True})
    at(1, bob, community, target_id="42", target_label="incident 42",
       detail={"tlp": "TLP:AMBER", ANONYMOUS_AUTHOR: True})
    at(1, bob, community, target_id="43", target_label="incident 43", detail={"tlp": "TLP:RED"})
    response = client_for(sec).get(PAGE)
    assert bob.email in response.content.decode()
    [event] = trail(action=Action.SOURCE_REVEALED)
    assert (event.actor, event.target_id, event.community) == (sec, "42", community)
    assert event.detail == {"via": "audit"}


def test_the_csv_export_has_a_bom_a_header_and_the_filtered_rows(
        sec, alice, bob, community, client_for):
    at(3, alice, community, target_id="1", target_label="membership 1",
       action=Action.MEMBERSHIP_CHANGED, detail={"member": "x@y.jp", "role": ["member", "chair"]})
    at(2, bob, community, target_id="abc", target_label="incident abc")
    response = client_for(sec).get(EXPORT, {"action": "membership_changed"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="audit-fin-isac-' in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:3] == ["time", "actor", "action"]
    [row] = rows
    assert row[1] == alice.email and row[2] == "Changed a membership"
    assert row[4] == "1" and "role: member → chair" in row[6]


def test_the_export_is_recorded_with_its_filters_and_size(sec, bob, community, client_for,
                                                         trail):
    at(2, bob, community)
    at(1, bob, community)
    response = client_for(sec).get(EXPORT, {"action": "view"}, REMOTE_ADDR="192.0.2.99")
    rows = read_csv(response)[1:]
    assert len(rows) == 2  # the export's own record is not in it
    [event] = trail(action=Action.EXPORT)
    assert event.actor == sec and event.community == community
    assert event.ip_address == "192.0.2.99"
    assert event.detail == {"what": "audit", "format": "csv", "rows": 2,
                            "filters": {"action": "view"}}
    # The next export shows the first one.
    later = read_csv(client_for(sec).get(EXPORT, {"action": "export"}))[1:]
    assert len(later) == 1


def test_the_export_records_the_anonymous_sources_it_betrays(sec, bob, community,
                                                             client_for, trail):
    at(1, bob, community, target_id="42", target_label="incident 42",
       detail={ANONYMOUS_AUTHOR: True})
    read_csv(client_for(sec).get(EXPORT))
    [event] = trail(action=Action.SOURCE_REVEALED)
    assert event.target_id == "42" and event.actor == sec


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell


def test_the_export_neutralises_formulas_wherever_they_come_from(sec, community, client_for):
    record(action=Action.VIEW, community=community, label="=HYPERLINK(\"http://x\")",
           detail={"member": "@evil"},
           request=_request_with_agent("-exploit"))
    [row] = read_csv(client_for(sec).get(EXPORT, {"action": "view"}))[1:]
    assert row[5].startswith("'=") and row[8] == "'-exploit"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def _request_with_agent(agent):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_USER_AGENT=agent)
    request.user = AnonymousUser()
    return request


def test_the_export_speaks_the_readers_language(sec, bob, community, client_for):
    sec.language = "ja"
    sec.save()
    at(1, bob, community)
    response = client_for(sec).get(EXPORT)
    # A streamed body is written after the request is over, whatever language is active
    # then: the reader's is kept.
    with translation.override("en"):
        header = read_csv(response)[0]
    assert header[7:9] == ["IP アドレス", "ブラウザ"]


# --- the admin: read only, superusers only ---------------------------------------------

def test_the_admin_lists_events_read_only_for_superusers(bob, community, client_for):
    event = at(1, bob, community, target_label="incident 1")
    root = get_user_model().objects.create_superuser("root@renkei.example", "x" * 12)
    client = client_for(root)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    response = client.post("/admin/audit/auditevent/", {
        "action": "delete_selected", "_selected_action": [str(event.pk)], "post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert response.status_code in (200, 302)


def test_the_admin_masks_the_author_of_an_anonymous_item(bob, community, client_for):
    at(1, bob, community, target_label="incident 1", detail={ANONYMOUS_AUTHOR: True})
    root = get_user_model().objects.create_superuser("root@renkei.example", "x" * 12)
    body = client_for(root).get("/admin/audit/auditevent/").content.decode()
    assert bob.email not in body


def test_staff_without_superuser_cannot_open_the_admin_page(bob, community, client_for):
    at(1, bob, community)
    staff = get_user_model().objects.create_user("staff@renkei.example", "x" * 12,
                                                 is_staff=True)
    assert client_for(staff).get("/admin/audit/auditevent/").status_code == 403
