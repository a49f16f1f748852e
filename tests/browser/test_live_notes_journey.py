"""Live notes in a real browser: the chair types and the notes save themselves; a note-taker
who saves over an older version is shown the chair's text to merge instead of overwriting
it; and what the chair types while the connection is down comes back, and is saved, when the
page is opened again. A screenshot of every step lands in var/screenshots/."""


import pytest

from apps.meetings.models import MeetingNote
from tests.browser.conftest import sign_in, wait_for
from tests.conftest import _member
from tests.meetings.test_meetings import make_meetings, make_series

pytestmark = pytest.mark.browser


def _general():
    return MeetingNote.objects.filter(item__isnull=True).first()


def test_notes_save_as_typed_never_overwrite_and_survive_a_dropped_connection(
        new_page, screenshot, community, org_b, alice):
    chair = _member(community, "chair@beta.example.jp", org_b, role="chair")
    meeting = make_meetings(make_series(community, fiscal_year=2026), 1)[0]
    meeting.note_takers.add(alice)
    url = f"/c/{community.slug}/meetings/{meeting.pk}/notes/"
    general = "form.note:first-of-type textarea"

    # Alice, a note-taker, opens the notes before anything is written (version 0).
    taker = new_page("en-US")
    sign_in(taker, alice.email)
    taker.goto(url)

    # 1. The chair types; a moment later the notes are saved, with no button pressed.
    writer = new_page("en-US")
    sign_in(writer, chair.email)
    writer.goto(url)
    writer.fill(general, "開会。主査より今年度の進め方の説明。")
    wait_for(lambda: (_general() or MeetingNote()).version == 1, what="the autosave")
    assert _general().text == "開会。主査より今年度の進め方の説明。"
    writer.wait_for_selector("#note-status-general:has-text('Saved at')")
    screenshot(writer, "saved-as-typed")

    # 2. Alice now types on her version 0: refused, and shown the chair's text to merge;
    #    nothing is overwritten.
    taker.fill(general, "アリスのメモ")
    taker.wait_for_selector("#note-status-general:has-text('Merge your text')")
    assert "主査より今年度の進め方" in taker.inner_text("#note-status-general")
    assert _general().text == "開会。主査より今年度の進め方の説明。"
    screenshot(taker, "conflict-shown")
    # She merges and saves: based on the version she was shown, it goes through.
    taker.fill(general, "開会。主査より今年度の進め方の説明。\nアリスのメモ")
    wait_for(lambda: _general().version == 2, what="the merged save")
    assert _general().text.endswith("アリスのメモ")

    # 3. The chair's connection drops while typing: nothing can be saved, nothing is lost.
    writer.reload()
    writer.context.set_offline(True)
    writer.fill(general, "回線が切れている間に書いたメモ")
    writer.wait_for_timeout(2500)  # past the autosave delay: the save fails
    assert _general().version == 2
    screenshot(writer, "offline-typing")
    writer.context.set_offline(False)
    writer.on("dialog", lambda dialog: dialog.accept())  # "leave the page?": yes
    writer.reload()  # the draft comes back from the browser, and is saved
    wait_for(lambda: _general().text == "回線が切れている間に書いたメモ",
             what="the draft saved after the connection came back")
    assert writer.input_value(general) == "回線が切れている間に書いたメモ"
    screenshot(writer, "draft-restored-and-saved")
