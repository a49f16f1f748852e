"""TLP labels as STIX 2.1 marking definitions and MISP tags, both ways.

Out, every object carries the TLP 2.0 marking definition of its label, with the ids and the
object OASIS publishes (cti-stix-common-objects, extension-definition--60a3c5c5…). In, the
TLP 2.0 and TLP 1.0 ids are understood (TLP 1.0 WHITE is read as CLEAR), and so are MISP's
`tlp:` tags. Nothing here decides who may see what: that is `apps.sharing`."""

from apps.sharing.tlp import TLP

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"

TLP2_IDS = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# STIX 2.1's own TLP 1.0 markings (section 7.2.1.4), read on import only.
TLP1_IDS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}
LABEL_OF_MARKING = {**{marking: label for label, marking in TLP2_IDS.items()}, **TLP1_IDS}

# MISP tags (taxonomy "tlp"), lower-cased; TLP 1.0 "white" and the 2.0 "clear" alike.
MISP_TAGS = {
    "tlp:clear": TLP.CLEAR, "tlp:white": TLP.CLEAR, "tlp:green": TLP.GREEN,
    "tlp:amber": TLP.AMBER, "tlp:amber+strict": TLP.AMBER_STRICT, "tlp:red": TLP.RED,
}


def marking_ref(label: str) -> str:
    """The TLP 2.0 marking-definition id of ``label``."""
    return TLP2_IDS[TLP(label)]


def marking_definition(label: str) -> dict:
    """The TLP 2.0 marking-definition object of ``label``, exactly as OASIS publishes it."""
    label = TLP(label)
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[label],
        "created": TLP2_CREATED,
        "name": f"TLP:{label.value}",
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension",
                                        "tlp_2_0": label.value.lower()}},
    }


def label_of_markings(refs) -> TLP | None:
    """The label of an object from its ``object_marking_refs``: the most restrictive TLP
    marking among them (an object marked twice is read the stricter way), None when it
    carries no TLP marking."""
    labels = [LABEL_OF_MARKING[ref] for ref in refs or () if ref in LABEL_OF_MARKING]
    return max(labels, key=lambda label: label.rank) if labels else None


def label_of_misp_tags(names) -> TLP | None:
    """The label of a MISP event or attribute from its tag names (the stricter of several)."""
    labels = [MISP_TAGS[name.strip().lower()] for name in names or ()
              if name.strip().lower() in MISP_TAGS]
    return max(labels, key=lambda label: label.rank) if labels else None

