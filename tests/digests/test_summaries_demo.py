"""`load_demo` holds two periods of ISAC data and ends with each federation's summary of the
last period that ended: the demo shows a trend, a named corroborated value, one that is only
counted, and an item shared via the secretariat."""

import io

import pytest
from django.core.management import call_command

from apps.digests.models import Summary
from apps.digests.summaries import period_last_finished

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]  # the demo world: ~10 s


def test_the_demo_summary_shows_a_trend_and_corroboration():
    call_command("load_demo", stdout=io.StringIO())
    summary = Summary.objects.get(federation__slug="isac-liaison")
    assert summary.period == str(period_last_finished())
    data = summary.data
    for community in data["communities"]:
        assert community["counted"], community["slug"]
        assert community["counts"]["total"] > 0 and community["previous"]["total"] > 0
        assert community["counts"] != community["previous"]
    assert [v["value"] for v in data["corroboration"]["values"]] == [
        "kabu-torihiki-login.example"]
    assert data["corroboration"]["others"] == [{"communities": 2, "organizations": 2}]
    assert {item["tlp"] for item in data["items"]} == {"GREEN", "CLEAR"}
    assert any(item["source"] is None for item in data["items"])
    call_command("load_demo", stdout=io.StringIO())  # again: the same summary
    assert Summary.objects.get().data == data
