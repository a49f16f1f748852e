"""A council's meeting from the chair's form to its minutes, in a real browser: the chair
creates a meeting with two agenda items, takes notes live, turns them into the draft minutes,
labels them TLP:AMBER for one other organisation and publishes them; a member of that
organisation reads them; an observer of another organisation finds them neither in the
meeting's page, nor by search, nor by their address. Screenshots in var/screenshots/."""

import re

import pytest

from apps.meetings.models import Meeting, MeetingNote, Minutes
from tests.browser.conftest import sign_in, wait_for
from tests.conftest import _member
from tests.meetings.test_meetings import make_series

pytestmark = pytest.mark.browser

FIRST, SECOND = "クラウド利用の実態調査", "シャドーIT への対処"
NOTE = "各社ともSaaSの棚卸しが課題との報告"


def test_the_chair_publishes_amber_minutes_that_only_the_chosen_organisation_finds(
        new_page, screenshot, community, org_a, org_b, org_c, bob):
    chair = _member(community, "chair@alpha.example.jp", org_a, role="chair")
    observer = _member(community, "observer@gamma.example.jp", org_c, role="observer")
    series = make_series(community, fiscal_year=2026, title="クラウド分科会")

    # 1. The chair creates the meeting with two agenda items.
    page = new_page("en-US")
    sign_in(page, chair.email)
    page.goto(f"/c/{community.slug}/meetings/new/")
    page.select_option("select[name=series]", str(series.pk))
    page.fill("input[name=number]", "3")
    page.fill("input[name=title]", "第3回 クラウド分科会")
    page.fill("input[name=starts_at]", "2026-10-15T15:00")
    page.fill("input[name=ends_at]", "2026-10-15T17:00")
    page.fill("input[name='agenda-0-theme']", FIRST)
    page.fill("input[name='agenda-1-theme']", SECOND)
    screenshot(page, "new-meeting")
    page.click("form.form button[type=submit]")
    meeting = wait_for(lambda: Meeting.objects.filter(number=3).first(), what="the meeting")
    page.wait_for_url(re.compile(str(meeting.pk)))
    assert [item.theme for item in meeting.agenda.order_by("position")] == [FIRST, SECOND]

    # 2. Notes, live, against each item: they save themselves.
    page.click("text=Take notes")
    first_item = "form.note:nth-of-type(2) textarea"
    page.fill(first_item, NOTE)
    wait_for(lambda: MeetingNote.objects.filter(text=NOTE).exists(), what="the autosave")
    screenshot(page, "notes")

    # 3. The notes become the draft minutes; AMBER for Beta only (and the chair's Alpha).
    page.goto(meeting.get_absolute_url())
    page.click("text=Turn the notes into draft minutes")
    page.wait_for_url(re.compile(r"/minutes/.+/edit/"))
    assert NOTE in page.input_value("textarea[name=body]")
    page.check("input[name=tlp][value=AMBER]")
    page.uncheck(f"input[name=organizations][value='{org_c.pk}']")
    page.check(f"input[name=organizations][value='{org_b.pk}']")
    page.wait_for_selector("#audience-count[data-count]")
    screenshot(page, "minutes-audience")
    page.click("form.form > button[type=submit]")
    page.wait_for_selector("text=Publish the minutes")
    page.click("text=Publish the minutes")
    page.wait_for_selector("text=The minutes are published")
    minutes = Minutes.objects.get()
    assert (minutes.status, minutes.tlp) == ("published", "AMBER")
    assert set(minutes.recipient_organizations.values_list("pk", flat=True)) == {
        org_a.pk, org_b.pk}
    screenshot(page, "published")

    # 4. Bob (Beta, chosen) finds them on the meeting's page and reads them.
    reader = new_page("en-US")
    sign_in(reader, bob.email)
    reader.goto(meeting.get_absolute_url())
    reader.click(f"a:has-text('{minutes.title}')")
    reader.wait_for_selector(f"text={NOTE}")
    screenshot(reader, "member-reads")

    # 5. The observer (Gamma, not chosen): not on the page, not by search, not by address.
    other = new_page("en-US")
    sign_in(other, observer.email)
    other.goto(meeting.get_absolute_url())
    assert str(minutes.pk) not in other.content() and minutes.title not in other.content()
    other.goto(f"/c/{community.slug}/meetings/")
    other.fill("input[name=q]", "SaaS")
    other.click("form[role=search] button")
    other.wait_for_selector("#search-results")
    assert "Nothing found." in other.inner_text("#search-results")
    screenshot(other, "observer-search")
    response = other.goto(minutes.get_absolute_url())
    assert response.status == 404
    assert NOTE not in other.content()


def test_red_to_the_people_in_the_room_is_one_click_with_the_live_count(
        new_page, screenshot, community, org_a, alice, bob, carol):
    from apps.meetings.models import Attendance
    from tests.meetings.test_meetings import make_meetings

    chair = _member(community, "chair@alpha.example.jp", org_a, role="chair")
    meeting = make_meetings(make_series(community, fiscal_year=2026), 1)[0]
    for person in (alice, bob):
        Attendance.objects.create(meeting=meeting, community=community, user=person,
                                  attended=True)
    page = new_page("en-US")
    sign_in(page, chair.email)
    page.goto(f"/c/{community.slug}/meetings/{meeting.pk}/minutes/new/")
    page.click("a.preset:has-text('Everyone who came')")
    assert page.is_checked("input[name=tlp][value=RED]")
    page.wait_for_selector("#audience-count[data-count='3']")  # the two who came, and the chair
    for person, ticked in ((alice, True), (bob, True), (carol, False)):
        assert page.is_checked(f"input[name=users][value='{person.pk}']") is ticked
    screenshot(page, "red-to-the-room")
    page.fill("input[name=title]", "出席者限り")
    page.fill("textarea[name=body]", "本文")
    page.click("form.form > button[type=submit]")
    page.wait_for_selector("text=Publish the minutes")
    minutes = Minutes.objects.get()
    assert set(minutes.recipient_users.values_list("pk", flat=True)) >= {alice.pk, bob.pk}
    assert carol.pk not in set(minutes.recipient_users.values_list("pk", flat=True))
