"""Member digests: for each member whose preference is due, everything new since their last
digest that they may see across their communities — incidents, threads with new posts,
meetings announced, minutes and materials published, sightings and feedback on what they
shared — grouped by community, in their language and time zone, as text and HTML e-mail,
under the TLP table's e-mail column (`email_rule`).

A run is built for thousands of members: the period's new items are read once with their
audience rows (`sharing.selectors.BatchAudiences`); members are taken in chunks whose reaches
are read in one query (`sharing.selectors.reaches_of`), and what each of them sees is
answered in memory by `sharing`'s own rule; a community's part of the e-mail is rendered once
for all who see the same things in it, in the same language and zone.

Each digest is a `DigestDelivery` row, claimed just before its e-mail is handed to the mail
backend and marked sent just after: a rerun sends only what is missing, and a second worker
nothing twice. A worker killed half-way leaves the members it had not reached due (the broker
hands its job to another worker) and at most the one e-mail it was handing over claimed but
unmarked: once that claim is older than `MAIL_CLAIM_STALE_SECONDS` it is recorded as failed
("interrupted") and sent again — at least once, not lost — with the same Message-ID, so that
the recipient's mail system can fold the copy it may already have. Nothing to say is a row
too (empty), and no e-mail. A refused e-mail (malformed address, a recipient
the server refuses) is recorded on its row — failed, with the error and the attempts — and
retried with back-off (`digests_retry`) while the others go out.
"""

import re
import secrets
import smtplib
import textwrap
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import DigestFrequency
from apps.communities.models import Federation, Membership, MembershipStatus
from apps.digests.models import DeliveryStatus, DigestDelivery, interrupted_claims
from apps.discussions.models import Post, Thread
from apps.incidents.models import FeedbackAction, Incident, Sighting, UsageFeedback
from apps.meetings.models import Material, Meeting, MeetingStatus, Minutes, MinutesStatus
from apps.sharing.selectors import BatchAudiences, Reach, reaches_of, source_organizations
from apps.sharing.tlp import TLP
from portal.jobs import MAIL_RETRY

# Periods are days and ISO weeks in Japan, whatever the member's own zone.
PERIOD_ZONE = zoneinfo.ZoneInfo("Asia/Tokyo")
FREQUENCIES = (DigestFrequency.DAILY, DigestFrequency.WEEKLY)
LENGTH = {DigestFrequency.DAILY: timedelta(days=1), DigestFrequency.WEEKLY: timedelta(days=7)}
# "New since the last digest", but never further back than this: a member who turns the
# digest on again is not sent months of news; a day or two the job did not run still is.
LOOKBACK = {DigestFrequency.DAILY: timedelta(days=3), DigestFrequency.WEEKLY: timedelta(days=14)}

CHUNK = 500  # members whose reaches are read (and empty rows written) at once
SHOWN_PER_KIND = 20  # entries of one kind in one community; the rest is "…and N more"
TEXT_CHARS = 600  # of a summary, minutes, a description: the rest is read in the portal
POST_CHARS = 400  # of the latest post of a thread
LINE_CHARS = 200  # longer lines are wrapped (an e-mail line holds at most 998 bytes)

# A failed e-mail is tried again after 30 s, 1 min, 2 min … at most an hour apart, as often
# as the mail jobs' own retries (portal.jobs.MAIL_RETRY).
MAX_ATTEMPTS = 1 + MAIL_RETRY["max_retries"]

UNSUBSCRIBE_SALT = "renkei.digests.unsubscribe"
INTERRUPTED = "interrupted: the worker stopped while handing the e-mail over (it may have gone out)"

# The kinds of things told, in the order a community's part of the e-mail shows them.
KINDS = (INCIDENT, THREAD, MEETING, MINUTES, MATERIAL) = (
    "incident", "thread", "meeting", "minutes", "material")

# How the e-mail column of the TLP table lets an item be told (`email_rule`).
FULL, TITLE, COUNT = "full", "title", "count"


def email_rule(tlp: str, community) -> str:
    """The e-mail column of the TLP table: TLP:CLEAR and TLP:GREEN in full; TLP:AMBER as a
    count, with its title only where the community's secretariat allows it
    (`Community.amber_titles_in_email`); TLP:AMBER+STRICT and TLP:RED as a count only — RED
    as "addressed to you", never a title or a summary."""
    if tlp in (TLP.CLEAR, TLP.GREEN):
        return FULL
    if tlp == TLP.AMBER and community.amber_titles_in_email:
        return TITLE
    return COUNT


def retry_delay(attempts: int) -> timedelta:
    """How long a digest that failed ``attempts`` times waits before the next attempt."""
    seconds = MAIL_RETRY["retry_backoff"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, MAIL_RETRY["retry_backoff_max"]))


def digest_period(frequency: str, now: datetime) -> str:
    """The period a run at ``now`` sends: its day ("2026-12-07") or ISO week ("2026-W50"),
    in Japan."""
    day = now.astimezone(PERIOD_ZONE).date()
    if frequency == DigestFrequency.DAILY:
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def language_of(user) -> str:
    """The member's language, or the site's when theirs is unset or unknown."""
    known = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in known else settings.LANGUAGE_CODE


def zone_of(user) -> zoneinfo.ZoneInfo:
    """The member's time zone, or Japan's when theirs is unset or unknown."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return PERIOD_ZONE


# ---- one-click unsubscribe (RFC 8058) --------------------------------------------------------

def unsubscribe_token(user) -> str:
    """The credential of a member's unsubscribe link: signed with the site's secret, so the
    link works without a session and cannot be made for anyone else."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT, algorithm="sha256").sign(str(user.pk))


def unsubscribe_user(token: str):
    """The member a token was made for, or None for a token that is not one of ours."""
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT, algorithm="sha256").unsign(token)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def digest_unsubscribe(*, user) -> None:
    """Turn the member's digest off (the one-click link, or its confirmation page)."""
    get_user_model().objects.filter(pk=user.pk).update(digest_frequency=DigestFrequency.OFF)
    user.digest_frequency = DigestFrequency.OFF


# ---- what a digest tells ---------------------------------------------------------------------

def _excerpt(text: str, limit: int) -> str:
    """The start of a text, and no line longer than `LINE_CHARS`: an e-mail line over 998
    bytes would make the whole part quoted-printable (three times the size in Japanese)."""
    text = (text or "").strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + "…"
    lines = []
    for line in text.splitlines():
        lines += [line[start:start + LINE_CHARS]
                  for start in range(0, len(line), LINE_CHARS)] or [""]
    return "\n".join(lines)


@dataclass(frozen=True)
class Entry:
    """One thing the digest tells: an item, with its link and what e-mail may say of it.
    Shared by every member who is told it; a thread's count of new posts is per window."""

    kind: str
    item: object
    url: str
    tlp: TLP | None  # None: a meeting, which has no label (its community's members see it)
    source: object | None  # the source organisation, None when anonymous (never named)
    when: datetime | None
    text: str = ""
    new_posts: int = 0
    post_id: object = None

    @property
    def key(self) -> tuple:
        return (self.kind, self.item.pk, self.new_posts, self.post_id)


@dataclass(frozen=True)
class Reaction:
    """Sightings and feedback on an incident the member shared."""

    entry: Entry
    sightings: int  # organisations that reported seeing it
    feedback: tuple[tuple[str, int], ...]  # (action, how many organisations)


@dataclass(eq=False)  # compared and hashed by identity: shared sections are cached by it
class Section:
    """What one community has for the member (grouped by community in the e-mail). Members
    who see the same things there share one Section, and one rendering of it."""

    community: object
    full: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    counted: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # by label
    titled: list[Entry] = field(default_factory=list)  # AMBER titles the community allows
    reactions: list[Reaction] = field(default_factory=list)
    shared: bool = False

    @property
    def item_count(self) -> int:
        return (sum(len(entries) for entries in self.full.values())
                + sum(self.counted.values()) + len(self.reactions))

    def tell(self, entry: Entry) -> None:
        """Add an entry as the TLP table's e-mail column says (`email_rule`)."""
        rule = FULL if entry.tlp is None else email_rule(entry.tlp, self.community)
        if rule == FULL:
            self.full[entry.kind].append(entry)
        else:
            self.counted[entry.tlp] += 1
            if rule == TITLE:
                self.titled.append(entry)

    def sort(self) -> None:
        """Newest first; meetings soonest first."""
        for kind, entries in self.full.items():
            entries.sort(key=_newest, reverse=kind != MEETING)
        self.titled.sort(key=_newest, reverse=True)


def _newest(entry: Entry):
    return entry.when


@dataclass
class Target:
    """A member to tell about (since, until], with their delivery row once claimed."""

    user: object
    since: datetime
    until: datetime
    period: str
    frequency: str
    delivery_id: int | None = None


LABELLED = (INCIDENT, THREAD, MINUTES, MATERIAL)  # the kinds with a TLP label and audience


class NewItems:
    """Everything new between ``since`` and ``until``, read once for a whole run with the
    audience rows of each item (a fixed number of queries), then asked for each member's
    sections in memory (`sections_for`)."""

    def __init__(self, *, since: datetime, until: datetime):
        window = Q(created_at__gt=since, created_at__lte=until)
        sightings = Sighting.objects.filter(window)
        feedback = UsageFeedback.objects.filter(window)
        incidents = Incident.objects.filter(
            window | Q(pk__in=sightings.values("incident_id"))
            | Q(pk__in=feedback.values("incident_id")))
        posts = Post.objects.filter(window, deleted=False)
        threads = Thread.objects.filter(pk__in=posts.values("thread_id"))
        minutes = Minutes.objects.filter(status=MinutesStatus.PUBLISHED,
                                         published_at__gt=since, published_at__lte=until)
        materials = Material.objects.filter(window)
        querysets = {INCIDENT: incidents, THREAD: threads, MINUTES: minutes, MATERIAL: materials}
        # Who sees what: the items' audience rows (one query each), asked per reader.
        self.audiences = {kind: BatchAudiences(queryset) for kind, queryset in querysets.items()}
        related = ["community", "author_organization"]
        self.items = {
            INCIDENT: _by_pk(incidents.select_related(*related).defer("confirmed_exposures")),
            THREAD: _by_pk(threads.select_related(*related)),
            MINUTES: _by_pk(minutes.select_related(*related, "meeting")),
            MATERIAL: _by_pk(materials.select_related(*related, "meeting")),
        }
        # The communities where a member has something of their own this time — an item
        # they shared, a post they wrote, reactions to their incidents: their part there is
        # their own; elsewhere they share it with everyone who sees the same things.
        self.personal: dict[int, set] = defaultdict(set)
        for kind in (INCIDENT, MINUTES, MATERIAL, THREAD):
            for item in self.items[kind].values():
                self.personal[item.author_id].add(item.community_id)
        self.posts: dict = defaultdict(list)  # thread → [(created_at, author, pk, text)]
        for thread_id, pk, author_id, community_id, created_at, body in posts.order_by(
                "created_at", "pk").values_list(
                    "thread_id", "pk", "author_id", "community_id", "created_at",
                    Substr("body", 1, POST_CHARS + 1)):
            self.posts[thread_id].append((created_at, author_id, pk, body))
            self.personal[author_id].add(community_id)
        self.meetings: dict = defaultdict(list)  # community → meetings announced
        for meeting in (Meeting.objects.filter(window, starts_at__gt=since)
                        .exclude(status=MeetingStatus.CANCELLED)
                        .select_related("community").order_by("starts_at", "pk")):
            self.meetings[meeting.community_id].append(meeting)
        self.sightings: dict = defaultdict(list)  # incident → [(created_at, organisation)]
        for incident_id, organization_id, created_at in sightings.values_list(
                "incident_id", "organization_id", "created_at"):
            self.sightings[incident_id].append((created_at, organization_id))
        self.feedback: dict = defaultdict(list)  # incident → [(created_at, org, action)]
        for incident_id, organization_id, action, created_at in feedback.values_list(
                "incident_id", "organization_id", "action", "created_at"):
            self.feedback[incident_id].append((created_at, organization_id, action))
        self.reacted: dict = defaultdict(list)  # author → their incidents with reactions
        for pk in {*self.sightings, *self.feedback}:
            incident = self.items[INCIDENT].get(pk)
            if incident is not None:
                self.reacted[incident.author_id].append(pk)
        # The communities of each federation, by its group (a member reads a federation's
        # items through the group): GREEN and CLEAR items opted into it reach them.
        self.federation_communities: dict = defaultdict(set)
        for group_id, community_id in Federation.objects.filter(
                group__isnull=False, communities__isnull=False).values_list(
                    "group_id", "communities"):
            self.federation_communities[group_id].add(community_id)
        self.entries = {kind: self._entries(kind, items) for kind, items in self.items.items()}
        self.entries[MEETING] = {
            meeting.pk: Entry(MEETING, meeting, _link(meeting.get_absolute_url()), None, None,
                              meeting.starts_at)
            for meetings in self.meetings.values() for meeting in meetings}
        self._shared: dict[tuple, Section] = {}

    @staticmethod
    def _entries(kind: str, items: dict) -> dict:
        """An entry per item, the same for every reader: e-mail never names the source of
        an anonymous item — not even to its author or the secretariat — so the sources are
        those `sharing` tells someone who is nobody in particular."""
        sources = source_organizations(items.values(), AnonymousUser())
        entries = {}
        for pk, item in items.items():
            slug = item.community.slug
            if kind == INCIDENT:
                url, when, text = (reverse("incidents:detail", args=[slug, pk]),
                                   item.created_at, _excerpt(item.summary, TEXT_CHARS))
            elif kind == THREAD:
                url, when, text = reverse("discussions:detail", args=[slug, pk]), None, ""
            elif kind == MINUTES:
                url, when, text = (item.get_absolute_url(), item.published_at,
                                   _excerpt(item.body, TEXT_CHARS))
            else:
                url, when, text = (reverse("meetings:detail", args=[slug, item.meeting_id]),
                                   item.created_at, _excerpt(item.description, TEXT_CHARS))
            entries[pk] = Entry(kind, item, _link(url), TLP(item.tlp), sources[pk], when, text)
        return entries

    def sections_for(self, user, reach: Reach, *, since: datetime,
                     until: datetime) -> list[Section]:
        """The member's sections, one per community with something to tell: what they may
        see now (`sharing`), new in (since, until], in the communities where they are active
        — and the GREEN and CLEAR items of federated communities opted into their
        federation — but not what they wrote themselves.

        A community where the member has nothing of their own this time is told exactly as
        to everyone who sees the same things there (`sharing` hands them the same sets):
        that Section is built once."""
        own = set(reach.community_ids)
        reachable = set(own)
        for group_id in reach.group_ids:
            reachable |= self.federation_communities.get(group_id, set())
        personal = self.personal.get(user.pk, set()) | (
            {self.items[INCIDENT][pk].community_id for pk in self.reacted.get(user.pk, ())})
        sections = []
        for community_id in reachable:
            narrowed = reach.narrowed(communities=[community_id])
            seen = tuple(self.audiences[kind].visible(narrowed) for kind in LABELLED)
            mine = community_id in own
            if community_id in personal:
                section = self._section(community_id, mine, seen, since, until, user=user)
            else:
                key = (community_id, mine, since, until, seen)
                if key not in self._shared:
                    section = self._shared[key] = self._section(community_id, mine, seen,
                                                                since, until)
                    if section is not None:
                        section.shared = True
                section = self._shared[key]
            if section is not None and section.item_count:
                sections.append(section)
        return sections

    def _section(self, community_id: int, mine: bool, seen: tuple, since: datetime,
                 until: datetime, *, user=None) -> Section | None:
        """What community ``community_id`` has among ``seen`` (the pks of each labelled kind
        the reader sees), new in (since, until]; ``mine``: the reader is active there (else
        only what was opted into their federation); ``user``: the reader, whose own items,
        posts and reactions count here (None: someone with none here)."""
        section = None

        def tell(entry: Entry) -> None:
            nonlocal section
            if section is None:
                section = Section(entry.item.community)
            section.tell(entry)

        me = user.pk if user is not None else None
        for kind, pks in zip(LABELLED, seen, strict=True):
            items, entries = self.items[kind], self.entries[kind]
            for pk in pks:
                item = items.get(pk)
                if (item is None or item.community_id != community_id
                        or not (mine or item.federated)):
                    continue
                if kind != THREAD:
                    if item.author_id == me:
                        continue  # what they shared is not news to them
                    when = entries[pk].when
                    if when is not None and since < when <= until:
                        tell(entries[pk])
                    continue
                posts = [post for post in self.posts.get(pk, ())
                         if since < post[0] <= until and post[1] != me]
                if posts:
                    moment, _author, post_id, body = posts[-1]
                    tell(replace(entries[pk], when=moment, new_posts=len(posts),
                                 post_id=post_id, text=_excerpt(body, POST_CHARS)))
        if mine:
            for meeting in self.meetings.get(community_id, ()):
                if since < meeting.created_at <= until and meeting.starts_at > until:
                    tell(self.entries[MEETING][meeting.pk])
        if user is not None:
            for pk in self.reacted.get(user.pk, ()):
                incident = self.items[INCIDENT][pk]
                if incident.community_id == community_id and mine and pk in seen[0]:
                    reaction = self._reaction(self.entries[INCIDENT][pk], since, until)
                    if reaction is not None:
                        if section is None:
                            section = Section(incident.community)
                        section.reactions.append(reaction)
        if section is not None:
            section.sort()
        return section

    def _reaction(self, entry: Entry, since: datetime, until: datetime) -> Reaction | None:
        """"Your item was seen by 3 organisations": counts, never which organisations."""
        pk = entry.item.pk
        sighted = {org for moment, org in self.sightings.get(pk, ()) if since < moment <= until}
        actions: dict[str, set] = defaultdict(set)
        for moment, org, action in self.feedback.get(pk, ()):
            if since < moment <= until:
                actions[action].add(org)
        if not sighted and not actions:
            return None
        feedback = tuple((action, len(actions[action])) for action in FeedbackAction.values
                         if action in actions)
        return Reaction(entry, len(sighted), feedback)


def _by_pk(queryset) -> dict:
    return {item.pk: item for item in queryset}


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def message_id(target: Target) -> str:
    """The same for every copy of one member's digest of one period: an e-mail sent again
    after an interruption is recognisable as the same message."""
    domain = urlsplit(settings.SITE_URL).hostname or "renkei.invalid"
    return f"<digest.{target.frequency}.{target.period}.{target.user.pk}@{domain}>"


# ---- rendering -----------------------------------------------------------------------------

_HEADINGS = {
    INCIDENT: lambda: _("Incidents"),
    THREAD: lambda: _("Discussions"),
    MEETING: lambda: _("Meetings announced"),
    MINUTES: lambda: _("Minutes"),
    MATERIAL: lambda: _("Materials"),
}
_LISTS = {
    INCIDENT: "incidents:list",
    THREAD: "discussions:list",
    MEETING: "meetings:list",
    MINUTES: "meetings:list",
    MATERIAL: "meetings:list",
}


def _moment(value: datetime | None) -> str:
    """A date and time in the active language and zone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {formats.date_format(local, 'H:i')}"


def _source(entry: Entry) -> str:
    return entry.source.display_name if entry.source is not None else _("via the secretariat")


def _details(entry: Entry) -> list[str]:
    """The line under an entry's title, in the active language and zone."""
    item = entry.item
    if entry.kind == INCIDENT:
        return [item.get_category_display(), _source(entry), _moment(entry.when)]
    if entry.kind == THREAD:
        posts = ngettext("%(count)s new post", "%(count)s new posts",
                         entry.new_posts) % {"count": entry.new_posts}
        return [posts, _source(entry), _moment(entry.when)]
    if entry.kind == MEETING:
        number = _("No. %(number)s") % {"number": item.number} if item.number else ""
        return [part for part in (number, _moment(item.starts_at), item.location) if part]
    meeting = item.meeting.display_title
    if entry.kind == MINUTES:
        return [meeting, _source(entry), _moment(entry.when)]
    return [meeting, item.filename, _source(entry)]


def _title(entry: Entry) -> str:
    item = entry.item
    return item.display_title if entry.kind == MEETING else item.title


def _html_lines(text: str) -> str:
    """Escaped text, one line per line (each ends with <br>, none is over-long)."""
    return mark_safe("<br>\n".join(escape(line) for line in text.splitlines()))


def _view(entry: Entry) -> dict:
    """An entry as the templates show it, every string in the active language and zone."""
    shown = entry.text
    return {
        "label": entry.tlp.label if entry.tlp is not None else "",
        "colour": entry.tlp.colour if entry.tlp is not None else "",
        "title": _title(entry),
        "url": entry.url,
        "details": " · ".join(part for part in _details(entry) if part),
        "text": shown,
        "text_indented": textwrap.indent(shown, "    "),
        "text_html": _html_lines(shown),
    }


def _tidy(text: str) -> str:
    """Plain text from a template: no trailing spaces, at most one blank line in a row."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


class DigestMessage(EmailMultiAlternatives):
    """A digest e-mail whose MIME boundary is drawn at random (128 bits) rather than
    searched for: Python's generator would scan the whole text for one that does not occur
    in it, for each of tens of thousands of e-mails."""

    def message(self):
        message = super().message()
        message.set_boundary(f"=_renkei_{secrets.token_hex(16)}")
        return message


class Renderer:
    """Renders digests. An entry is rendered once per language and zone, and a section many
    members share once per language and zone; a member's e-mail puts them together."""

    def __init__(self):
        self._sections: dict = {}
        self._entries: dict = {}

    def _entry(self, entry: Entry) -> dict:
        """An entry told in full, as text and HTML."""
        key = (entry.key, translation.get_language(), timezone.get_current_timezone_name())
        rendered = self._entries.get(key)
        if rendered is None:
            view = _view(entry)
            rendered = self._entries[key] = {
                "text": render_to_string("digests/digest/entry.txt", view),
                # Our own template's output, escaped by it.
                "html": mark_safe(render_to_string("digests/digest/entry.html", view)),
            }
        return rendered

    def _section_view(self, section: Section) -> dict:
        """A section as the templates lay it out: both formats say the same."""
        community = section.community
        groups = []
        for kind in KINDS:
            entries = section.full.get(kind, ())
            if not entries:
                continue
            more = len(entries) - SHOWN_PER_KIND
            groups.append({
                "heading": _HEADINGS[kind](),
                "entries": [self._entry(entry) for entry in entries[:SHOWN_PER_KIND]],
                "more": ngettext("…and %(count)s more in the portal",
                                 "…and %(count)s more in the portal", more) % {"count": more}
                if more > 0 else "",
                "more_url": _link(reverse(_LISTS[kind], args=[community.slug])),
            })
        restricted = []
        for tlp in (TLP.AMBER, TLP.AMBER_STRICT, TLP.RED):
            count = section.counted.get(tlp, 0)
            if not count:
                continue
            if tlp == TLP.RED:
                said = ngettext("%(count)s new item addressed to you",
                                "%(count)s new items addressed to you", count) % {"count": count}
            else:
                said = ngettext("%(count)s new %(label)s item in %(community)s",
                                "%(count)s new %(label)s items in %(community)s", count) % {
                    "count": count, "label": tlp.label, "community": community.display_name}
            titled = [{"title": _title(entry), "url": entry.url}
                      for entry in section.titled if entry.tlp == tlp]
            restricted.append({"label": tlp.label, "colour": tlp.colour, "said": said,
                               "entries": titled})
        reactions = []
        for reaction in section.reactions:
            entry = reaction.entry
            parts = []
            if reaction.sightings:
                parts.append(ngettext("%(count)s organisation reported seeing it",
                                      "%(count)s organisations reported seeing it",
                                      reaction.sightings) % {"count": reaction.sightings})
            for action, count in reaction.feedback:
                parts.append(ngettext("%(action)s: %(count)s organisation",
                                      "%(action)s: %(count)s organisations", count) % {
                    "action": FeedbackAction(action).label, "count": count})
            titled = email_rule(entry.tlp, community) != COUNT
            reactions.append({
                "label": entry.tlp.label, "colour": entry.tlp.colour,
                "title": entry.item.title if titled else _("An incident you shared"),
                "url": entry.url, "details": " · ".join(parts),
            })
        return {"name": community.display_name, "url": _link(community.get_absolute_url()),
                "groups": groups, "restricted": restricted, "reactions": reactions}

    def _section(self, section: Section, zone_key: str) -> dict:
        key = (section, translation.get_language(), zone_key)
        rendered = self._sections.get(key) if section.shared else None
        if rendered is None:
            view = self._section_view(section)
            rendered = {
                "name": view["name"],
                "text": render_to_string("digests/digest/section.txt", view),
                # Our own template's output, escaped by it.
                "html": mark_safe(render_to_string("digests/digest/section.html", view)),
            }
            if section.shared:
                self._sections[key] = rendered
        return rendered

    def message(self, target: Target, sections: list[Section],
                connection=None) -> DigestMessage:
        """The digest e-mail of one member: subject, text and HTML, in their language and
        time zone, with the RFC 8058 one-click unsubscribe headers."""
        user = target.user
        zone = zone_of(user)
        unsubscribe_url = _link(reverse("digests:unsubscribe", args=[unsubscribe_token(user)]))
        with translation.override(language_of(user)), timezone.override(zone):
            parts = sorted((self._section(section, zone.key) for section in sections),
                           key=lambda part: part["name"])
            context = {
                "user": user,
                "frequency": target.frequency,
                "item_count": sum(section.item_count for section in sections),
                "day": formats.date_format(timezone.localtime(target.until), "DATE_FORMAT"),
                "since": _moment(target.since),
                "until": _moment(target.until),
                "zone": zone.key,
                "sections": parts,
                "portal_url": _link(reverse("communities:mine")),
                "profile_url": _link(reverse("accounts:profile")) + "#id_digest_frequency",
                "unsubscribe_url": unsubscribe_url,
            }
            subject = " ".join(render_to_string("digests/digest/subject.txt", context).split())
            text = _tidy(render_to_string("digests/digest/body.txt", context))
            html = render_to_string("digests/digest/body.html", context)
        message = DigestMessage(
            subject=subject, body=text, to=[user.email], connection=connection,
            headers={
                "Message-ID": message_id(target),
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(html, "text/html")
        return message


# ---- the runs --------------------------------------------------------------------------------

@dataclass
class DigestRun:
    """What a run did: e-mails sent, members with nothing to say, e-mails that failed (to
    be retried), members another worker or an earlier run had already taken."""

    frequency: str | None = None
    period: str | None = None
    sent: int = 0
    empty: int = 0
    failed: int = 0
    taken: int = 0
    retry_at: datetime | None = None  # when the earliest failed e-mail is due again

    def as_dict(self) -> dict:
        return {"frequency": self.frequency, "period": self.period, "sent": self.sent,
                "empty": self.empty, "failed": self.failed, "taken": self.taken,
                "retry_at": self.retry_at.isoformat() if self.retry_at else None}


def due_members(frequency: str, period: str, shard: tuple[int, int] | None = None):
    """Members whose digest of ``period`` is due: active accounts with this preference and
    an active membership somewhere, without a delivery row for the period yet; each with
    ``last_until``, the end of their latest digest (of any frequency). ``shard`` (k, n):
    only those whose id is k modulo n."""
    active = Membership.objects.filter(user_id=OuterRef("pk"), status=MembershipStatus.ACTIVE)
    done = DigestDelivery.objects.filter(user_id=OuterRef("pk"), frequency=frequency,
                                         period=period)
    last = DigestDelivery.objects.filter(user_id=OuterRef("pk")).order_by("-until")
    members = (
        get_user_model().objects.filter(is_active=True, digest_frequency=frequency)
        .filter(Exists(active)).exclude(Exists(done))
        .annotate(last_until=Subquery(last.values("until")[:1]))
        .only("pk", "email", "display_name", "language", "time_zone", "digest_frequency")
        .order_by("pk")
    )
    if shard is not None:
        members = members.annotate(shard=F("pk") % shard[1]).filter(shard=shard[0])
    return members


def _since(last_until: datetime | None, until: datetime, frequency: str) -> datetime:
    since = last_until if last_until is not None else until - LENGTH[frequency]
    return max(since, until - LOOKBACK[frequency])


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _connection_lost(exc: BaseException) -> bool:
    """A dropped connection or a network error (not a refusal the server answered: every
    smtplib error is an OSError too, and after those the connection is still good)."""
    return isinstance(exc, smtplib.SMTPServerDisconnected) or (
        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException))


class _Sender:
    """Renders and hands over the e-mails of one run, chunk by chunk. Each e-mail's row is
    claimed just before it is handed over and marked just after (two statements an e-mail):
    a worker killed half-way leaves at most the one e-mail in flight claimed and unmarked
    (sent again once the claim is stale: `_interrupted_to_failed`); every member it had not
    reached has no row and is still due, so the restarted job sends what is missing."""

    def __init__(self, run: DigestRun, items: NewItems, chunk_size: int):
        self.run, self.items, self.chunk_size = run, items, chunk_size
        self.renderer = Renderer()

    def new(self, targets: list[Target]) -> None:
        """Members without a row for the period. Those with nothing to say get an empty row
        (one statement a chunk, skipping any another worker wrote first); the others are
        sent, each claimed on its own."""
        for chunk in _chunks(targets, self.chunk_size):
            built = self._build(chunk)
            empty = [target for target, sections in built if not sections]
            if empty:
                marked_at = timezone.now()  # tells this run's rows from another worker's
                DigestDelivery.objects.bulk_create([
                    DigestDelivery(user=target.user, frequency=target.frequency,
                                   period=target.period, since=target.since,
                                   until=target.until, claimed_at=marked_at,
                                   status=DeliveryStatus.EMPTY)
                    for target in empty], ignore_conflicts=True)
                ours = DigestDelivery.objects.filter(
                    frequency=empty[0].frequency, period=empty[0].period, claimed_at=marked_at,
                    user_id__in=[target.user.pk for target in empty]).count()
                self.run.empty += ours
                self.run.taken += len(empty) - ours
            self._send([(target, sections) for target, sections in built if sections])

    def again(self, targets: list[Target], wanted: set) -> None:
        """Failed deliveries due again (``wanted``: the ids of members who still want a
        digest): told what they may see now, of the same period; "empty" when nothing is
        left to say, or the member turned the digest off meanwhile."""
        for chunk in _chunks(targets, self.chunk_size):
            built = [(target, sections if target.user.pk in wanted else [])
                     for target, sections in self._build(chunk)]
            nothing = [target.delivery_id for target, sections in built if not sections]
            if nothing:
                self.run.empty += DigestDelivery.objects.filter(
                    pk__in=nothing, status=DeliveryStatus.FAILED).update(
                        status=DeliveryStatus.EMPTY, item_count=0)
            self._send([(target, sections) for target, sections in built if sections])

    def _build(self, chunk: list[Target]) -> list[tuple[Target, list[Section]]]:
        reaches = reaches_of([target.user.pk for target in chunk])
        return [(target, self.items.sections_for(target.user, reaches[target.user.pk],
                                                 since=target.since, until=target.until))
                for target in chunk]

    def _claim(self, target: Target, item_count: int, *, failed: str = "") -> bool:
        """Take the member's digest for this run (or, with ``failed``, record at once that
        it could not be made): a new row for a new one — refused if another worker wrote
        it first — or the failed row back to claimed for a retry."""
        now = timezone.now()
        status = DeliveryStatus.FAILED if failed else DeliveryStatus.CLAIMED
        attempts = 1 if failed else 0
        if target.delivery_id is not None:
            return bool(DigestDelivery.objects.filter(
                pk=target.delivery_id, status=DeliveryStatus.FAILED).update(
                    status=status, claimed_at=now, item_count=item_count, error=failed,
                    attempts=F("attempts") + attempts))
        target.delivery_id = _insert_unless_taken(
            user_id=target.user.pk, frequency=target.frequency, period=target.period,
            since=target.since, until=target.until, claimed_at=now, item_count=item_count,
            status=status, error=failed, attempts=attempts, sent_at=None)
        return target.delivery_id is not None

    def _mark(self, target: Target, error: str = "") -> None:
        _mark_row(target.delivery_id, error)
        if error:
            self.run.failed += 1
        else:
            self.run.sent += 1

    def _send(self, batch: list[tuple[Target, list[Section]]]) -> None:
        """Hand each e-mail over on one connection; a refusal fails that e-mail only. If the
        mail server cannot be reached at all, the error is raised — the job is retried —
        and the members not reached yet stay due."""
        if not batch:
            return
        connection = get_connection()
        connection.open()
        try:
            with _quick_commits():
                self._hand_over(batch, connection)
        finally:
            connection.close()

    def _hand_over(self, batch: list[tuple[Target, list[Section]]], connection) -> None:
        """Render, claim, hand over to the mail ``connection``, mark: e-mail by e-mail."""
        for target, sections in batch:
            item_count = sum(section.item_count for section in sections)
            try:
                message = self.renderer.message(target, sections, connection)
            except Exception as exc:  # one member's failure must not stop the others
                if self._claim(target, item_count, failed=_error(exc)):
                    self.run.failed += 1
                continue
            if not self._claim(target, item_count):
                self.run.taken += 1
                continue
            try:
                if not connection.send_messages([message]):
                    raise smtplib.SMTPRecipientsRefused({target.user.email: (0, b"")})
            except Exception as exc:
                self._mark(target, _error(exc))
                if _connection_lost(exc):
                    connection.close()
                    connection.open()
                continue
            self._mark(target)


# An e-mail's claim and mark are the two statements a run makes per member, twenty thousand
# times a day: written as SQL, one round trip each (no savepoint, no IntegrityError to roll
# back), instead of the ORM's several. Both PostgreSQL and SQLite (3.35+) read them.

@contextmanager
def _quick_commits():
    """Within it, PostgreSQL answers the claims and marks without waiting for each commit to
    reach the disk (`synchronous_commit = off` for this connection): a millisecond less per
    statement, two statements an e-mail. A killed worker loses nothing by it — the server
    has every commit; only a crash of the database server itself could forget the last
    fraction of a second of rows (then those e-mails could go out again)."""
    connection = connections[DigestDelivery.objects.db]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _insert_unless_taken(**values) -> int | None:
    """INSERT a delivery row, or nothing if the (member, frequency, period) row exists: the
    new row's id, or None when another worker wrote it first."""
    connection = connections[DigestDelivery.objects.db]
    quote = connection.ops.quote_name
    fields = [DigestDelivery._meta.get_field(name) for name in values]
    sql = (f"INSERT INTO {quote(DigestDelivery._meta.db_table)} "
           f"({', '.join(quote(field.column) for field in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) "
           f"ON CONFLICT DO NOTHING RETURNING {quote(DigestDelivery._meta.pk.column)}")
    params = [field.get_db_prep_save(value, connection)
              for field, value in zip(fields, values.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _mark_row(pk: int, error: str = "") -> None:
    """Sent (or failed, with ``error``), one more attempt."""
    connection = connections[DigestDelivery.objects.db]
    quote = connection.ops.quote_name
    meta = DigestDelivery._meta
    columns = {name: quote(meta.get_field(name).column)
               for name in ("status", "sent_at", "error", "attempts")}
    sql = (f"UPDATE {quote(meta.db_table)} SET {columns['status']} = %s, "
           f"{columns['sent_at']} = %s, {columns['error']} = %s, "
           f"{columns['attempts']} = {columns['attempts']} + 1 "
           f"WHERE {quote(meta.pk.column)} = %s")
    sent_at = None if error else meta.get_field("sent_at").get_db_prep_save(
        timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [DeliveryStatus.FAILED if error else DeliveryStatus.SENT,
                             sent_at, error, pk])


def _interrupted_to_failed(now: datetime) -> int:
    """Each interrupted claim (`interrupted_claims`) becomes a failed attempt with that
    reason — seen in the admin, and retried like any failure (the e-mail may have gone out:
    its copy carries the same Message-ID)."""
    return DigestDelivery.objects.filter(interrupted_claims(now)).update(
            status=DeliveryStatus.FAILED, attempts=F("attempts") + 1,
            error=INTERRUPTED)


def _claim_failed(now: datetime, frequency: str | None = None,
                  shard: tuple[int, int] | None = None) -> list[DigestDelivery]:
    """Failed deliveries (interrupted ones included) whose back-off is over and attempts
    are left (each is claimed again, on its own, just before it is handed over: a second
    worker gets none of them)."""
    _interrupted_to_failed(timezone.now())  # by the clock: ``now`` may be a run's start
    failed = DigestDelivery.objects.filter(status=DeliveryStatus.FAILED,
                                           attempts__lt=MAX_ATTEMPTS)
    if frequency is not None:
        failed = failed.filter(frequency=frequency)
    if shard is not None:
        failed = failed.annotate(shard=F("user_id") % shard[1]).filter(shard=shard[0])
    return [row for row in failed.select_related("user")
            if row.claimed_at + retry_delay(row.attempts) <= now]


def next_retry_at() -> datetime | None:
    """When the earliest failed digest with attempts left is due again, or the earliest
    claim left unmarked turns stale (None: neither is waiting)."""
    failed = DigestDelivery.objects.filter(status=DeliveryStatus.FAILED,
                                           attempts__lt=MAX_ATTEMPTS)
    stale = timedelta(seconds=settings.MAIL_CLAIM_STALE_SECONDS)
    unmarked = DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED).aggregate(
        oldest=Min("claimed_at"))["oldest"]
    return min([*(claimed_at + retry_delay(attempts)
                  for claimed_at, attempts in failed.values_list("claimed_at", "attempts")),
                *([unmarked + stale] if unmarked else [])], default=None)


def _deliver(run: DigestRun, *, new: list[Target], retried: list[DigestDelivery],
             chunk_size: int) -> DigestRun:
    again = [Target(row.user, row.since, row.until, row.period, row.frequency, row.pk)
             for row in retried]
    targets = [*new, *again]
    if targets:
        items = NewItems(since=min(target.since for target in targets),
                         until=max(target.until for target in targets))
        sender = _Sender(run, items, chunk_size)
        sender.new([target for target in new if target.since < target.until])
        wanted = {row.user_id for row in retried
                  if row.user.is_active and row.user.digest_frequency != DigestFrequency.OFF}
        sender.again(again, wanted)
    run.retry_at = next_retry_at()
    return run


def digests_send(*, frequency: str, now: datetime | None = None, chunk_size: int = CHUNK,
                 shard: tuple[int, int] | None = None) -> DigestRun:
    """The digest run of ``frequency`` ("daily" or "weekly") at ``now``: every member whose
    digest of this period is due (`due_members`), and the failed digests of this frequency
    whose back-off is over. Idempotent: a rerun sends only what is missing.

    ``shard`` (k, n) takes only the members whose id is k modulo n: n runs side by side (one
    per core, with the same ``now``) share the work without meeting — each reads the new
    items once. (Runs that overlap without shards are safe too: rows are claimed.)"""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown digest frequency {frequency!r}")
    if shard is not None and not 0 <= shard[0] < shard[1]:
        raise ValueError(f"bad shard {shard!r}")
    now = now or timezone.now()
    period = digest_period(frequency, now)
    run = DigestRun(frequency=frequency, period=period)
    retried = _claim_failed(now, frequency, shard)
    new = [Target(user, _since(user.last_until, now, frequency), now, period, frequency)
           for user in due_members(frequency, period, shard)]
    return _deliver(run, new=new, retried=retried, chunk_size=chunk_size)


def digests_retry(*, now: datetime | None = None, chunk_size: int = CHUNK) -> DigestRun:
    """The failed digests (of any frequency) whose back-off is over, tried again."""
    now = now or timezone.now()
    return _deliver(DigestRun(), new=[], retried=_claim_failed(now), chunk_size=chunk_size)
