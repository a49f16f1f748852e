"""A series' activity report (活動報告): the year's purpose, its people and organisations,
every meeting held with its date, theme, presenters and summary, the minutes and materials
its reader may read, the participants' feedback and the closed surveys' results — as
Markdown, the one source of the page, the download and the PDF. In the reader's language;
feedback given anonymously names no one, whoever reads the report."""

from django.contrib.auth.models import AnonymousUser
from django.utils import formats
from django.utils.translation import gettext as _

from apps.meetings.models import MeetingSeries
from apps.meetings.selectors import shared_by_meeting
from apps.meetings.surveys import report_lines as survey_report_lines
from apps.sharing.tlp import TLP


def _feedback_lines(feedback) -> list[str]:
    lines = []
    for item in feedback:
        who = _("anonymous") if item.anonymous else item.author.get_full_name()
        text = " ".join(item.text.split())
        lines.append(f"- {text} ({who})")
    return lines


def _heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}"


def _shared_lines(items, base_url: str) -> list[str]:
    lines = []
    for item in items:
        kind = _("Minutes") if item._meta.model_name == "minutes" else _("Material")
        lines.append(f"- {TLP(item.tlp).label} {kind}: [{item.title}]"
                     f"({base_url}{item.get_absolute_url()})")
    return lines


def report_markdown(series: MeetingSeries, *, reader=None, outsiders: bool = False,
                    base_url: str = "") -> str:
    """``series`` as fetched by `selectors.series_report_of`, as ``reader`` may read it: the
    minutes and materials listed are those `sharing` shows them. For ``outsiders``: as a
    signed-out visitor reads it — TLP:CLEAR minutes and materials only, and none of the
    members' feedback or survey answers."""
    if outsiders or reader is None:
        reader = AnonymousUser()
    meetings = list(series.meetings.all())
    shared = shared_by_meeting(reader, meetings)
    out = [f"# {series.display_title}", "",
           _("Fiscal year %(year)s (1 April %(year)s – 31 March %(next)s)")
           % {"year": series.fiscal_year, "next": series.fiscal_year + 1}, ""]
    if series.purpose:
        out += [_heading(2, _("Purpose")), "", series.purpose.strip(), ""]
    people = []
    if series.chair:
        people.append("- " + _("Chair") + ": " + series.chair.get_full_name())
    advisors = [person.get_full_name() for person in series.advisors.all()]
    if advisors:
        people.append("- " + _("Advisors") + ": " + ", ".join(advisors))
    if people:
        out += [_heading(2, _("People")), "", *people, ""]
    organizations = [org.display_name for org in series.organizations.all()]
    if organizations:
        out += [_heading(2, _("Participating organisations")), "",
                *(f"- {name}" for name in organizations), ""]
    out += [_heading(2, _("Meetings")), ""]
    for meeting in meetings:
        number = (_("No. %(number)s") % {"number": meeting.number} + " "
                  if meeting.number else "")
        day = formats.date_format(meeting.starts_at.astimezone(meeting.zone), "DATE_FORMAT")
        out += [f"### {number}{meeting.display_title} ({day})", ""]
        for item in meeting.agenda.all():
            presenter = f" — {item.presenter_name}" if item.presenter_name else ""
            out.append(f"- {item.theme}{presenter}")
        if meeting.summary:
            out += ["", meeting.summary.strip()]
        if shared[meeting.pk]:
            out += ["", *_shared_lines(shared[meeting.pk], base_url)]
        feedback = [] if outsiders else list(meeting.feedback.all())
        if feedback:
            out += ["", "**" + _("Feedback") + "**", "", *_feedback_lines(feedback)]
        out.append("")
    year_feedback = [] if outsiders else list(series.feedback.all())
    if year_feedback:
        out += [_heading(2, _("Feedback on the year")), "", *_feedback_lines(year_feedback),
                ""]
    if not outsiders:  # survey results are the members' (their organisations may be named)
        out += survey_report_lines(series)
    if series.summary:
        out += [_heading(2, _("Summary of the year")), "", series.summary.strip(), ""]
    return "\n".join(out).rstrip() + "\n"
