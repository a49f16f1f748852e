"""Notices: what a member is told at once — an item addressed to them by name (TLP:RED) or to
their organisation, a reply in a thread they wrote in, a sighting of or feedback on an item
they shared, the minutes of a meeting they attended — as an unread count in the navigation,
a page, and (if they chose it) one e-mail for whatever happened within a few minutes.

A notice names an item; it never decides who may see it. Whether the member may be shown the
item is asked of `apps.sharing` each time a notice is counted, listed or e-mailed
(`notices_seen`): a label raised, an audience changed, a membership suspended after the event
and the notice is simply not there. What an e-mail may say of an item is the e-mail column of
DESIGN.md's TLP table (`email_disclosure`); no notice names an item's source, so an anonymous
item's source is never told.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db.models import Case, Exists, F, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.communities.models import Community, Membership, MembershipStatus
from apps.digests.digests import FULL, TITLE, email_rule
from apps.digests.models import Notice, NoticeKind
from apps.discussions.models import Post, Thread
from apps.incidents.models import Incident
from apps.meetings.minutes import notice_recipients
from apps.meetings.models import Material, Minutes, MinutesStatus
from apps.sharing.audience import AMBERS, Audience, member_organizations
from apps.sharing.selectors import reach_of, recipients_of, visible_to
from apps.sharing.tlp import TLP

logger = logging.getLogger(__name__)

# Events within this time of a member's first unmailed notice make one e-mail.
EMAIL_DELAY = datetime.timedelta(minutes=3)
# The navigation counts unread notices up to this many ("99+" beyond): a bounded query.
UNREAD_COUNTED = 100

# Told once per member and item, whatever happens to it afterwards.
ONCE = frozenset({NoticeKind.ADDRESSED, NoticeKind.ORGANIZATION, NoticeKind.MINUTES})
# Being addressed by name, through one's organisation, or as someone who came to the meeting
# is one piece of news about an item: a member told one way is not told again another way.
ADDRESSING = (NoticeKind.ADDRESSED, NoticeKind.ORGANIZATION, NoticeKind.MINUTES)


# ---- the shared items a notice may name ----------------------------------------------------

SHARED_MODELS: tuple[type[Model], ...] = (Incident, Thread, Minutes, Material)


def _readable(model: type[Model]) -> QuerySet:
    """The items of ``model`` that are open to their audience at all: minutes once published
    (a draft is the organisers' only, and nobody is told of it)."""
    if model is Minutes:
        return Minutes.objects.filter(status=MinutesStatus.PUBLISHED)
    return model._default_manager.all()


def _is_open(item: Model) -> bool:
    return not isinstance(item, Minutes) or item.is_published


def notices_seen(user, *, reach=None) -> QuerySet[Notice]:
    """The notices ``user`` may be shown now: in a community where they are an active member,
    about an item `sharing` lets them see (probed item by item through its own audience rows,
    in the same statement). One query — two when the reader's audiences (`reach_of`) were not
    read yet during this request."""
    reach = reach or reach_of(user)
    if reach.user_id is None:
        return Notice.objects.none()
    seen = Q(pk__in=[])
    for model in SHARED_MODELS:
        items = visible_to(user, _readable(model).filter(pk=OuterRef("object_id")), few=True,
                           reach=reach)
        seen |= Q(Exists(items), content_type=ContentType.objects.get_for_model(model))
    return Notice.objects.filter(user_id=reach.user_id,
                                 community_id__in=reach.community_ids).filter(seen)


def unread_count(user) -> int:
    """How many unread notices ``user`` may be shown, counted up to `UNREAD_COUNTED`."""
    return notices_seen(user).filter(read_at__isnull=True).order_by()[:UNREAD_COUNTED].count()


def unread_label(user) -> str:
    """The navigation's badge: "" (nothing unread), "3", or "99+"."""
    count = unread_count(user)
    if count >= UNREAD_COUNTED:
        return f"{UNREAD_COUNTED - 1}+"
    return str(count) if count else ""


def notices_read(*, user, notice_ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notices read: those of ``notice_ids``, or (None) all of them."""
    unread = Notice.objects.filter(user_id=user.pk, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(pk__in=list(notice_ids))
    return unread.update(read_at=timezone.now())


# ---- telling ---------------------------------------------------------------------------------

def notices_tell(*, kind: str, item: Model, user_ids: Iterable[int],
                 now: datetime.datetime | None = None) -> int:
    """Tell the members ``user_ids`` (those of them active in the item's community) of
    ``kind`` about ``item``, in bulk. Addressing (`ADDRESSING`) is told once per member and
    item; a repeated event (a second reply, another sighting) folds into the member's unread
    notice (``count`` + 1), which is e-mailed again if it was already. Returns how many
    members were told."""
    now = now or timezone.now()
    wanted = set(user_ids)
    if not wanted:
        return 0
    members = set(Membership.objects.filter(
        community_id=item.community_id, status=MembershipStatus.ACTIVE, user_id__in=wanted,
        user__is_active=True).values_list("user_id", flat=True))
    if not members:
        return 0
    about = Notice.objects.filter(content_type=ContentType.objects.get_for_model(type(item)),
                                  object_id=item.pk, user_id__in=members)
    if kind in ONCE:
        told = set(about.filter(kind__in=ADDRESSING).values_list("user_id", flat=True))
    else:
        unread = about.filter(kind=kind, read_at__isnull=True)
        told = set(unread.values_list("user_id", flat=True))
        if told:
            # An e-mailed notice is news again: it moves up and goes out in the next e-mail.
            unread.filter(user_id__in=told).update(
                count=F("count") + 1, emailed_at=None,
                created_at=Case(When(emailed_at__isnull=False, then=Value(now)),
                                default=F("created_at")))
    new = sorted(members - told)
    Notice.objects.bulk_create(
        Notice(user_id=user_id, community_id=item.community_id, kind=kind,
               content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk,
               created_at=now)
        for user_id in new)
    return len(new) if kind in ONCE else len(members)


def addressed_people(item: Model, audience: Audience, *, actor=None) -> dict[str, set[int]]:
    """{kind: user ids} of those an audience addresses: the people a TLP:RED item names; the
    active members of the organisations a TLP:AMBER / AMBER+STRICT item was sent to *by
    choice* — when some member organisation was left out. AMBER to every member organisation
    (the default) addresses nobody in particular: it would tell the whole community, as
    GREEN does not. The author's own organisation is never "addressed": it is the source, in
    every AMBER audience by rule. Neither the author nor ``actor`` is told."""
    told = {NoticeKind.ADDRESSED: set(), NoticeKind.ORGANIZATION: set()}
    if audience.tlp == TLP.RED:
        told[NoticeKind.ADDRESSED] = set(audience.users)
    elif audience.tlp in AMBERS:
        own = item.author_organization_id
        chosen = set(audience.organizations) - {own}
        everyone = set(member_organizations(item.community).values_list("pk", flat=True)) - {own}
        if chosen and not everyone <= chosen:
            told[NoticeKind.ORGANIZATION] = set(Membership.objects.filter(
                community_id=item.community_id, status=MembershipStatus.ACTIVE,
                organization_id__in=chosen).values_list("user_id", flat=True))
    for people in told.values():
        people.discard(item.author_id)
        if actor is not None:
            people.discard(actor.pk)
    return told


def tell_addressed(*, item: Model, audience: Audience, actor=None) -> int:
    """An item was given an audience: tell those it newly addresses (nobody for a draft)."""
    if not _is_open(item):
        return 0
    told = 0
    for kind, people in addressed_people(item, audience, actor=actor).items():
        told += notices_tell(kind=kind, item=item, user_ids=people)
    return told


def tell_reply(*, post: Post) -> int:
    """Those who wrote in the thread before, except the replier."""
    earlier = set(Post.objects.filter(thread_id=post.thread_id, created_at__lte=post.created_at)
                  .exclude(pk=post.pk).values_list("author_id", flat=True))
    earlier.discard(post.author_id)
    return notices_tell(kind=NoticeKind.REPLY, item=post.thread, user_ids=earlier)


def tell_author(*, kind: str, incident: Incident, actor_id: int) -> int:
    """The author of an incident, of a sighting or feedback by someone else."""
    if incident.author_id == actor_id:
        return 0
    return notices_tell(kind=kind, item=incident, user_ids=[incident.author_id])


def tell_minutes(*, minutes: Minutes, actor=None) -> int:
    """Published minutes: the people who came (`meetings.minutes.notice_recipients`), then
    those their audience addresses who were not told as attendees."""
    told = notices_tell(kind=NoticeKind.MINUTES, item=minutes,
                        user_ids=notice_recipients(minutes))
    return told + tell_addressed(item=minutes, audience=recipients_of(minutes),
                                 actor=actor or minutes.published_by)


# ---- showing ---------------------------------------------------------------------------------

@dataclass
class Entry:
    """One notice as a reader is shown it. ``title`` and ``text`` are what the reader may be
    told *where it is shown*: on the page, the title (they may see the item); in e-mail,
    what the TLP table's e-mail column allows (`email_disclosure`)."""

    notice: Notice
    item: Model
    tlp: TLP
    community: Community
    path: str
    title: str = ""
    text: str = ""
    kind_label: str = ""

    @property
    def label(self) -> str:
        return self.tlp.label


def _path(item: Model) -> str:
    slug = item.community.slug
    if isinstance(item, Incident):
        return reverse("incidents:detail", args=[slug, item.pk])
    if isinstance(item, Thread):
        return reverse("discussions:detail", args=[slug, item.pk])
    if isinstance(item, Material):  # its own address is the file: the meeting lists it
        return item.meeting.get_absolute_url()
    return item.get_absolute_url()


def _items(notices: list[Notice]) -> dict[tuple[int, object], Model]:
    """{(content type id, object id): item} for a list of notices: one query per kind of
    item present, with what an entry needs (community, meeting; a thread's newest text)."""
    wanted: dict[int, set] = {}
    for notice in notices:
        wanted.setdefault(notice.content_type_id, set()).add(notice.object_id)
    found = {}
    for model in SHARED_MODELS:
        content_type = ContentType.objects.get_for_model(model)
        ids = wanted.get(content_type.pk)
        if not ids:
            continue
        queryset = model._default_manager.filter(pk__in=ids).select_related("community")
        if model in (Minutes, Material):
            queryset = queryset.select_related("meeting__community")
        if model is Thread:
            queryset = queryset.annotate(newest_text=Subquery(
                Post.objects.filter(thread_id=OuterRef("pk"), deleted=False,
                                    redacted_at__isnull=True)
                .order_by("-created_at").values("body")[:1]))
        for item in queryset:
            found[(content_type.pk, item.pk)] = item
    return found


def _text(item: Model) -> str:
    if isinstance(item, Incident):
        return item.summary
    if isinstance(item, Thread):
        return getattr(item, "newest_text", None) or ""
    if isinstance(item, Minutes):
        return item.body
    return getattr(item, "description", "")


def notice_entries(notices: Iterable[Notice]) -> list[Entry]:
    """The page's entries for notices already narrowed by `notices_seen`: the title is shown
    (the reader may see the item), the source never."""
    notices = list(notices)
    items = _items(notices)
    entries = []
    for notice in notices:
        item = items.get((notice.content_type_id, notice.object_id))
        if item is None:  # deleted meanwhile
            continue
        entries.append(Entry(notice=notice, item=item, tlp=TLP(item.tlp),
                             community=item.community, path=_path(item), title=item.title,
                             kind_label=notice.get_kind_display()))
    return entries


def email_disclosure(item: Model, community: Community) -> tuple[bool, bool]:
    """(title, text): what an e-mail may say of ``item`` — the digests' one reading of
    DESIGN.md's e-mail column (`digests.email_rule`)."""
    rule = email_rule(item.tlp, community)
    return rule in (FULL, TITLE), rule == FULL


@dataclass
class Counted:
    """Entries an e-mail may only count: how many, of which label, in which community."""

    community: Community
    tlp: TLP
    count: int = 0

    @property
    def label(self) -> str:
        return self.tlp.label

    @property
    def red(self) -> bool:
        return self.tlp == TLP.RED


def email_entries(notices: Iterable[Notice]) -> tuple[list[Entry], list[Counted]]:
    """What an e-mail says of notices already narrowed by `notices_seen`: the entries it may
    title (with their text for CLEAR and GREEN), and counts of the rest by community and
    label. No source is named, no RED title or summary is written."""
    titled, counted = [], {}
    for entry in notice_entries(notices):
        title, text = email_disclosure(entry.item, entry.community)
        if title:
            entry.text = _text(entry.item) if text else ""
            titled.append(entry)
        else:
            key = (entry.community.pk, entry.tlp)
            counted.setdefault(key, Counted(community=entry.community, tlp=entry.tlp)).count += 1
    return titled, sorted(counted.values(), key=lambda c: (c.community.pk, c.tlp.rank))


# ---- e-mail ------------------------------------------------------------------------------------

def due_users(now: datetime.datetime | None = None) -> list[int]:
    """Members whose first unmailed notice is at least `EMAIL_DELAY` old (through the
    partial index of unmailed notices)."""
    cutoff = (now or timezone.now()) - EMAIL_DELAY
    return sorted(set(Notice.objects.filter(emailed_at__isnull=True, created_at__lte=cutoff)
                      .values_list("user_id", flat=True)))


def notices_claim(user_id: int, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Claim every unmailed notice of ``user_id`` — if the first is at least `EMAIL_DELAY`
    old — in the one UPDATE that selects them: a second worker, or a rerun, finds nothing to
    claim. Returns the claim's mark (their ``emailed_at``), or None."""
    now = now or timezone.now()
    unmailed = Notice.objects.filter(user_id=user_id, emailed_at__isnull=True)
    due = unmailed.filter(Exists(unmailed.filter(created_at__lte=now - EMAIL_DELAY)))
    return now if due.update(emailed_at=now) else None


def notices_release(user_id: int, mark: datetime.datetime) -> None:
    """Give back a claim whose e-mail did not leave: the retry sends it."""
    Notice.objects.filter(user_id=user_id, emailed_at=mark).update(emailed_at=None)


def notices_email(user, notices: list[Notice]) -> EmailMultiAlternatives | None:
    """One e-mail of ``notices`` (narrowed by `notices_seen`) in ``user``'s language and time
    zone, text and HTML; None when nothing is left to tell."""
    base = settings.SITE_URL.rstrip("/")
    with translation.override(user.language), timezone.override(user.time_zone):
        titled, counted = email_entries(notices)
        if not titled and not counted:
            return None
        context = {
            "user": user, "titled": titled, "counted": counted,
            "total": len(titled) + sum(c.count for c in counted), "base": base,
            "notices_url": base + reverse("digests:notices"),
            "profile_url": base + reverse("accounts:profile"),
        }
        subject = render_to_string("digests/notices/email_subject.txt", context).strip()
        text = render_to_string("digests/notices/email.txt", context)
        html = render_to_string("digests/notices/email.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def notices_send(*, user_id: int, now: datetime.datetime | None = None) -> int:
    """Send ``user_id`` one e-mail of their due notices, once: claimed first
    (`notices_claim`); released if the e-mail could not be handed over, and the error raised
    for the job to retry. Members who do not take notices by e-mail, and notices they may no
    longer see or have read already, are settled without an e-mail. Returns how many notices
    the e-mail told (0: none sent)."""
    mark = notices_claim(user_id, now)
    if mark is None:
        return 0
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.is_active or not user.notices_by_email:
        return 0
    try:
        notices = list(notices_seen(user).filter(emailed_at=mark, read_at__isnull=True)
                       .order_by("-created_at", "-pk"))
        message = notices_email(user, notices) if notices else None
        if message is None:
            return 0
        message.send()
    except BaseException:
        notices_release(user_id, mark)
        raise
    return len(notices)
