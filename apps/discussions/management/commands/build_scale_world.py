"""`python manage.py build_scale_world --incidents N [--threads M] [--manifest FILE] [--seed S]`:
fill an empty (throwaway) database with the world of the scale benchmark, in bulk.

From 100,000 incidents on: 100 communities, 2,000 organisations and 20,000 users; fewer
incidents scale those three down in proportion (so that a test can build a small world in
seconds). Incidents carry the TLP mix CLEAR 10 / GREEN 50 / AMBER 30 / AMBER+STRICT 5 / RED
5 %, are spread over five years, are written in Japanese or English, and about 3 % of them
mention ランサムウェア. There are M threads (default N / 10) with one or two posts each.

The grants are exactly those `apps.sharing.services.audience_set` writes (its `_grant` and
`_groups`): the author's user grant on every non-CLEAR item, RED recipients' user grants, the
community's members group for GREEN, and for AMBER / AMBER+STRICT the organisations' groups —
85 % to every member organisation of the community (the default), 15 % to one to three
named organisations, the author's always among them. The recipient tables hold what the
author chose, as `audience_set` leaves them. `tests/test_scale_world.py` checks the grants
against `audience_set` itself. The audit trail (`AudienceChange`) is not written.

Three users are written to the manifest (JSON) with what they may see:
``red_recipient`` (named on many RED items), ``big_organisation`` (a member of the largest
organisation) and ``many_communities`` (active in 40 communities). `bench/scale.py` issues
their API tokens.

Rows go in with PostgreSQL's COPY (psycopg 3), or in batched INSERTs on SQLite. Meant for an
empty database: it creates its communities and people beside whatever exists, but slugs and
e-mail addresses would collide on a second run.
"""

from __future__ import annotations

import datetime
import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.communities.groups import community_group, organizations_group
from apps.communities.models import (
    Community,
    CommunityKind,
    GroupKind,
    Membership,
    MembershipStatus,
    Organization,
    Role,
    Sector,
)
from apps.discussions.models import (
    Post,
    Thread,
    ThreadGroupObjectPermission,
    ThreadUserObjectPermission,
)
from apps.incidents.models import (
    Incident,
    IncidentGroupObjectPermission,
    IncidentUserObjectPermission,
    Indicator,
    Intent,
    Status,
)
from apps.sharing.audience import AMBERS
from apps.sharing.materialise import audience_rebuild
from apps.sharing.models import view_codename
from apps.sharing.pages import visible_count
from apps.sharing.services import ORGANIZATION_SET_MIN, SHARING_ROLES
from apps.sharing.tlp import TLP
from portal.search_text import search_document

SEARCH_WORD = "ランサムウェア"
WORLD_VERSION = 2  # raise when the same arguments would build a different world
TLP_MIX = {TLP.CLEAR: 10, TLP.GREEN: 50, TLP.AMBER: 30, TLP.AMBER_STRICT: 5, TLP.RED: 5}
FULL_SCALE = 100_000  # incidents from which the world no longer grows
COMMUNITIES, ORGANISATIONS, USERS = 100, 2_000, 20_000
MANY_COMMUNITIES = 40  # of 100
YEARS = 5
CHUNK = 20_000  # items generated and loaded at a time

# Written for the scale world: (category, Japanese title, Japanese summary, English title,
# English summary); "{s}" is where it happened.
EVENTS = [
    ("phishing", "{s}宛てに銀行を装うSMS",
     "{s}の社員宛てに、銀行を装うSMSで偽のログイン画面へ誘導する連絡が届きました。",
     "Bank-themed smishing at {s}",
     "Staff at {s} received text messages leading to a fake bank login page."),
    ("bec", "{s}に振込口座の変更依頼",
     "{s}に、取引先を装って振込口座の変更を求めるメールが届きました。",
     "Payment-change request at {s}",
     "{s} received an e-mail posing as a supplier that asked to change the bank account."),
    ("ddos", "{s}の公開サイトに大量のリクエスト",
     "{s}の公開サイトに大量のリクエストが集中し、応答が遅くなりました。",
     "Request flood on the website of {s}",
     "The public website of {s} slowed down under a flood of requests."),
    ("supply_chain", "{s}の保守用リモート接続の不正利用",
     "{s}の保守用リモート接続が不正に使われた形跡があります。",
     "Maintenance remote access misused at {s}",
     "The remote maintenance access of {s} shows signs of misuse."),
    ("targeted_attack", "{s}に講演依頼を装う標的型メール",
     "{s}に、講演依頼を装う添付ファイル付きの標的型メールが届きました。",
     "Spear-phishing posing as a speaking invitation at {s}",
     "{s} received a targeted e-mail with an attachment posing as a speaking invitation."),
    ("vulnerability_exploitation", "{s}のVPN機器への攻撃通信",
     "{s}のVPN機器に、公開済みの脆弱性を突く通信がありました。",
     "VPN appliance exploitation attempt at {s}",
     "Traffic exploiting a published vulnerability reached the VPN appliance of {s}."),
    ("fraud", "{s}でなりすましによる送金依頼",
     "{s}で、なりすましによる不正な送金依頼がありました。",
     "Impersonation fraud at {s}",
     "{s} received a fraudulent transfer request from an impersonator."),
]
RANSOM_JA = ("ransomware", "{s}で" + SEARCH_WORD + "感染",
             "{s}で" + SEARCH_WORD + "による暗号化を確認し、ネットワークから切り離しました。")
RANSOM_EN = ("ransomware", "Files encrypted at {s}",
             "Ransomware encrypted file servers at {s}; the hosts were isolated.")
PLACES_JA = ["子会社", "海外拠点", "委託先", "営業部門", "財務部門", "コールセンター", "支店",
             "製造拠点", "研究所", "物流センター"]
PLACES_EN = ["a subsidiary", "an overseas branch", "a contractor", "the sales department",
             "the finance department", "a call centre", "a regional branch", "a plant",
             "a laboratory", "a logistics centre"]
FOLLOW_UP_JA = "\n\n調査を続けています。分かり次第、共有します。"
FOLLOW_UP_EN = "\n\nWe are still investigating and will share what we learn."


def world_size(incidents: int) -> tuple[int, int, int]:
    """(communities, organisations, users) for ``incidents`` incidents."""
    if incidents >= FULL_SCALE:
        return COMMUNITIES, ORGANISATIONS, USERS
    share = incidents / FULL_SCALE
    return (max(10, round(COMMUNITIES * share)), max(30, round(ORGANISATIONS * share)),
            max(120, round(USERS * share)))


# -- bulk loading ---------------------------------------------------------------------------


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _copy_format(field: models.Field):
    """How a value of ``field`` is written in COPY's text format (chosen once per column:
    formatting is most of the Python time of a large world)."""
    kind = field.target_field.get_internal_type() if field.is_relation else (
        field.get_internal_type())
    if kind in {"UUIDField", "AutoField", "BigAutoField", "IntegerField", "BigIntegerField",
                "PositiveIntegerField", "SmallIntegerField", "PositiveSmallIntegerField"}:
        write = str
    elif kind == "BooleanField":
        def write(value):
            return "t" if value else "f"
    elif kind == "DateTimeField":
        def write(value):
            return value.isoformat()
    elif kind == "JSONField":
        def write(value):
            return _escape(json.dumps(value, ensure_ascii=False))
    else:
        def write(value):
            return _escape(str(value))
    if not field.null:
        return write
    return lambda value: "\\N" if value is None else write(value)


class Loader:
    """Appends rows to one model's table: COPY (text) on PostgreSQL, batched INSERT
    elsewhere.

    Columns not named take their field's default (or NULL, or ""), so a field added later
    does not break the world; a required field without one is refused.
    """

    def __init__(self, model: type[models.Model], columns: list[str]):
        meta = model._meta
        fields = [meta.get_field(column) for column in columns]
        named = {field.attname for field in fields}
        constants = []
        for field in meta.concrete_fields:
            if field.attname in named or isinstance(field, models.AutoField):
                continue
            if not (field.has_default() or field.null or field.empty_strings_allowed):
                raise ValueError(f"{meta.label}.{field.name} needs a value")
            if field.unique:
                raise ValueError(f"{meta.label}.{field.name} is unique: name it")
            constants.append((field, field.get_default()))
        self.fields = fields + [field for field, _value in constants]
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            # Formatting the text ourselves is several times faster than write_row.
            self.formats = [_copy_format(field) for field in fields]
            self.tail = "".join("\t" + _copy_format(field)(value)
                                for field, value in constants)
        else:
            self.tail = tuple(field.get_db_prep_save(value, connection)
                              for field, value in constants)
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        self.names = ", ".join(quote(field.column) for field in self.fields)

    def load(self, rows: Iterable[tuple]) -> None:
        with connection.cursor() as cursor:
            if self.postgres:
                tail = self.tail + "\n"
                formats = self.formats
                lines = ["\t".join([f(v) for f, v in zip(formats, row, strict=True)]) + tail
                         for row in rows]
                if lines:
                    with cursor.copy(f"COPY {self.table} ({self.names}) FROM STDIN") as copy:
                        for start in range(0, len(lines), 10_000):
                            copy.write("".join(lines[start:start + 10_000]))
                return
            fields = self.fields
            sql = (f"INSERT INTO {self.table} ({self.names}) "
                   f"VALUES ({', '.join(['%s'] * len(fields))})")
            batch = [tuple(field.get_db_prep_save(value, connection)
                           for field, value in zip(fields, row, strict=False)) + self.tail
                     for row in rows]
            for start in range(0, len(batch), 5000):
                cursor.executemany(sql, batch[start:start + 5000])


class ContentLoaders:
    """The five tables an audience touches for one content model: the items, guardian's user
    and group grants, and the author's choice of organisations and people."""

    def __init__(self, model, columns, user_perms, group_perms):
        self.items = Loader(model, columns)
        self.user_grants = Loader(user_perms, ["content_object_id", "user_id", "permission_id"])
        self.group_grants = Loader(group_perms,
                                   ["content_object_id", "group_id", "permission_id"])
        orgs = model._meta.get_field("recipient_organizations")
        people = model._meta.get_field("recipient_users")
        self.recipient_orgs = Loader(orgs.remote_field.through,
                                     [orgs.m2m_column_name(), orgs.m2m_reverse_name()])
        self.recipient_users = Loader(people.remote_field.through,
                                      [people.m2m_column_name(), people.m2m_reverse_name()])
        self.permission_id = Permission.objects.get(
            content_type=ContentType.objects.get_for_model(model),
            codename=view_codename(model),
        ).pk


class Batch:
    """The rows of one chunk of items, by table."""

    def __init__(self):
        self.items, self.user_grants, self.group_grants = [], [], []
        self.recipient_orgs, self.recipient_users = [], []

    def write(self, loaders: ContentLoaders) -> None:
        loaders.items.load(self.items)
        permission = (loaders.permission_id,)
        loaders.user_grants.load(row + permission for row in self.user_grants)
        loaders.group_grants.load(row + permission for row in self.group_grants)
        loaders.recipient_orgs.load(self.recipient_orgs)
        loaders.recipient_users.load(self.recipient_users)


# -- the world ------------------------------------------------------------------------------


class World:
    """Communities, organisations, people and memberships (small enough for bulk_create),
    and the audiences their items get."""

    def __init__(self, *, incidents: int, rng: random.Random, log):
        self.rng, self.log = rng, log
        n_communities, n_organisations, n_users = world_size(incidents)
        self.communities = Community.objects.bulk_create(
            Community(slug=f"scale-{i:03d}", kind=CommunityKind.ISAC,
                      name=f"規模検証ISAC {i:03d}", name_en=f"Scale ISAC {i:03d}")
            for i in range(n_communities))
        sectors = Sector.values
        self.organisations = Organization.objects.bulk_create(
            Organization(slug=f"scale-org-{i:04d}", name=f"会員組織{i:04d}",
                         name_en=f"Member {i:04d}", sector=sectors[i % len(sectors)])
            for i in range(n_organisations))
        self._memberships(n_users)
        self._groups()

    def _memberships(self, n_users: int) -> None:
        rng, communities, orgs = self.rng, self.communities, self.organisations
        n_c = len(communities)
        # Each organisation is in a few communities; three are special: the largest
        # organisation (org 0, in a fifth of them), the organisation of the person active in
        # 40 % of them (org 1) and that of the RED recipient (org 2, in a tenth).
        reach = {0: max(2, n_c // 5), 1: max(2, round(n_c * MANY_COMMUNITIES / COMMUNITIES)),
                 2: max(2, n_c // 10)}
        few = min(5, reach[1] - 1)  # nobody else reaches as many communities as org 1
        org_communities = []
        for i in range(len(orgs)):
            picked = set(rng.sample(range(n_c), min(n_c, reach.get(i, rng.randint(1, few)))))
            picked.add(i % n_c)  # every community has organisations
            org_communities.append(sorted(picked))
        # The largest organisation has 5 % of the people (at least thrice the average);
        # everyone else is spread evenly, each organisation with at least one person.
        big = max(n_users // 20, 3 * n_users // len(orgs))
        owners = [0] * big + list(range(1, len(orgs)))
        owners += [rng.randrange(1, len(orgs)) for _ in range(n_users - len(owners))]
        special = {"big_organisation": 0, "many_communities": 1, "red_recipient": 2}
        users = [User(email=f"{kind.replace('_', '-')}@scale.example", display_name=kind)
                 for kind in special]
        users += [User(email=f"user{i:05d}@scale.example", display_name=f"利用者{i:05d}")
                  for i in range(len(owners))]
        for user in users:
            user.set_unusable_password()
        users = User.objects.bulk_create(users, batch_size=2000)
        self.special = dict(zip(special, users[:3], strict=True))
        user_org = [special[kind] for kind in special] + owners

        memberships, now = [], timezone.now()
        for index, (user, org_index) in enumerate(zip(users, user_org, strict=True)):
            mine = org_communities[org_index]
            if index < 3:  # the three measured people are active wherever their org is
                chosen = mine
            else:
                chosen = [c for c in mine if rng.random() < 0.5] or [rng.choice(mine)]
            for c in chosen:
                draw = rng.random()
                status = (MembershipStatus.ACTIVE if index < 3 or draw < 0.95 else
                          MembershipStatus.SUSPENDED if draw < 0.98 else MembershipStatus.LEFT)
                draw = rng.random()
                role = (Role.MEMBER if index < 3 or draw < 0.9 else
                        Role.ADVISOR if draw < 0.95 else Role.OBSERVER)
                memberships.append(Membership(
                    community=communities[c], user=user, organization=orgs[org_index],
                    role=role, status=status, activated_at=now,
                    briefing_acknowledged_at=now))
        # One secretariat per community: its first active ordinary member.
        seen, measured = set(), {u.pk for u in users[:3]}
        for membership in memberships:
            if (membership.community_id not in seen and membership.user_id not in measured
                    and membership.status == MembershipStatus.ACTIVE):
                membership.role = Role.SECRETARIAT
                seen.add(membership.community_id)
        Membership.objects.bulk_create(memberships, batch_size=5000)
        self.log(f"{len(communities)} communities, {len(orgs)} organisations, "
                 f"{len(users)} users, {len(memberships)} memberships")

        # Per community: who may author (active, a sharing role) with their organisation,
        # who may be named on RED (active), and the member organisations (not left).
        self.authors = defaultdict(list)
        self.active = defaultdict(list)
        self.member_orgs = defaultdict(set)
        for m in memberships:
            if m.status != MembershipStatus.LEFT:
                self.member_orgs[m.community_id].add(m.organization_id)
            if m.status == MembershipStatus.ACTIVE:
                self.active[m.community_id].append(m.user_id)
                if m.role in SHARING_ROLES:
                    self.authors[m.community_id].append((m.user_id, m.organization_id))
        for community_id in self.member_orgs:
            self.member_orgs[community_id] = sorted(self.member_orgs[community_id])
        self.red_recipient_in = {m.community_id for m in memberships
                                 if m.user_id == self.special["red_recipient"].pk}
        # Items go to communities unevenly: a few large ISACs, many small ones.
        self.community_ids = [c.pk for c in communities if self.authors[c.pk]]
        self.weights = [1 / (rank + 1) ** 0.6 for rank in range(len(self.community_ids))]

    def _groups(self) -> None:
        self.by_pk = {c.pk: c for c in self.communities}
        self.org_by_pk = {o.pk: o for o in self.organisations}
        self.members_group = {c.pk: community_group(c, GroupKind.MEMBERS).pk
                              for c in self.communities}
        self._org_groups: dict[tuple[int, int], int] = {}
        self._set_groups: dict[tuple[int, frozenset], int] = {}

    def amber_groups(self, community_id: int, org_ids: frozenset) -> list[int]:
        """The group ids `apps.sharing.services._groups` grants an AMBER / AMBER+STRICT item
        to, for these organisations."""
        community = self.by_pk[community_id]
        if len(org_ids) >= ORGANIZATION_SET_MIN:
            key = (community_id, org_ids)
            if key not in self._set_groups:
                self._set_groups[key] = organizations_group(community, org_ids).pk
            return [self._set_groups[key]]
        groups = []
        for org_id in sorted(org_ids):
            key = (community_id, org_id)
            if key not in self._org_groups:
                self._org_groups[key] = community_group(
                    community, GroupKind.ORGANIZATION, self.org_by_pk[org_id]).pk
            groups.append(self._org_groups[key])
        return groups

    def share(self, batch: Batch, item_id, community_id: int, author: tuple[int, int],
              tlp: TLP) -> None:
        """Append the grants and recipients `audience_set` would write for this item."""
        rng = self.rng
        author_id, author_org = author
        if tlp == TLP.CLEAR:
            return
        users: set[int] = set()
        if tlp == TLP.RED:
            active = self.active[community_id]
            users = {rng.choice(active) for _ in range(rng.randint(1, 4))} - {author_id}
            if community_id in self.red_recipient_in and rng.random() < 0.6:
                users.add(self.special["red_recipient"].pk)
            batch.recipient_users += [(item_id, pk) for pk in users]
        batch.user_grants += [(item_id, pk) for pk in sorted(users | {author_id})]
        if tlp == TLP.GREEN:
            batch.group_grants.append((item_id, self.members_group[community_id]))
        elif tlp in AMBERS:
            members = self.member_orgs[community_id]
            if rng.random() < 0.85:  # the default: every member organisation
                orgs = frozenset(members) | {author_org}
            else:
                others = [pk for pk in members if pk != author_org]
                orgs = frozenset([author_org, *rng.sample(others, min(len(others),
                                                                      rng.randint(0, 2)))])
            batch.recipient_orgs += [(item_id, pk) for pk in orgs]
            batch.group_grants += [(item_id, g) for g in self.amber_groups(community_id, orgs)]

    def pick(self) -> tuple[int, tuple[int, int]]:
        community_id = self.rng.choices(self.community_ids, self.weights)[0]
        return community_id, self.rng.choice(self.authors[community_id])


def _uuid(rng: random.Random) -> str:
    """A random (seeded) UUID, as text: items' ids are written many times over."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _moments(rng: random.Random, count: int, now: datetime.datetime) -> list[datetime.datetime]:
    """``count`` moments over the last five years, oldest first (rows go in as they would
    have been written)."""
    span = YEARS * 365 * 86400
    return [now - datetime.timedelta(seconds=span * (1 - x))
            for x in sorted(rng.random() for _ in range(count))]


def _text(rng: random.Random, number: int) -> tuple[str, str, str]:
    """(category, title, summary): 3 % Japanese with the search word, 60 % Japanese, the
    rest English (1 % of it English about ransomware, without the Japanese word)."""
    draw = rng.random()
    if draw < 0.03:
        category, title, summary = RANSOM_JA
        place = rng.choice(PLACES_JA)
        return (category, f"{title.format(s=place)} 第{number}報",
                summary.format(s=place) + FOLLOW_UP_JA)
    if draw < 0.04:
        category, title, summary = RANSOM_EN
        place = rng.choice(PLACES_EN)
        return (category, f"{title.format(s=place)} (report {number})",
                summary.format(s=place) + FOLLOW_UP_EN)
    category, title_ja, summary_ja, title_en, summary_en = rng.choice(EVENTS)
    if draw < 0.63:
        place = rng.choice(PLACES_JA)
        return (category, f"{title_ja.format(s=place)} 第{number}報",
                summary_ja.format(s=place) + FOLLOW_UP_JA)
    place = rng.choice(PLACES_EN)
    return (category, f"{title_en.format(s=place)} (report {number})",
            summary_en.format(s=place) + FOLLOW_UP_EN)


INCIDENT_COLUMNS = ["id", "community_id", "tlp", "author_id", "author_organization_id",
                    "anonymous", "title", "summary", "category", "intent", "status",
                    "detected_at", "sectors", "attack_stage", "created_at", "updated_at",
                    "search_text"]
THREAD_COLUMNS = ["id", "community_id", "tlp", "author_id", "author_organization_id",
                  "anonymous", "title", "incident_id", "created_at", "last_post_at",
                  "search_text"]


def build_world(*, incidents: int, threads: int, seed: int, log=print) -> dict:
    """Build the world (in one transaction) and return the three measured users."""
    rng = random.Random(seed)
    labels, label_weights = list(TLP_MIX), list(TLP_MIX.values())
    intents, statuses = Intent.values, Status.values
    stages = ["initial-access", "execution", "persistence", "lateral-movement",
              "exfiltration", "impact", ""]
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Check foreign keys after each COPY rather than queue millions until COMMIT.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        world = World(incidents=incidents, rng=rng, log=log)
        incident_loaders = ContentLoaders(Incident, INCIDENT_COLUMNS,
                                          IncidentUserObjectPermission,
                                          IncidentGroupObjectPermission)
        indicator_loader = Loader(Indicator, ["id", "community_id", "incident_id", "type",
                                              "value", "created_by_id", "created_at"])
        # A few incidents per community that threads may discuss (a reservoir sample).
        discussed: dict[int, list] = defaultdict(list)
        moments = _moments(rng, incidents, now)
        for start in range(0, incidents, CHUNK):
            batch, indicators = Batch(), []
            for number in range(start, min(incidents, start + CHUNK)):
                community_id, author = world.pick()
                tlp = rng.choices(labels, label_weights)[0]
                item_id, created = _uuid(rng), moments[number]
                category, title, summary = _text(rng, number + 1)
                batch.items.append((
                    item_id, community_id, tlp, author[0], author[1], rng.random() < 0.05,
                    title, summary, category, rng.choice(intents), rng.choice(statuses),
                    created - datetime.timedelta(hours=rng.randint(0, 72)),
                    [rng.choice(Sector.values)], rng.choice(stages), created, created,
                    search_document(title, summary)))
                world.share(batch, item_id, community_id, author, tlp)
                if number % 4 == 0:
                    indicators.append((_uuid(rng), community_id, item_id, "domain",
                                       f"c2-{number}.scale-attacker.example", author[0],
                                       created))
                pool = discussed[community_id]
                if len(pool) < 200:
                    pool.append(item_id)
                elif rng.random() < 0.05:
                    pool[rng.randrange(200)] = item_id
            batch.write(incident_loaders)
            indicator_loader.load(indicators)
            log(f"incidents: {min(incidents, start + CHUNK)} / {incidents} "
                f"({time.perf_counter() - started:.0f} s)")

        thread_loaders = ContentLoaders(Thread, THREAD_COLUMNS, ThreadUserObjectPermission,
                                        ThreadGroupObjectPermission)
        post_loader = Loader(Post, ["id", "community_id", "thread_id", "author_id",
                                    "author_organization_id", "body", "created_at",
                                    "search_text"])
        moments = _moments(rng, threads, now)
        for start in range(0, threads, CHUNK):
            batch, posts = Batch(), []
            for number in range(start, min(threads, start + CHUNK)):
                community_id, author = world.pick()
                tlp = rng.choices(labels, label_weights)[0]
                item_id, created = _uuid(rng), moments[number]
                _category, title, summary = _text(rng, number + 1)
                last = created + datetime.timedelta(days=rng.expovariate(1 / 3))
                last = created if last > now else last  # no reply yet
                pool = discussed[community_id]
                incident_id = rng.choice(pool) if pool and rng.random() < 0.3 else None
                batch.items.append((item_id, community_id, tlp, author[0], author[1],
                                    rng.random() < 0.05, title, incident_id, created, last,
                                    search_document(title)))
                world.share(batch, item_id, community_id, author, tlp)
                posts.append((_uuid(rng), community_id, item_id, author[0], author[1],
                              summary, created, search_document(summary)))
                if last > created:  # a reply by someone of the community at the last post
                    replier = rng.choice(world.authors[community_id])
                    posts.append((_uuid(rng), community_id, item_id, replier[0], replier[1],
                                  FOLLOW_UP_JA.strip(), last,
                                  search_document(FOLLOW_UP_JA.strip())))
            batch.write(thread_loaders)
            post_loader.load(posts)
            log(f"threads: {min(threads, start + CHUNK)} / {threads} "
                f"({time.perf_counter() - started:.0f} s)")

        audience_rebuild(Incident)  # the materialised audience, from the grants just loaded
        audience_rebuild(Thread)
        log(f"audience rows rebuilt ({time.perf_counter() - started:.0f} s)")
    return world.special


def analyse() -> None:
    """Fresh statistics (and, outside a transaction, the visibility map for index-only
    scans) so the planner sees the world as it is."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def manifest_of(special: dict) -> dict:
    users = []
    for kind, user in special.items():
        users.append({
            "email": user.email,
            "kind": kind,
            # Counted by walking their audiences (uncapped), as the lists do.
            "visible_incidents": visible_count(user, Incident.objects.all(), cap=10**9).value,
            "visible_threads": visible_count(user, Thread.objects.all(), cap=10**9).value,
        })
    return {"users": users}


class Command(BaseCommand):
    help = "Fill an empty database with the scale benchmark's world, in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, required=True,
                            help="how many incidents (the world's size follows up to 100,000)")
        parser.add_argument("--threads", type=int, default=None,
                            help="how many threads (default: incidents / 10)")
        parser.add_argument("--manifest", default=None,
                            help="write the three measured users to this JSON file")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    def handle(self, *args, incidents, threads, manifest, seed, verbosity, **options):
        if incidents < 1 or (threads is not None and threads < 0):
            raise CommandError(_("Give a positive number of incidents and threads."))
        threads = incidents // 10 if threads is None else threads
        log = self.stdout.write if verbosity >= 1 else (lambda message: None)
        started = time.perf_counter()
        special = build_world(incidents=incidents, threads=threads, seed=seed, log=log)
        analyse()
        built = time.perf_counter() - started
        result = {"version": WORLD_VERSION, "incidents": incidents, "threads": threads,
                  "seed": seed,
                  "built_seconds": round(built, 1), **manifest_of(special)}
        if manifest:
            Path(manifest).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"\nBuilt {incidents} incidents and {threads} threads in "
                          f"{built:.1f} s\n")
        self.stdout.write("| e-mail | kind | visible incidents | visible threads |")
        self.stdout.write("|---|---|---:|---:|")
        for user in result["users"]:
            self.stdout.write(f"| {user['email']} | {user['kind']} | "
                              f"{user['visible_incidents']} | {user['visible_threads']} |")
