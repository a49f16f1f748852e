"""The ATT&CK catalogue is loaded offline and refreshed idempotently from a STIX bundle."""

import json

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS

from apps.incidents.attack import (
    catalogue_after_migrate,
    records_from_bundle,
    records_from_package,
    technique_id_validate,
)
from apps.incidents.models import AttackTechnique
from apps.incidents.selectors import techniques_for_picker
from tests.incidents.conftest import MINI_BUNDLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_catalogue(db):
    AttackTechnique.objects.all().delete()


def test_the_shipped_catalogue_has_the_enterprise_techniques_offline():
    records = {record.id: record for record in records_from_package()}
    assert len(records) > 600
    assert records["T1566.001"].name == "Spearphishing Attachment"
    assert records["T1566.001"].tactics == ("initial-access",)
    assert records["T1002"].deprecated  # revoked by MITRE


def test_load_attack_from_a_bundle_is_idempotent_and_bulk(
    empty_catalogue, django_assert_max_num_queries, capsys
):
    call_command("load_attack", bundle=str(MINI_BUNDLE))
    assert "5 created" in capsys.readouterr().out
    assert AttackTechnique.objects.get(pk="T1078").tactic_list == [
        "defense-evasion",
        "persistence",
        "initial-access",
    ]
    assert AttackTechnique.objects.get(pk="T1002").deprecated
    assert AttackTechnique.objects.get(pk="T1566.001").is_subtechnique
    with django_assert_max_num_queries(6):
        call_command("load_attack", bundle=str(MINI_BUNDLE))
    assert "0 created, 0 updated, 5 unchanged" in capsys.readouterr().out


def test_a_newer_bundle_updates_names_and_deprecations(tmp_path, capsys):
    call_command("load_attack", bundle=str(MINI_BUNDLE))
    bundle = json.loads(MINI_BUNDLE.read_text())
    for obj in bundle["objects"]:
        if obj.get("name") == "Phishing":
            obj["name"] = "Phishing (renamed)"
            obj["x_mitre_deprecated"] = True
    newer = tmp_path / "enterprise-attack.json"
    newer.write_text(json.dumps(bundle))
    call_command("load_attack", bundle=str(newer))
    assert "0 created, 1 updated" in capsys.readouterr().out
    phishing = AttackTechnique.objects.get(pk="T1566")
    assert (phishing.name, phishing.deprecated) == ("Phishing (renamed)", True)


def test_a_file_that_is_not_a_bundle_is_refused(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"type": "indicator"}')
    with pytest.raises(CommandError):
        call_command("load_attack", bundle=str(bad))


def test_a_database_built_without_migrations_has_the_shipped_catalogue():
    # The suite builds its database with --no-migrations: post_migrate loaded it.
    offered = techniques_for_picker()
    assert offered.filter(pk="T1486").exists()
    assert not offered.filter(pk="T1002").exists()  # revoked: not offered


def test_the_picker_only_reads(empty_catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert list(techniques_for_picker()) == []
    assert not AttackTechnique.objects.exists()


def test_migrate_fills_an_empty_catalogue_and_leaves_a_full_one_alone(
    empty_catalogue, django_assert_num_queries
):
    catalogue_after_migrate(apps=django_apps, using=DEFAULT_DB_ALIAS)
    assert AttackTechnique.objects.filter(pk="T1486").exists()
    with django_assert_num_queries(1):
        catalogue_after_migrate(apps=django_apps, using=DEFAULT_DB_ALIAS)


@pytest.mark.parametrize("value", ["t1566", " T1566.001 "])
def test_technique_ids_are_validated_and_normalised(value):
    assert technique_id_validate(value) == value.strip().upper()


@pytest.mark.parametrize("value", ["1566", "T156", "T1566.1", "TA0001", "phishing"])
def test_anything_else_is_not_a_technique_id(value):
    with pytest.raises(ValidationError):
        technique_id_validate(value)


def test_an_incident_shows_its_techniques_with_names(incident_for, alice):
    incident = incident_for(alice, "GREEN", techniques=["t1566.001", "T1486"])
    assert [str(t) for t in incident.techniques.all()] == [
        "T1486 Data Encrypted for Impact",
        "T1566.001 Spearphishing Attachment",
    ]
    with pytest.raises(ValidationError) as error:
        incident_for(alice, "GREEN", techniques=["T9999"])
    assert "T9999" in error.value.message_dict["techniques"][0]
    with pytest.raises(ValidationError):
        incident_for(alice, "GREEN", techniques=["T1002"])  # revoked


def test_bundle_records_skip_non_attack_patterns():
    assert sorted(r.id for r in records_from_bundle(MINI_BUNDLE)) == [
        "T1002",
        "T1078",
        "T1486",
        "T1566",
        "T1566.001",
    ]
