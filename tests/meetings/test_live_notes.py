"""Notes taken live: the chair, the secretariat or a note-taker they named write notes per
agenda item and for the whole meeting; each save is based on a version, and a save based on
an older one is refused with both texts shown — nobody's text is silently overwritten."""

import pytest
from django.urls import reverse

from apps.meetings.models import MeetingNote
from tests.conftest import _member
from tests.meetings.test_meetings import make_meetings, make_series


@pytest.fixture
def chair(community, org_b):
    return _member(community, "chair@beta.example.jp", org_b, role="chair")


@pytest.fixture
def meeting(community):
    return make_meetings(make_series(community, fiscal_year=2026), 1)[0]


def save_url(meeting, key="general"):
    return reverse("meetings:note_save", args=[meeting.community.slug, meeting.pk, key])


def notes_url(meeting):
    return reverse("meetings:notes", args=[meeting.community.slug, meeting.pk])


def test_the_chair_writes_notes_per_item_and_for_the_meeting(client_for, chair, meeting):
    client = client_for(chair)
    item = meeting.agenda.get(position=1)
    response = client.post(save_url(meeting), {"text": "開会の挨拶", "base_version": 0},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="note-version-general"' in body and 'value="1"' in body
    assert 'hx-swap-oob="true"' in body
    client.post(save_url(meeting, item.pk), {"text": "VPN の更新が遅れた例", "base_version": 0})
    client.post(save_url(meeting, item.pk), {"text": "VPN の更新が遅れた例が2社",
                                             "base_version": 1})
    notes = {note.item_id: (note.text, note.version) for note in MeetingNote.objects.all()}
    assert notes == {None: ("開会の挨拶", 1), item.pk: ("VPN の更新が遅れた例が2社", 2)}
    page = client.get(notes_url(meeting)).content.decode()
    assert "VPN の更新が遅れた例が2社" in page and item.theme in page
    assert notes_url(meeting) in client.get(meeting.get_absolute_url()).content.decode()


def test_two_writers_never_overwrite_each_other_silently(client_for, chair, sec, meeting):
    first = client_for(chair).post(save_url(meeting), {"text": "主査のメモ", "base_version": 0})
    assert first.status_code == 200
    late = client_for(sec).post(save_url(meeting), {"text": "事務局のメモ", "base_version": 0})
    assert late.status_code == 409
    body = late.content.decode()
    assert "主査のメモ" in body and "Merge your text" in body
    assert 'value="1"' in body  # the version to base the merged text on
    note = MeetingNote.objects.get()
    assert (note.text, note.version, note.updated_by) == ("主査のメモ", 1, chair)
    merged = client_for(sec).post(save_url(meeting), {"text": "主査のメモ\n事務局のメモ",
                                                      "base_version": 1})
    assert merged.status_code == 200
    assert MeetingNote.objects.get().text == "主査のメモ\n事務局のメモ"


def test_members_write_notes_only_when_named_note_takers(client_for, alice, meeting):
    client = client_for(alice)
    assert client.get(notes_url(meeting)).status_code == 403
    assert client.post(save_url(meeting), {"text": "x", "base_version": 0}).status_code == 403
    assert not MeetingNote.objects.exists()
    meeting.note_takers.add(alice)
    assert client.get(notes_url(meeting)).status_code == 200
    assert client.post(save_url(meeting), {"text": "x", "base_version": 0}).status_code == 200


def test_outsiders_and_foreign_items_are_404(client_for, outsider, chair, meeting, community):
    assert client_for(outsider).get(notes_url(meeting)).status_code == 404
    other = make_meetings(make_series(community, fiscal_year=2027), 1)[0]
    foreign_item = other.agenda.first()
    for key in (foreign_item.pk, "not-an-item"):
        response = client_for(chair).post(save_url(meeting, key),
                                          {"text": "x", "base_version": 0})
        assert response.status_code == 404
    assert not MeetingNote.objects.exists()


def test_a_save_without_its_version_is_refused(client_for, chair, meeting):
    response = client_for(chair).post(save_url(meeting), {"text": "x"})
    assert response.status_code == 400
    assert not MeetingNote.objects.exists()
