"""What the TAXII tests share: a client that speaks TAXII as one user, and incidents."""

import base64
import json

from apps.accounts.services import token_issue
from apps.communities.models import Community
from apps.incidents.services import incident_create
from apps.interop.markings import marking_ref
from apps.interop.taxii.collections import API_ROOT, collection_id

TAXII = "application/taxii+json;version=2.1"
ROOT = f"/taxii2/{API_ROOT}/"


def incident(author, tlp, community=None, **fields):
    community = community or Community.objects.get(slug="fin-isac")
    fields.setdefault("title", f"{tlp} phishing wave")
    fields.setdefault("category", "phishing")
    fields.setdefault("summary", "A phishing wave against our customers.")
    return incident_create(author=author, community=community, tlp=tlp, **fields)


def objects_url(community) -> str:
    return f"{ROOT}collections/{collection_id(community)}/objects/"


class Taxii:
    """A Django test client that sends one user's token (``Token``, ``Bearer`` or Basic)."""

    def __init__(self, client, user, scheme: str = "Token"):
        self.client = client
        self.user = user
        _token, self.key = token_issue(user=user, name="taxii tests")
        if scheme == "Basic":
            pair = base64.b64encode(f"{user.email}:{self.key}".encode()).decode()
            self.authorization = f"Basic {pair}"
        else:
            self.authorization = f"{scheme} {self.key}"

    def get(self, path, accept=TAXII, **params):
        headers = {"HTTP_AUTHORIZATION": self.authorization}
        if accept is not None:
            headers["HTTP_ACCEPT"] = accept
        return self.client.get(path, params, **headers)

    def post(self, path, body, content_type=TAXII, accept=TAXII):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(path, data, content_type=content_type,
                                HTTP_AUTHORIZATION=self.authorization, HTTP_ACCEPT=accept)

    def delete(self, path):
        return self.client.delete(path, HTTP_AUTHORIZATION=self.authorization,
                                  HTTP_ACCEPT=TAXII)

    def all_objects(self, community, limit=2, **params) -> list[dict]:
        """Every page of a collection's objects, following ``next``."""
        found, after = [], None
        while True:
            query = {"limit": limit, **params, **({"next": after} if after else {})}
            answer = self.get(objects_url(community), **query)
            assert answer.status_code == 200, answer.content
            body = answer.json()
            found.extend(body.get("objects", []))
            if not body["more"]:
                return found
            after = body["next"]


def indicator_object(value_pattern: str, label: str | None = "GREEN", **extra) -> dict:
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": extra.pop("id", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
        "created": "2024-05-01T09:00:00.000Z",
        "modified": "2024-05-01T09:00:00.000Z",
        "pattern": value_pattern,
        "pattern_type": "stix",
        "valid_from": "2024-05-01T09:00:00Z",
    }
    if label:
        obj["object_marking_refs"] = [marking_ref(label)]
    obj.update(extra)
    return obj
