"""No admin page shows an item's title, text, indicators, recipients or source to an operator
who could not see them in the portal: lists, search, filters, autocomplete, item pages,
history and the "Recent actions" box."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import models

from apps.incidents.services import incident_create
from apps.sharing.models import AudienceChange, SharedContent
from apps.sharing.tlp import TLP
from tests.admin.conftest import RED_TITLE, RED_VALUE, SECRETS, assert_tells_nothing
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clear(community, alice):
    return incident_create(
        author=alice, community=community, title="Public advisory on update-check.xyz",
        category="phishing", tlp=TLP.CLEAR, anonymous=True,
    )


@pytest.fixture
def recipient_root(world, community, bob, org_b):
    """A superuser who is also an active member of Beta Securities: sees the RED item as
    one of its named recipients (Bob is the other), but is not its author."""
    root = MembershipFactory(
        community=community, organization=org_b, user__email="root2@renkei.example",
        user__is_superuser=True, user__is_staff=True,
    ).user
    from apps.sharing.services import audience_set

    audience_set(item=world["red"], actor=world["red"].author, tlp=TLP.RED, users=[bob, root])
    return root


def test_incident_list_and_search_show_only_what_the_operator_may_see(
    world, clear, root, client_for
):
    client = client_for(root)
    listing = client.get("/admin/incidents/incident/").content.decode()
    assert str(clear.pk) in listing
    assert_tells_nothing(listing)
    for term in ("zebra", "walrus", "quokka", RED_VALUE):
        found = client.get("/admin/incidents/incident/", {"q": term}).content.decode()
        assert "0 results" in found
        for secret in SECRETS:
            assert secret == term or secret not in found
    filtered = client.get("/admin/incidents/incident/", {"tlp__exact": "RED"}).content.decode()
    assert_tells_nothing(filtered)


def test_an_anonymous_items_source_is_not_in_the_list(clear, root, client_for):
    listing = client_for(root).get("/admin/incidents/incident/").content.decode()
    assert clear.title in listing
    assert "Alpha Bank" not in listing and "アルファ銀行" not in listing
    assert clear.author.email not in listing


def test_item_pages_stay_in_the_portal_even_for_a_recipient(
    world, recipient_root, client_for
):
    """The admin never shows an item's page: its recipients, author and text are the
    portal's to show (where views are recorded and the recipient list is the editors')."""
    client = client_for(recipient_root)
    red = world["red"]
    listing = client.get("/admin/incidents/incident/").content.decode()
    assert RED_TITLE in listing  # the recipient may see the title, as in the portal
    assert "bob@beta.example.jp" not in listing
    assert red.author.email not in listing
    assert f"/c/{red.community.slug}/incidents/{red.pk}/" in listing
    for page in ("change", "history", "delete"):
        response = client.get(f"/admin/incidents/incident/{red.pk}/{page}/")
        assert response.status_code in (302, 403), page
        assert "bob@beta.example.jp" not in response.content.decode()
        assert RED_VALUE not in response.content.decode()


def test_hidden_items_pages_answer_like_missing_ones(world, root, client_for):
    client = client_for(root)
    for page in ("change", "history", "delete"):
        response = client.get(f"/admin/incidents/incident/{world['red'].pk}/{page}/")
        assert response.status_code in (302, 403, 404), page
        assert_tells_nothing(response.content.decode())


def test_indicators_posts_and_audiences_have_no_admin_pages(world, root, client_for):
    client = client_for(root)
    for url in (
        "/admin/incidents/indicator/",
        "/admin/incidents/sighting/",
        "/admin/incidents/usagefeedback/",
        "/admin/discussions/thread/",
        "/admin/discussions/post/",
        "/admin/discussions/postrevision/",
        "/admin/sharing/audiencechange/",
    ):
        response = client.get(url, follow=True)
        assert_tells_nothing(response.content.decode())
    assert RED_VALUE not in client.get("/admin/", follow=True).content.decode()


def test_autocomplete_offers_only_visible_incidents(world, clear, root, client_for):
    client = client_for(root)
    for field in (("discussions", "thread", "incident"), ("incidents", "indicator", "incident")):
        app_label, model_name, field_name = field
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": app_label, "model_name": model_name, "field_name": field_name,
             "term": ""},
        )
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert ids == {str(clear.pk)}
        assert_tells_nothing(response.content.decode())


def test_recent_actions_do_not_repeat_the_titles_of_hidden_items(
    world, clear, root, client_for
):
    """A title recorded when the operator could still see the item (or by an older admin)
    is not shown once they cannot see it."""
    def log(obj, flag):
        LogEntry.objects.log_actions(user_id=root.pk, queryset=[obj], action_flag=flag,
                                     change_message="", single_object=True)

    log(world["red"], CHANGE)
    log(world["amber"], DELETION)
    log(world["thread"], ADDITION)
    log(clear, CHANGE)
    page = client_for(root).get("/admin/").content.decode()
    assert_tells_nothing(page)
    assert "An item you cannot see in the portal" in page
    assert clear.title in page  # visible items keep their entry


def test_recent_actions_keep_the_operators_own_work(community, root, client_for):
    client = client_for(root)
    client.post(f"/admin/communities/community/{community.pk}/change/", {})
    LogEntry.objects.log_actions(
        user_id=root.pk, queryset=[community], action_flag=CHANGE, change_message="",
        single_object=True,
    )
    page = client.get("/admin/").content.decode()
    assert "Financial ISAC" in page
    assert f"/admin/communities/community/{community.pk}/change/" in page


def _content_models() -> set[type[models.Model]]:
    """Shared content, and every model that hangs off it by a foreign key (two levels)."""
    from django.apps import apps

    found = {m for m in apps.get_models() if issubclass(m, SharedContent)} | {AudienceChange}
    for _level in range(2):
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if field.is_relation and field.many_to_one and field.related_model in found:
                    found.add(model)
    return found


def test_every_content_admin_is_scoped_to_what_the_operator_may_see():
    """A guard for admins added later: a registered model that is or hangs off shared
    content must use `ContentAdmin` (list of visible items only)."""
    from apps.sharing.admin import ContentAdmin

    content = _content_models()
    for model, model_admin in admin.site._registry.items():
        if model in content:
            assert isinstance(model_admin, ContentAdmin), model


def test_a_draft_minutes_title_is_listed_to_no_operator_the_portal_hides_it_from(
        community, org_a, org_b, client_for):
    """A superuser inside a draft's audience who does not run the group: the portal hides
    the draft from them, and so does the admin."""
    from apps.meetings.minutes import minutes_create
    from tests.conftest import _member
    from tests.meetings.test_meetings import make_meetings, make_series

    chair = _member(community, "chair9@alpha.example.jp", org_a, role="chair")
    root = MembershipFactory(community=community, organization=org_b,
                             user__email="root9@renkei.example", user__is_superuser=True,
                             user__is_staff=True).user
    meeting = make_meetings(make_series(community), 1)[0]
    minutes_create(meeting=meeting, author=chair, title="下書きの件名ZQ", body="本文",
                   tlp="GREEN")
    assert "下書きの件名ZQ" not in client_for(root).get(
        "/admin/meetings/minutes/").content.decode()
    assert "下書きの件名ZQ" in client_for(chair).get(
        f"/c/{community.slug}/meetings/{meeting.pk}/").content.decode()
