"""Threat actors and campaigns: community reference data whose pages reveal only the
incidents the reader may see."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.incidents import actor_selectors, actor_services
from apps.incidents.services import incident_update
from apps.sharing.tlp import TLP


@pytest.fixture
def actor(community, alice):
    return actor_services.threat_actor_create(
        user=alice,
        community=community,
        name="ラザルス",
        name_en="Lazarus",
        aliases="Hidden Cobra\nAPT38, ZINC",
    )


@pytest.fixture
def campaign(community, alice, actor):
    return actor_services.campaign_create(
        user=alice,
        community=community,
        name="偽求人作戦",
        name_en="Operation Dream Job",
        actor=actor,
    )


@pytest.fixture
def world(incident_for, alice, bob, carol, sec, outsider, org_b, actor, campaign):
    """RED to bob, AMBER to org A and B, GREEN to all — each naming the actor."""
    red = incident_for(alice, TLP.RED, title="Red for Bob", users=[bob], actors=[actor])
    amber = incident_for(
        alice,
        TLP.AMBER,
        title="Amber for A and B",
        organizations=[org_b],
        actors=[actor],
        campaigns=[campaign],
    )
    green = incident_for(alice, TLP.GREEN, title="Green for all", actors=[actor])
    return {"red": red, "amber": amber, "green": green}


def actor_url(community, actor):
    return reverse("incidents:actor", args=[community.slug, actor.pk])


def listed_titles(response) -> set[str]:
    return {incident.title for incident, _source in response.context["rows"]}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("alice", {"Red for Bob", "Amber for A and B", "Green for all"}),
        ("bob", {"Red for Bob", "Amber for A and B", "Green for all"}),
        ("carol", {"Green for all"}),
        ("sec", {"Amber for A and B", "Green for all"}),
    ],
)
def test_actor_page_lists_only_incidents_the_reader_may_see(
    world, cast, who, expected, community, actor, client_for
):
    response = client_for(cast[who]).get(actor_url(community, actor))
    assert response.status_code == 200
    assert listed_titles(response) == expected
    hidden = {"Red for Bob", "Amber for A and B", "Green for all"} - expected
    body = response.content.decode()
    assert not any(title in body for title in hidden)


def test_outsider_and_signed_out_visitor_see_no_actor_page(
    world, outsider, community, actor, client_for, client
):
    assert client_for(outsider).get(actor_url(community, actor)).status_code == 404
    assert client.get(actor_url(community, actor)).status_code == 302  # to sign in
    url = reverse("incidents:actors", args=[community.slug])
    assert client_for(outsider).get(url).status_code == 404


def test_counts_are_of_visible_incidents_only(world, cast, community):
    counts = {
        who: actor_selectors.threat_actors_for(cast[who], community).get().incident_count
        for who in ("alice", "bob", "carol", "sec")
    }
    assert counts == {"alice": 3, "bob": 3, "carol": 1, "sec": 2}
    campaign_counts = {
        who: actor_selectors.campaigns_for(cast[who], community).get().incident_count
        for who in ("alice", "bob", "carol")
    }
    assert campaign_counts == {"alice": 1, "bob": 1, "carol": 0}


def test_actor_known_only_from_hidden_incidents_reveals_nothing(
    incident_for, alice, bob, carol, community, client_for
):
    """Carol reads the actor as a bare record: the same page whether or not a RED incident she
    cannot see names it."""
    lonely = actor_services.threat_actor_create(user=alice, community=community, name="APT-X")
    before = client_for(carol).get(actor_url(community, lonely)).content
    incident_for(alice, TLP.RED, title="Secret sighting of APT-X", users=[bob], actors=[lonely])
    after_response = client_for(carol).get(actor_url(community, lonely))
    assert "Secret sighting" not in after_response.content.decode()
    assert listed_titles(after_response) == set()
    assert before.replace(b"\n", b"") != b""  # the page exists for her, as before
    listing = client_for(carol).get(reverse("incidents:actors", args=[community.slug]))
    row = next(r for r in listing.context["records"] if r.pk == lonely.pk)
    assert row.incident_count == 0


@pytest.mark.parametrize("query", ["Hidden Cobra", "apt38", "zinc", "Lazarus", "ラザルス",
                                   "らざるす", "ﾗｻﾞﾙｽ",
                                   "\uff2c\uff21\uff3a\uff21\uff32\uff35\uff33"])
def test_aliases_and_both_names_are_found_by_search(actor, alice, community, client_for, query):
    response = client_for(alice).get(
        reverse("incidents:actors", args=[community.slug]), {"q": query}
    )
    assert [record.pk for record in response.context["records"]] == [actor.pk]


def test_search_for_an_unknown_name_finds_nothing(actor, alice, community, client_for):
    response = client_for(alice).get(
        reverse("incidents:actors", args=[community.slug]), {"q": "Sandworm"}
    )
    assert response.context["records"] == []


def test_sharing_members_create_observers_do_not(community, bob, olive, client_for):
    url = reverse("incidents:actor_create", args=[community.slug])
    response = client_for(bob).post(url, {"name": "APT10", "aliases": "MenuPass\nStone Panda"})
    assert response.status_code == 302
    created = actor_selectors.threat_actors_for(bob, community).get(name="APT10")
    assert created.alias_list == ["MenuPass", "Stone Panda"]
    assert client_for(olive).post(url, {"name": "APT41"}).status_code == 403
    with pytest.raises(PermissionDenied):
        actor_services.threat_actor_create(user=olive, community=community, name="APT41")


def test_creator_and_secretariat_edit_others_do_not(actor, community, alice, bob, sec, client_for):
    url = reverse("incidents:actor_edit", args=[community.slug, actor.pk])
    assert client_for(bob).post(url, {"name": "Other"}).status_code == 403
    response = client_for(sec).post(url, {"name": "ラザルス", "aliases": "Lazarus Group"})
    assert response.status_code == 302
    actor.refresh_from_db()
    assert actor.alias_list == ["Lazarus Group"]
    actor_services.threat_actor_update(user=alice, actor=actor, name_en="Lazarus Group")


def test_names_are_unique_per_community(actor, community, bob):
    with pytest.raises(ValidationError):
        actor_services.threat_actor_create(user=bob, community=community, name="ラザルス")


def test_an_incident_cannot_name_another_communitys_actor(
    incident_for, alice, outsider, other_community
):
    foreign = actor_services.threat_actor_create(
        user=outsider, community=other_community, name="Foreign"
    )
    with pytest.raises(ValidationError):
        incident_for(alice, TLP.GREEN, actors=[foreign])


def test_incident_list_filters_by_actor_and_campaign(
    world, bob, carol, community, client_for, actor, campaign
):
    url = reverse("incidents:list", args=[community.slug])
    titles = {i.title for i in client_for(bob).get(url, {"actor": actor.pk}).context["incidents"]}
    assert titles == {"Red for Bob", "Amber for A and B", "Green for all"}
    titles = {
        i.title for i in client_for(bob).get(url, {"campaign": campaign.pk}).context["incidents"]
    }
    assert titles == {"Amber for A and B"}
    titles = {
        i.title for i in client_for(carol).get(url, {"campaign": campaign.pk}).context["incidents"]
    }
    assert titles == set()


def test_incident_form_links_actors(world, alice, community, client_for, actor, campaign):
    incident = world["green"]
    page = client_for(alice).get(reverse("incidents:detail", args=[community.slug, incident.pk]))
    assert "ラザルス" in page.content.decode()
    incident_update(incident=incident, actor=alice, actors=[], campaigns=[campaign])
    assert list(incident.actors.all()) == []
    assert list(incident.campaigns.all()) == [campaign]


@pytest.mark.parametrize("count", [3, 30])
def test_actor_pages_cost_a_fixed_number_of_queries(
    count, incident_for, alice, bob, community, client_for, django_assert_max_num_queries
):
    actors = [
        actor_services.threat_actor_create(user=alice, community=community, name=f"A{n}")
        for n in range(count)
    ]
    for n, item in enumerate(actors):
        incident_for(
            alice,
            TLP.GREEN if n % 2 else TLP.RED,
            users=[bob] if n % 2 == 0 else None,
            actors=[item, actors[0]],
        )
    client = client_for(bob)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("incidents:actors", args=[community.slug]))
    assert len(response.context["records"]) == count
    # The membership and session, the record, its incidents and their sources, the campaigns.
    with django_assert_max_num_queries(13):
        response = client.get(actor_url(community, actors[0]))
    assert len(response.context["rows"]) == count


def test_api_lists_actors_with_visible_counts(world, cast, client_for, actor, campaign):
    counts = {}
    for who in ("bob", "carol", "outsider"):
        data = client_for(cast[who]).get("/api/v1/threat-actors/").json()
        counts[who] = [row["incident_count"] for row in data["results"]]
    assert counts == {"bob": [3], "carol": [1], "outsider": []}
    found = client_for(cast["bob"]).get("/api/v1/threat-actors/", {"q": "zinc"}).json()
    assert found["results"][0]["aliases"] == ["Hidden Cobra", "APT38", "ZINC"]
    campaigns = client_for(cast["carol"]).get("/api/v1/campaigns/").json()["results"]
    assert campaigns[0]["actor"]["name"] == "ラザルス" and campaigns[0]["incident_count"] == 0
    assert client_for(cast["outsider"]).get(f"/api/v1/threat-actors/{actor.pk}/").status_code == 404


def test_api_incident_names_its_actors_and_filters_by_them(world, bob, carol, client_for, actor):
    data = client_for(bob).get("/api/v1/incidents/", {"actor": str(actor.pk)}).json()
    assert len(data["results"]) == 3
    assert all(
        row["actors"] == [{"id": str(actor.pk), "name": "ラザルス"}] for row in data["results"]
    )
    data = client_for(carol).get("/api/v1/incidents/", {"actor": str(actor.pk)}).json()
    assert [row["title"] for row in data["results"]] == ["Green for all"]


def test_api_creates_an_incident_naming_an_actor(community, alice, actor, client_for, techniques):
    response = client_for(alice).post(
        "/api/v1/incidents/",
        {
            "community": community.slug,
            "title": "Dream job lure",
            "category": "phishing",
            "tlp": "GREEN",
            "actors": [str(actor.pk)],
            "confidence": "likely",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["actors"][0]["id"] == str(actor.pk)
    assert response.json()["confidence"] == "likely"


def test_the_list_filter_form_keeps_the_actor(world, bob, community, client_for, actor):
    url = reverse("incidents:list", args=[community.slug])
    body = client_for(bob).get(url, {"actor": actor.pk}).content.decode()
    assert f'name="actor" value="{actor.pk}"' in body


def test_stix_names_the_actor_and_campaign_without_their_description(
    world, bob, community, client_for, actor, campaign
):
    actor_services.threat_actor_update(user=actor.created_by, actor=actor, description="Members")
    incident = world["amber"]
    response = client_for(bob).get(
        reverse("interop:incident_stix", args=[community.slug, incident.pk])
    )
    assert response.status_code == 200
    objects = {o["id"]: o for o in json.loads(response.content)["objects"]}
    threat_actor = objects[f"threat-actor--{actor.pk}"]
    assert threat_actor["name"] == "ラザルス"
    assert threat_actor["aliases"] == ["Lazarus", "Hidden Cobra", "APT38", "ZINC"]
    assert "description" not in threat_actor
    assert objects[f"campaign--{campaign.pk}"]["name"] == "偽求人作戦"
    kinds = {
        (o["source_ref"].split("--")[0], o["relationship_type"], o["target_ref"].split("--")[0])
        for o in objects.values()
        if o["type"] == "relationship"
    }
    assert {
        ("incident", "related-to", "threat-actor"),
        ("incident", "related-to", "campaign"),
        ("campaign", "attributed-to", "threat-actor"),
    } <= kinds
