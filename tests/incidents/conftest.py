"""Fixtures of the incidents domain and API tests (the cast comes from tests/conftest.py)."""

from pathlib import Path

import pytest

from apps.incidents.attack import catalogue_load, records_from_bundle
from apps.incidents.models import AttackTechnique
from apps.incidents.services import incident_create

MINI_BUNDLE = Path(__file__).parent / "data" / "mini-enterprise-attack.json"


@pytest.fixture
def techniques(db):
    """Only a handful of ATT&CK techniques, from a small STIX bundle, instead of the shipped
    catalogue that migrate loads: what a test finds is what it chose."""
    AttackTechnique.objects.all().delete()
    catalogue_load(records_from_bundle(MINI_BUNDLE))



@pytest.fixture
def incident_for(community, techniques):
    """incident_for(author, tlp, **fields and choice) -> a new incident in fin-isac."""

    def make(author, tlp, **choice):
        choice.setdefault("community", community)
        choice.setdefault("title", f"{tlp} ransomware")
        choice.setdefault("category", "ransomware")
        choice.setdefault("summary", "ランサムウェアの感染を確認しました。")
        return incident_create(author=author, tlp=tlp, **choice)

    return make
