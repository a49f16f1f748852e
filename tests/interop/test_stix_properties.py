"""Hypothesis-generated incidents (labels, indicator types and values with quotes and
backslashes, ATT&CK techniques, anonymity, sightings) always export as a bundle that
stix2-validator accepts, and an anonymous one never names its source."""

import json

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from stix2validator import ValidationOptions, validate_instance

from apps.incidents.indicators import IndicatorType, indicator_normalize
from apps.incidents.models import AttackTechnique, Indicator
from apps.incidents.services import incident_create, sighting_add
from apps.interop.stix import (
    bundle,
    incident_export,
    organization_identity_id,
    secretariat_identity_id,
)
from apps.sharing.tlp import TLP
from tests.conftest import _member
from tests.factories import AgreementFactory, CommunityFactory, OrganizationFactory

OPTIONS = ValidationOptions(strict=False)

_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
_DOMAIN = st.builds(lambda labels, tld: ".".join([*labels, tld]),
                    st.lists(_LABEL, min_size=1, max_size=3), st.sampled_from(["jp", "example"]))
_TRICKY = st.text(alphabet=st.sampled_from("ab'\\\"/?=&%日本"), min_size=0, max_size=12)
_HEX = "0123456789abcdef"

VALUES = {
    IndicatorType.IPV4: st.ip_addresses(v=4).map(str),
    IndicatorType.IPV6: st.ip_addresses(v=6).map(str),
    IndicatorType.DOMAIN: _DOMAIN,
    IndicatorType.URL: st.builds(lambda scheme, host, path: f"{scheme}://{host}/{path}",
                                 st.sampled_from(["http", "https", "ftp"]), _DOMAIN, _TRICKY),
    IndicatorType.EMAIL: st.builds(lambda local, host: f"{local}@{host}",
                                   st.from_regex(r"[a-z0-9.'_+\\-]{1,12}", fullmatch=True),
                                   _DOMAIN),
    IndicatorType.FILE_NAME: st.text(alphabet=st.sampled_from("ab.'\"請求書 _-"), min_size=1,
                                     max_size=20),
    IndicatorType.MD5: st.text(alphabet=_HEX, min_size=32, max_size=32),
    IndicatorType.SHA1: st.text(alphabet=_HEX, min_size=40, max_size=40),
    IndicatorType.SHA256: st.text(alphabet=_HEX, min_size=64, max_size=64),
    IndicatorType.CVE: st.builds(lambda year, n: f"CVE-{year}-{n:04d}",
                                 st.integers(1999, 2030), st.integers(1, 9_999_999)),
}
INDICATORS = st.one_of(*(st.tuples(st.just(kind), values) for kind, values in VALUES.items()))

INCIDENTS = st.fixed_dictionaries({
    "tlp": st.sampled_from(list(TLP)),
    "anonymous": st.booleans(),
    "indicators": st.lists(INDICATORS, max_size=6),
    "techniques": st.integers(0, 3),
    "sightings": st.lists(st.booleans(), max_size=2),  # show the organisation or not
    "summary": st.text(max_size=80),
})


class GeneratedIncidentsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.community = CommunityFactory(slug="gen-isac", name="生成ISAC", name_en="Gen ISAC")
        AgreementFactory(community=cls.community)
        cls.org_a = OrganizationFactory(slug="gen-a", name="アルファ生成", name_en="Alpha Gen")
        cls.org_b = OrganizationFactory(slug="gen-b", name="ベータ生成", name_en="Beta Gen")
        cls.alice = _member(cls.community, "alice@gen.example.jp", cls.org_a)
        cls.bob = _member(cls.community, "bob@gen.example.jp", cls.org_b)
        cls.techniques = list(AttackTechnique.objects.filter(deprecated=False)
                              .values_list("id", flat=True)[:50])

    def share(self, spec, draw_technique) -> object:
        tlp = spec["tlp"]
        incident = incident_create(
            author=self.alice, community=self.community, title="生成 'quoted' \\ title",
            category="other", summary=spec["summary"], tlp=tlp, anonymous=spec["anonymous"],
            users=[self.bob.pk] if tlp == TLP.RED else None,
            techniques=[draw_technique() for _ in range(spec["techniques"])]
            if self.techniques else [],
        )
        seen = set()
        for kind, value in spec["indicators"]:
            try:
                value = indicator_normalize(kind, value)
            except ValidationError:
                continue  # not a value the portal accepts at all
            if (kind, value) in seen:
                continue
            seen.add((kind, value))
            Indicator.objects.create(community=self.community, incident=incident, type=kind,
                                     value=value, created_by=self.alice)
        for show in spec["sightings"][:1]:
            sighting_add(user=self.bob, incident=incident, show_organization=show)
        return incident

    @settings(max_examples=40)
    @given(spec=INCIDENTS, data=st.data())
    def test_generated_incidents_always_validate(self, spec, data):
        def draw_technique():
            return data.draw(st.sampled_from(self.techniques))

        incident = self.share(spec, draw_technique)
        for viewer in (self.alice, self.bob):
            result = incident_export([incident], viewer)
            exported = bundle(result.entries)
            results = validate_instance(exported, OPTIONS)
            assert results.is_valid, [str(error) for error in results.errors]
            # Only what cannot be a pattern is skipped, and nothing the portal accepts is.
            assert not result.skipped
            text = json.dumps(exported, ensure_ascii=False)
            if spec["anonymous"]:
                assert self.org_a.name not in text and self.org_a.name_en not in text
                assert organization_identity_id(self.org_a) not in text
                assert secretariat_identity_id(self.community) in text
            else:
                assert organization_identity_id(self.org_a) in text
