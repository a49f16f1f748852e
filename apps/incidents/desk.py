"""Reporting to the incident desk ("report to the incident contact, not to the boss"): a
member's report becomes a TLP:RED incident addressed to the desk's people, who are told at
once by the notices that every RED recipient gets (`apps.digests.notices`, on the audience's
announcement). The reporter is its author and always sees it.

The desk's e-mail address is a mailbox, not a member: it is told what the e-mail column of
DESIGN.md's TLP table allows for TLP:RED — that one new item is addressed to the desk — and
never a title, a text or who reported it. It is skipped when it is the address of one of the
desk's people, who are told by their own notices.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from apps.communities.desk import desk_of, desk_people
from apps.communities.models import Community
from apps.incidents.models import Category, Incident
from apps.incidents.services import incident_create
from apps.sharing.tlp import TLP

logger = logging.getLogger(__name__)


@transaction.atomic
def desk_report(*, reporter, community: Community, title: str, summary: str = "",
                category: str = Category.OTHER, detected_at=None,
                confirmed_exposures=()) -> Incident:
    """Report an incident to the community's desk now: TLP:RED to the desk's people who are
    active members (the reporter is the author, not a recipient). Refused when nobody is at
    the desk. The desk's e-mail address is told after the commit."""
    people = list(desk_people(community))
    if not people:
        raise ValidationError(
            _("This community has no incident desk yet: ask the secretariat to name one."))
    incident = incident_create(
        author=reporter, community=community, title=title, summary=summary, category=category,
        detected_at=detected_at, tlp=TLP.RED,
        users=[person for person in people if person.pk != reporter.pk],
        confirmed_exposures=confirmed_exposures)
    desk = desk_of(community)
    if desk.email and desk.email.lower() not in {person.email.lower() for person in people}:
        transaction.on_commit(lambda: desk_address_tell(community=community, address=desk.email))
    return incident


def desk_address_tell(*, community: Community, address: str) -> bool:
    """E-mail the desk's mailbox that one new item is addressed to the desk, in the
    community's language: a count and a link to sign in, nothing of the item. A failure is
    logged, never raised: the report itself is saved and its people were told."""
    base = settings.SITE_URL.rstrip("/")
    with translation.override(community.default_language):
        context = {"community": community,
                   "url": base + reverse("incidents:addressed", args=[community.slug])}
        subject = render_to_string("incidents/desk/email_subject.txt", context).strip()
        body = render_to_string("incidents/desk/email.txt", context)
    try:
        EmailMessage(subject=subject, body=body, to=[address]).send()
    except Exception:  # the report stands; the mailbox is a courtesy
        logger.exception("could not tell the incident desk of %s", community.slug)
        return False
    return True
