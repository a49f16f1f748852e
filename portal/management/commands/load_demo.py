"""`python manage.py load_demo [--manifest FILE]`: build (or rebuild) the demo world.

The data lives in `portal/demo_data.py`; this command turns it into rows. It is idempotent:
everything is looked up by slug, e-mail or a natural key and updated in place, so a second
run leaves the same world with no duplicates.

Each part of the portal adds one step to ``STEPS``: a function ``step(world)`` that creates
its demo content and, for shared content, calls ``world.add_item(...)`` so the manifest
describes it (DESIGN.md, "The demo manifest").
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.communities.models import (
    Agreement,
    AgreementAcceptance,
    Community,
    Federation,
    Invitation,
    Membership,
    MembershipStatus,
    Organization,
    Role,
)
from apps.digests.summaries import period_last_finished, period_of, summary_build
from apps.discussions import services as discussion_services
from apps.discussions.models import Post, Thread
from apps.incidents import services as incident_services
from apps.incidents.indicators import indicator_normalize
from apps.incidents.models import Incident, Sighting, UsageFeedback
from apps.meetings import minutes as minutes_services
from apps.meetings import selectors as meeting_selectors
from apps.meetings import surveys
from apps.meetings.materials import material_upload
from apps.meetings.models import (
    ROLE_OF_MEMBERSHIP,
    AgendaComment,
    AgendaItem,
    Answer,
    Attendance,
    Feedback,
    Material,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Minutes,
    Survey,
)
from apps.sharing.recipients import recipients_read
from apps.sharing.services import audience_reposition, audience_set
from portal import demo_data

User = get_user_model()
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
DEMO_IP = "192.0.2.10"  # TEST-NET-1: recorded as the address agreements were accepted from
# Shared content gets the same id in every demo database: uuid5(DEMO_NAMESPACE, "kind:key").
DEMO_NAMESPACE = uuid.UUID("6f1d4c52-8a3e-5b7e-9c0d-72656e6b6569")

# Statuses reached only after the member accepted the agreement and read the TLP briefing.
PAST_AGREEMENT = {MembershipStatus.PENDING_APPROVAL, MembershipStatus.ACTIVE,
                  MembershipStatus.SUSPENDED, MembershipStatus.LEFT}
WAS_ACTIVE = {MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED, MembershipStatus.LEFT}


def fiscal_year_of(day: datetime.date) -> int:
    """Japanese fiscal years start on 1 April: 2026-03-31 is in fiscal 2025."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass
class DemoWorld:
    """What the steps build, by natural key, and what the manifest will list."""

    password: str
    now: datetime.datetime
    # Hashed once and shared by every demo account: a demo needs no per-user salt, and
    # hashing twenty passwords one by one would make every `make run` seconds slower.
    password_hash: str = ""
    organizations: dict[str, Organization] = field(default_factory=dict)
    communities: dict[str, Community] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    federations: dict[str, Federation] = field(default_factory=dict)
    items: list[dict] = field(default_factory=list)

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.now.astimezone(TOKYO).date())

    @property
    def epoch(self) -> datetime.datetime:
        """A fixed moment before the year began: when the demo members joined."""
        return datetime.datetime(self.fiscal_year, 3, 1, 10, 0, tzinfo=TOKYO)

    def at(self, month: int, day: int, hhmm: str) -> datetime.datetime:
        """A moment inside the current fiscal year (January to March fall in the next year)."""
        year = self.fiscal_year if month >= 4 else self.fiscal_year + 1
        hour, minute = (int(part) for part in hhmm.split(":"))
        return datetime.datetime(year, month, day, hour, minute, tzinfo=TOKYO)

    def add_item(self, *, kind: str, id, api_url: str, community: str, tlp: str, author: str,
                 anonymous: bool = False, federated: bool = False,
                 recipient_organizations: list[str] | None = None,
                 recipient_users: list[str] | None = None) -> None:
        """Describe one piece of shared content in the manifest, as its author chose it."""
        self.items.append({
            "kind": kind, "id": str(id), "api_url": api_url, "community": community,
            "tlp": tlp, "author": author, "anonymous": anonymous, "federated": federated,
            "recipient_organizations": recipient_organizations or [],
            "recipient_users": recipient_users or [],
        })


def load_organizations(world: DemoWorld) -> None:
    for data in demo_data.ORGANIZATIONS:
        world.organizations[data["slug"]], _ = Organization.objects.update_or_create(
            slug=data["slug"],
            defaults={key: value for key, value in data.items() if key != "slug"},
        )


def load_communities(world: DemoWorld) -> None:
    """Each community and its current agreement (version 1, rewritten in place)."""
    for data in demo_data.COMMUNITIES:
        community, _ = Community.objects.update_or_create(
            slug=data["slug"],
            defaults={key: data[key] for key in ("kind", "name", "name_en", "description",
                                                 "requires_approval",
                                                 "amber_titles_in_email")},
        )
        world.communities[community.slug] = community
        extra = data["agreement_extra"]
        body = demo_data.AGREEMENT_BODY.format(
            name=data["name"], title=data["agreement_title"],
            extra=demo_data.AGREEMENT_EXTRA_CLAUSE.format(extra=extra) if extra else "",
        )
        Agreement.objects.update_or_create(
            community=community, version=1,
            defaults={"title": data["agreement_title"], "body": body,
                      "published_at": world.epoch - datetime.timedelta(days=30)},
        )


def _demo_user(world: DemoWorld, data: dict, **flags) -> User:
    user, _ = User.objects.update_or_create(
        email=data["email"],
        defaults={
            "display_name": data["display_name"],
            "language": data.get("language", "ja"),
            "time_zone": data.get("time_zone", "Asia/Tokyo"),
            "digest_frequency": data.get("digest_frequency", "weekly"),
            "is_active": True,
            "is_staff": flags.get("is_superuser", False),
            "is_superuser": flags.get("is_superuser", False),
        },
    )
    user.password = world.password_hash
    user.save(update_fields=["password"])
    world.users[user.email] = user
    return user


def load_users(world: DemoWorld) -> None:
    _demo_user(world, demo_data.ADMIN, is_superuser=True)
    for data in demo_data.USERS:
        _demo_user(world, data)


def load_memberships(world: DemoWorld) -> None:
    """Memberships with the dates their status implies, agreement acceptances for everyone
    who got past the agreement, and an open invitation for everyone still invited."""
    epoch = world.epoch
    for data in demo_data.USERS:
        user = world.users[data["email"]]
        for slug, org_slug, role, status in data["memberships"]:
            community = world.communities[slug]
            membership, _ = Membership.objects.update_or_create(
                community=community, user=user,
                defaults={
                    "organization": world.organizations[org_slug],
                    "role": role,
                    "status": status,
                    "briefing_acknowledged_at": epoch if status in PAST_AGREEMENT else None,
                    "approved_at": epoch if status in WAS_ACTIVE else None,
                    "activated_at": epoch if status in WAS_ACTIVE else None,
                    "suspended_at": (epoch + datetime.timedelta(days=90)
                                     if status == MembershipStatus.SUSPENDED else None),
                    "left_at": (epoch + datetime.timedelta(days=120)
                                if status == MembershipStatus.LEFT else None),
                },
            )
            if status in PAST_AGREEMENT:
                AgreementAcceptance.objects.get_or_create(
                    agreement=community.current_agreement, user=user,
                    defaults={"accepted_at": epoch, "ip_address": DEMO_IP,
                              "user_agent": "load_demo"},
                )
            if status == MembershipStatus.INVITED:
                _open_invitation(world, membership)


def _open_invitation(world: DemoWorld, membership: Membership) -> None:
    """An unused, unexpired link, so the secretariat's screens show a real pending invite.
    No e-mail is sent: the demo user signs in with the demo password instead."""
    if Invitation.objects.filter(membership=membership).usable().exists():
        return
    user = membership.user
    Invitation.objects.create(
        community=membership.community, membership=membership, email=user.email,
        name=user.display_name, organization=membership.organization, role=membership.role,
        language=user.language, expires_at=world.now + datetime.timedelta(days=14),
    )


def load_federations(world: DemoWorld) -> None:
    for data in demo_data.FEDERATIONS:
        federation, _ = Federation.objects.update_or_create(
            slug=data["slug"],
            defaults={"name": data["name"], "name_en": data["name_en"],
                      "coordinator": world.communities[data["coordinator"]]},
        )
        federation.communities.set([world.communities[slug] for slug in data["communities"]])
        federation.liaisons.set([world.users[email] for email in data["liaisons"]])
        world.federations[federation.slug] = federation


def load_meetings(world: DemoWorld) -> None:
    """One fiscal year of meetings per series: the current one, so some are already held
    (with a summary) and some are still to come."""
    for data in demo_data.MEETING_SERIES:
        community = world.communities[data["community"]]
        # Keyed without the year: a rerun after 1 April moves the demo year forward instead
        # of adding a second one, so the world stays the same size.
        members = list(Membership.objects.filter(community=community,
                                                 status=MembershipStatus.ACTIVE)
                       .select_related("user").order_by("pk"))
        chair = next((m.user for m in members if m.role == Role.CHAIR), None)
        series, _ = MeetingSeries.objects.update_or_create(
            community=community, title=data["title"],
            defaults={"fiscal_year": world.fiscal_year, "title_en": data["title_en"],
                      "purpose": data["purpose"], "chair": chair},
        )
        series.advisors.set([m.user for m in members if m.role == Role.ADVISOR])
        series.organizations.set({m.organization_id for m in members})
        held_meetings = []
        for meeting in data["meetings"]:
            starts_at = world.at(*meeting["date"], meeting["time"][0])
            ends_at = world.at(*meeting["date"], meeting["time"][1])
            held = ends_at < world.now
            record, _ = Meeting.objects.update_or_create(
                series=series, number=meeting["number"],
                defaults={
                    "community": community,
                    "title": meeting["title"],
                    "title_en": meeting["title_en"],
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "location": meeting["location"],
                    "online_url": meeting["online_url"],
                    "status": MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                    "summary": meeting["summary"] if held else "",
                },
            )
            # The talks, one per presenter ("名前（組織）": guests, who need no account).
            AgendaItem.objects.filter(meeting=record).delete()
            for position, line in enumerate(meeting["presenters"].splitlines(), start=1):
                name, _, organization = line.partition("（")
                AgendaItem.objects.create(
                    meeting=record, community=community, position=position,
                    theme=meeting["title"], guest_name=name.strip(),
                    guest_organization=organization.removesuffix("）").strip())
            load_attendance(record, members, held=held)
            if held:
                held_meetings.append(record)
        load_discussion_and_feedback(series, held_meetings, members)


def load_attendance(meeting: Meeting, members: list, *, held: bool) -> None:
    """Every active member but guests answered (in person, online, or absent, in turn); of a
    meeting held, those who answered that they would come did."""
    answers = [Answer.IN_PERSON, Answer.ONLINE, Answer.IN_PERSON, Answer.ABSENT]
    Attendance.objects.filter(meeting=meeting).delete()
    for index, membership in enumerate(m for m in members if m.role != Role.GUEST):
        answer = answers[(index + meeting.number) % len(answers)]
        Attendance.objects.create(
            meeting=meeting, community=meeting.community, user=membership.user,
            organization=membership.organization, role=ROLE_OF_MEMBERSHIP[membership.role],
            answer=answer, answered_at=meeting.starts_at - datetime.timedelta(days=7),
            attended=(answer != Answer.ABSENT) if held else None)


def load_discussion_and_feedback(series: MeetingSeries, held: list, members: list) -> None:
    """The questions after the first talk of the first meeting held, and the participants'
    feedback on that meeting (anonymous toward other members) and on the year."""
    Feedback.objects.filter(series=series).delete()
    if not held:
        return
    first = held[0]
    item = first.agenda.order_by("position").first()
    AgendaComment.objects.filter(item__meeting=first).delete()
    for position, (kind, speaker, text, answered_by, answer, from_chat) in enumerate(
            demo_data.MEETING_DISCUSSION[series.community.slug], start=1):
        AgendaComment.objects.create(item=item, community=first.community, position=position,
                                     kind=kind, speaker=speaker, text=text, answer=answer,
                                     answered_by=answered_by, from_chat=from_chat)
    on_meeting, on_year = demo_data.MEETING_FEEDBACK[series.community.slug]
    writers = [m.user for m in members if m.role == Role.MEMBER]
    Feedback.objects.filter(meeting__in=held).delete()
    if writers:
        Feedback.objects.create(community=first.community, meeting=first, author=writers[0],
                                text=on_meeting, anonymous=True)
        Feedback.objects.create(community=first.community, series=series,
                                author=writers[-1], text=on_year, anonymous=False)


# --- ISAC content: through the services, exactly as members share ------------------------------


def demo_id(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


def _audience(world: DemoWorld, data: dict) -> dict:
    """The author's choice in the services' terms, read by `apps.sharing.recipients` like
    the web picker's and the API's: organisations (chosen, or the default minus "exclude")
    for the AMBERs, people for RED, the federation for GREEN / CLEAR."""
    return recipients_read(
        community=world.communities[data["community"]],
        tlp=data["tlp"],
        organizations=data.get("organizations"),
        exclude_organizations=data.get("exclude"),
        users=data.get("users"),
        federated=data.get("federated", False),
    )


API_PATHS = {"incident": "incidents", "thread": "threads", "minutes": "minutes",
             "material": "materials"}


def _describe(world: DemoWorld, kind: str, item, data: dict) -> None:
    """The manifest entry, read back from what `sharing` recorded on the item."""
    item.refresh_from_db()
    world.add_item(
        kind=kind, id=item.pk, api_url=f"/api/v1/{API_PATHS[kind]}/{item.pk}/",
        community=data["community"], tlp=item.tlp, author=data["author"],
        anonymous=item.anonymous, federated=item.federated,
        recipient_organizations=sorted(item.recipient_organizations.values_list("slug", flat=True)),
        recipient_users=sorted(item.recipient_users.values_list("email", flat=True)),
    )


def _incident(world: DemoWorld, data: dict) -> Incident:
    author = world.users[data["author"]]
    community = world.communities[data["community"]]
    fields = {
        "title": data["title"], "summary": data["summary"], "category": data["category"],
        "intent": data["intent"], "status": data["status"], "sectors": data["sectors"],
        "attack_stage": data["attack_stage"], "anonymous": data.get("anonymous", False),
        "detected_at": world.now - datetime.timedelta(days=data["detected"]),
        "occurred_at": world.now - datetime.timedelta(days=data["occurred"]),
    }
    pk = demo_id("incident", data["key"])
    incident = Incident.objects.filter(pk=pk).first()
    confirmed = data.get("confirmed_exposures", ())
    if incident is None:
        return incident_services.incident_create(
            id=pk, author=author, community=community, techniques=data["techniques"],
            indicators=data["indicators"], confirmed_exposures=confirmed,
            **fields, **_audience(world, data),
        )
    # A rerun puts back what the demo says (an edit made while trying the demo is undone).
    incident = incident_services.incident_update(
        incident=incident, actor=author, techniques=data["techniques"],
        confirmed_exposures=confirmed, **fields, **_audience(world, data),
    )
    present = set(incident.indicators.values_list("type", "value"))
    for indicator in data["indicators"]:
        if (indicator["type"], indicator_normalize(indicator["type"], indicator["value"])) \
                not in present:
            incident_services.indicator_add(incident=incident, actor=author,
                                            confirmed_exposures=confirmed, **indicator)
    return incident


def _reactions(world: DemoWorld, incident: Incident, data: dict) -> None:
    """Sightings (some naming their organisation), usage feedback and views — each once."""
    for sighting in data.get("sightings", ()):
        user = world.users[sighting["by"]]
        indicator = None
        if sighting.get("indicator"):
            indicator = incident.indicators.get(value=sighting["indicator"])
        organization = incident_services.viewer_organization(user=user, incident=incident)
        seen = Sighting.objects.filter(incident=incident, organization=organization,
                                       indicator=indicator)
        if not seen.exists():
            incident_services.sighting_add(
                user=user, incident=None if indicator else incident, indicator=indicator,
                note=sighting.get("note", ""), show_organization=sighting["show_organization"],
                seen_at=incident.detected_at + datetime.timedelta(hours=5),
            )
    for feedback in data.get("feedback", ()):
        user = world.users[feedback["by"]]
        organization = incident_services.viewer_organization(user=user, incident=incident)
        if not UsageFeedback.objects.filter(incident=incident, organization=organization,
                                            action=feedback["action"]).exists():
            incident_services.feedback_add(user=user, incident=incident,
                                           action=feedback["action"],
                                           note=feedback.get("note", ""))
    for email in data.get("views", ()):
        incident_services.incident_record_view(incident=incident, user=world.users[email])


def load_incidents(world: DemoWorld) -> None:
    """Incidents in both ISACs under every label, some anonymous, one federated GREEN and
    one federated CLEAR, with indicators, ATT&CK techniques, sightings, feedback and views."""
    for data in demo_data.INCIDENTS:
        incident = _incident(world, data)
        _reactions(world, incident, data)
        _describe(world, "incident", incident, data)


def load_earlier_incidents(world: DemoWorld) -> None:
    """Incidents of the two periods before the current one (`demo_data.EARLIER_INCIDENTS`),
    dated there with their indicators and sightings, so that the federation summary of the
    last period that ended shows a trend against the one before."""
    current = period_of(world.now)
    for data in demo_data.EARLIER_INCIDENTS:
        period = current
        for _step in range(data["period"]):
            period = period.previous
        shared_at = period.starts_at + datetime.timedelta(days=data["day"], hours=10)
        days = (world.now - shared_at).days
        data = {**data, "detected": days, "occurred": days + 1}
        incident = _incident(world, data)
        _reactions(world, incident, data)
        Incident.objects.filter(pk=incident.pk).update(created_at=shared_at)
        incident.indicators.update(created_at=shared_at)
        Sighting.objects.filter(incident=incident).update(created_at=F("seen_at"))
        incident.refresh_from_db()
        audience_reposition(incident)  # its place in the lists moves with its date
        _describe(world, "incident", incident, data)


def load_federation_summaries(world: DemoWorld) -> None:
    """Each federation's summary of the last period that ended (built, not e-mailed)."""
    period = period_last_finished(world.now)
    for federation in world.federations.values():
        summary_build(federation, period)


def load_threads(world: DemoWorld) -> None:
    """A thread under every label in each ISAC, with replies; some discuss an incident."""
    for data in demo_data.THREADS:
        author = world.users[data["author"]]
        pk = demo_id("thread", data["key"])
        thread = Thread.objects.filter(pk=pk).first()
        if thread is None:
            incident = (Incident.objects.get(pk=demo_id("incident", data["incident"]))
                        if data.get("incident") else None)
            thread = discussion_services.thread_create(
                id=pk, author=author, community=world.communities[data["community"]],
                title=data["title"], body=data["body"], incident=incident,
                anonymous=data.get("anonymous", False), **_audience(world, data),
            )
        else:
            discussion_services.thread_update_audience(thread=thread, actor=author,
                                                       **_audience(world, data))
        posts = [thread.posts.order_by("created_at", "pk").first()]
        for post in data["posts"]:
            user = world.users[post["author"]]
            parent = posts[post["reply_to"] + 1] if "reply_to" in post else None
            existing = Post.objects.filter(thread=thread, author=user, body=post["body"]).first()
            posts.append(existing or discussion_services.post_add(
                author=user, thread=thread, body=post["body"], parent=parent))
        _describe(world, "thread", thread, data)


def _meeting_of(world: DemoWorld, data: dict) -> Meeting:
    slug, number = data["meeting"]
    return Meeting.objects.select_related("community").get(
        community=world.communities[slug], number=number, series__fiscal_year=world.fiscal_year)


def _meeting_audience(world: DemoWorld, data: dict, meeting: Meeting) -> dict:
    """``"users": "came"``: the people in the room (or, before it is held, who answered)."""
    if data.get("users") == "came":
        people = (meeting_selectors.people_of_meeting(meeting, came=True)
                  or meeting_selectors.people_of_meeting(meeting, came=False))
        data = {**data, "users": list(User.objects.filter(pk__in=people)
                                      .values_list("email", flat=True))}
    return _audience(world, {**data, "community": meeting.community.slug})


def load_minutes(world: DemoWorld) -> None:
    """Published minutes of the study group's first meetings (GREEN, then AMBER), a RED
    record for the people in the room, and the council's AMBER minutes."""
    for data in demo_data.MINUTES:
        meeting = _meeting_of(world, data)
        author = world.users[data["author"]]
        audience = _meeting_audience(world, data, meeting)
        pk = demo_id("minutes", data["key"])
        minutes = Minutes.objects.filter(pk=pk).first()
        if minutes is None:
            minutes = minutes_services.minutes_create(
                id=pk, meeting=meeting, author=author, title=data["title"], body=data["body"],
                **audience)
        else:
            minutes_services.minutes_update(minutes=minutes, actor=author, title=data["title"],
                                            body=data["body"], audience=audience)
        if not Minutes.objects.get(pk=pk).is_published:
            minutes_services.minutes_publish(minutes=minutes, actor=author)
        _describe(world, "minutes", minutes, {**data, "community": meeting.community.slug})


def _demo_file(data: dict) -> SimpleUploadedFile:
    """A real file of the type its name says: a one-page PDF, or the text given."""
    if "text" in data:
        return SimpleUploadedFile(data["filename"], data["text"].encode())
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Renkei demo - non-public material (TLP:AMBER)")
    return SimpleUploadedFile(data["filename"], bytes(pdf.output()))


def load_materials(world: DemoWorld) -> None:
    """The council's non-public material (TLP:AMBER) and the study group's public one."""
    for data in demo_data.MATERIALS:
        meeting = _meeting_of(world, data)
        author = world.users[data["author"]]
        audience = _meeting_audience(world, data, meeting)
        pk = demo_id("material", data["key"])
        material = Material.objects.filter(pk=pk).first()
        if material is None:
            material = material_upload(id=pk, meeting=meeting, author=author,
                                       upload=_demo_file(data), title=data["title"],
                                       description=data["description"], **audience)
        else:
            audience_set(item=material, actor=author, **audience)
        _describe(world, "material", material, {**data, "community": meeting.community.slug})


def load_survey(world: DemoWorld) -> None:
    """A closed survey of the study group's year, answered by its members, in the report."""
    data = demo_data.SURVEY
    community = world.communities[data["community"]]
    series = MeetingSeries.objects.get(community=community, fiscal_year=world.fiscal_year)
    Survey.objects.filter(series=series, title=data["title"]).delete()  # a rerun: anew
    survey = surveys.survey_create(actor=series.chair, series=series, title=data["title"],
                                   description=data["description"], in_report=True,
                                   questions=data["questions"])
    single, multiple, text = survey.questions.order_by("position")
    members = (Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
               .exclude(role=Role.GUEST).select_related("user").order_by("pk"))
    for index, membership in enumerate(members):
        choices = list(single.choices.order_by("position"))
        several = list(multiple.choices.order_by("position"))
        surveys.survey_answer(survey=survey, user=membership.user, answers={
            single.pk: [choices[index % 2].pk],
            multiple.pk: [c.pk for c in several[: 1 + index % len(several)]],
            text.pk: data["texts"][index % len(data["texts"])]})
    surveys.survey_close(actor=series.chair, survey=survey)


# In order; later parts append their own step (incidents, threads, minutes, materials…).
STEPS: list[Callable[[DemoWorld], None]] = [
    load_organizations,
    load_communities,
    load_users,
    load_memberships,
    load_federations,
    load_meetings,
    load_incidents,
    load_earlier_incidents,
    load_threads,
    load_minutes,
    load_materials,
    load_survey,
    load_federation_summaries,  # last: it summarises what the steps before shared
]


def build_manifest(world: DemoWorld) -> dict:
    """The manifest of DESIGN.md, read back from the database so it matches what was built."""
    emails = list(world.users)
    memberships: dict[str, list[dict]] = {email: [] for email in emails}
    for membership in (Membership.objects.filter(user__email__in=emails,
                                                 community__slug__in=world.communities)
                       .select_related("user", "community", "organization")
                       .order_by("user__email", "community__slug")):
        memberships[membership.user.email].append({
            "community": membership.community.slug,
            "organization": membership.organization.slug,
            "role": membership.role,
            "status": membership.status,
        })
    users = [
        {"email": user.email, "password": world.password, "is_superuser": user.is_superuser,
         "memberships": memberships[user.email]}
        for user in world.users.values()
    ]
    communities = [
        {"slug": community.slug, "kind": community.kind,
         "federations": sorted(community.federations.values_list("slug", flat=True))}
        for community in world.communities.values()
    ]
    return {"users": users, "communities": communities, "items": world.items}


class Command(BaseCommand):
    help = ("Build the demo world (idempotent). Passwords come from DEMO_PASSWORD "
            "(default 'demo'); --manifest writes a JSON description of it.")

    def add_arguments(self, parser):
        parser.add_argument("--manifest", type=Path, metavar="FILE",
                            help="write the demo manifest (JSON) to FILE")

    def handle(self, *args, manifest: Path | str | None = None, **options):
        manifest = Path(manifest) if manifest else None
        password = os.environ.get("DEMO_PASSWORD") or "demo"
        world = DemoWorld(password=password, now=timezone.now(),
                          password_hash=make_password(password))
        with transaction.atomic():
            for step in STEPS:
                step(world)
        data = build_manifest(world)
        if manifest:
            manifest.parent.mkdir(parents=True, exist_ok=True)
            manifest.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
        self._print_logins(data)
        if manifest:
            self.stdout.write(f"Manifest written to {manifest}")

    def _print_logins(self, data: dict) -> None:
        rows = []
        for user in data["users"]:
            roles = ", ".join(
                f"{m['community']}:{m['role']}"
                + ("" if m["status"] == "active" else f" ({m['status']})")
                for m in user["memberships"]
            )
            rows.append((user["email"], user["password"],
                         "superuser" if user["is_superuser"] else roles))
        widths = [max(len(row[i]) for row in [("e-mail", "password", ""), *rows])
                  for i in range(2)]
        self.stdout.write(self.style.SUCCESS(
            f"Demo world ready: {len(data['communities'])} communities, "
            f"{len(data['users'])} users. Sign in at /accounts/login/ with:"))
        self.stdout.write(f"{'e-mail':<{widths[0]}}  {'password':<{widths[1]}}  "
                          "communities (role, status if not active)")
        for email, password, roles in rows:
            self.stdout.write(f"{email:<{widths[0]}}  {password:<{widths[1]}}  {roles}")
