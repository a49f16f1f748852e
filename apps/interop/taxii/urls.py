"""TAXII 2.1 at /taxii2/: discovery, one API root ("renkei"), a collection per community.

Paths end with a slash as the specification writes them; the slash is optional because
taxii2-client asks for a write's status without one."""

from django.urls import re_path

from apps.interop.taxii import views

app_name = "taxii"

_ROOT = r"(?P<root>[A-Za-z0-9_-]+)"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_COLLECTION = rf"{_ROOT}/collections/(?P<collection_id>{_UUID})"
_OBJECT = r"(?P<object_id>[a-z0-9][a-z0-9-]*--" + _UUID + ")"

urlpatterns = [
    re_path(r"^$", views.discovery, name="discovery"),
    re_path(rf"^{_ROOT}/?$", views.api_root, name="api_root"),
    re_path(rf"^{_ROOT}/status/(?P<status_id>{_UUID})/?$", views.status, name="status"),
    re_path(rf"^{_ROOT}/collections/?$", views.collections, name="collections"),
    re_path(rf"^{_COLLECTION}/?$", views.collection, name="collection"),
    re_path(rf"^{_COLLECTION}/objects/?$", views.objects, name="objects"),
    re_path(rf"^{_COLLECTION}/objects/{_OBJECT}/?$", views.object_detail, name="object"),
    re_path(rf"^{_COLLECTION}/objects/{_OBJECT}/versions/?$", views.object_versions,
            name="versions"),
    re_path(rf"^{_COLLECTION}/manifest/?$", views.manifest, name="manifest"),
]
