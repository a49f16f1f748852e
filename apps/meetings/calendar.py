"""Meetings as iCalendar (RFC 5545): what calendar programs import or subscribe to.

Each meeting is one VEVENT whose UID never changes, whose SEQUENCE rises whenever what it
shows changes (`Meeting.sequence`), and which says STATUS:CANCELLED once cancelled, so that
a calendar replaces its copy rather than keeping the old time. Times are written in the
meeting's own zone with its VTIMEZONE, as RFC 5545 asks."""

import datetime

import icalendar
from django.utils import timezone
from django.utils.translation import gettext

from apps.meetings.models import Meeting, MeetingStatus
from apps.meetings.selectors import shared_by_meeting
from apps.sharing.tlp import TLP

PRODID = "-//Renkei//Meetings//EN"
_STATUS = {MeetingStatus.PLANNED: "CONFIRMED", MeetingStatus.HELD: "CONFIRMED",
           MeetingStatus.CANCELLED: "CANCELLED"}


def meeting_event(meeting: Meeting, *, base_url: str, shared=()) -> icalendar.Event:
    """``shared``: the minutes and materials of the meeting its reader may read (listed
    with their label and address in the description)."""
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@renkei")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
    # In the reader's language, as the meeting's page says it (第1回 / No. 1).
    number = (gettext("No. %(number)s") % {"number": meeting.number} + " "
              if meeting.number else "")
    event.add("summary", f"{number}{meeting.display_title}")
    event.add("dtstart", meeting.starts_at.astimezone(meeting.zone))
    if meeting.ends_at:
        event.add("dtend", meeting.ends_at.astimezone(meeting.zone))
    event.add("status", _STATUS[meeting.status])
    if meeting.location:
        event.add("location", meeting.location)
    page = f"{base_url}{meeting.get_absolute_url()}"
    event.add("url", page)
    lines = [item.theme + (f" — {item.presenter_name}" if item.presenter_name else "")
             for item in meeting.agenda.all()]
    if meeting.online_url:
        lines.append(meeting.online_url)
    lines += [f"{TLP(item.tlp).label} {item.title}: {base_url}{item.get_absolute_url()}"
              for item in shared]
    lines.append(page)
    event.add("description", "\n".join(lines))
    return event


def calendar_of(meetings, *, base_url: str, reader, name: str = "") -> bytes:
    """The .ics of ``meetings`` (agenda prefetched) as ``reader`` may read them, with a
    VTIMEZONE for every zone used."""
    meetings = list(meetings)
    shared = shared_by_meeting(reader, meetings)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if name:
        calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, base_url=base_url,
                                             shared=shared[meeting.pk]))
    calendar.add_missing_timezones()
    return calendar.to_ical()
