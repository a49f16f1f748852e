"""`python manage.py send_digests --frequency daily|weekly` over a fresh `load_demo` world:
the demo's daily and weekly members get real digests — in Japanese or English, under the
TLP table's e-mail column — and a second run sends nothing more."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from apps.digests.models import DigestDelivery
from apps.discussions.models import Thread
from apps.incidents.models import Incident
from apps.meetings.models import Material, Minutes
from apps.sharing.tlp import TLP

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]  # the demo world: ~10 s

User = get_user_model()


def send(frequency: str) -> tuple[dict, str]:
    mail.outbox.clear()
    out = io.StringIO()
    call_command("send_digests", "--frequency", frequency, stdout=out)
    printed = out.getvalue()
    match = re.search(r"(\d+) sent, (\d+) with nothing to say, (\d+) failed", printed)
    assert match, printed
    return dict(zip(("sent", "empty", "failed"), map(int, match.groups()), strict=True)), printed


def test_send_digests_over_a_fresh_demo_world(settings):
    settings.SITE_URL = "https://renkei.example"
    call_command("load_demo", stdout=io.StringIO())
    daily_members = set(User.objects.filter(digest_frequency="daily")
                        .values_list("email", flat=True))
    assert len(daily_members) >= 2

    counts, printed = send("daily")
    assert counts["failed"] == 0 and counts["sent"] >= 2, printed
    assert {to for message in mail.outbox for to in message.to} <= daily_members
    daily_outbox = list(mail.outbox)

    counts, printed = send("weekly")
    assert counts["failed"] == 0 and counts["sent"] >= 5, printed
    weekly_outbox = list(mail.outbox)
    assert not {m.to[0] for m in weekly_outbox} & daily_members

    restricted = []
    for model in (Incident, Thread, Minutes, Material):
        restricted += [(item.title, item.community.amber_titles_in_email, item.tlp)
                       for item in model.objects.select_related("community")
                       .filter(tlp__in=[TLP.AMBER, TLP.AMBER_STRICT, TLP.RED])]
    assert restricted
    languages = set()
    for message in daily_outbox + weekly_outbox:
        html = message.alternatives[0][0]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "https://renkei.example/" in message.body
        for title, titles_allowed, tlp in restricted:
            if tlp == TLP.AMBER and titles_allowed:
                continue
            assert title not in message.body and title not in html, (message.to, title)
        languages.add("ja" if '<html lang="ja">' in html else "en")
    assert languages == {"ja", "en"}

    # The day's job again: nothing more.
    counts, _printed = send("daily")
    assert counts == {"sent": 0, "empty": 0, "failed": 0} and mail.outbox == []
    assert DigestDelivery.objects.filter(status="sent").count() == len(
        daily_outbox) + len(weekly_outbox)
