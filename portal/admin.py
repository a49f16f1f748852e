"""What every Renkei admin page shares. The admin is an operator's tool, not a window onto
shared content: a superuser administers communities, organisations and memberships, but
reads incidents and discussions under the same rules as everyone, in the portal.

Django's delete confirmation lists every related object by its ``str()`` — the titles of
RED incidents, indicator values, anonymous threads next to their organisation. Here it
names only the objects being deleted and counts what goes (or stands in the way) with them,
per kind.
"""

from collections import Counter

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, model_ngettext, quote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.db import router
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def count_label(model, count: int) -> str:
    """ "3 incidents": a kind and how many, never which."""
    return _("%(count)d %(kind)s") % {"count": count, "kind": model_ngettext(model, count)}


def counts_by_kind(objects) -> list[str]:
    """One `count_label` per kind of object, in a stable order."""
    counter = Counter(type(obj) for obj in objects)
    return [
        count_label(model, n)
        for model, n in sorted(counter.items(), key=lambda pair: str(pair[0]._meta.verbose_name))
    ]


def _root_label(obj, model_admin) -> str:
    opts = obj._meta
    try:
        url = reverse(
            f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
            args=[quote(obj.pk)],
        )
    except NoReverseMatch:
        return f"{capfirst(opts.verbose_name)}: {obj}"
    return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)


def counted_deleted_objects(objs, request, model_admin):
    """`ModelAdmin.get_deleted_objects` without the window: the same four values Django's
    templates expect, but related objects (cascaded or protected) appear only as counts per
    kind. The objects being deleted are the operator's own (users, organisations, ...) and
    are named.

    Permission to delete follows the model permissions of every kind in the cascade (a
    superuser has them all) and the admin's own `has_delete_permission` for each object
    selected, so "delete selected" refuses what the single delete page refuses.
    """
    objs = list(objs)
    if not objs:
        return [], {}, set(), []
    collector = NestedObjects(using=router.db_for_write(objs[0]._meta.model), origin=objs)
    collector.collect(objs)

    perms_needed = set()
    for obj in objs:
        if not model_admin.has_delete_permission(request, obj):
            perms_needed.add(obj._meta.verbose_name)
    for model in collector.model_objs:
        opts = model._meta
        if model is model_admin.model or opts.auto_created:
            continue
        if not request.user.has_perm(f"{opts.app_label}.{get_permission_codename('delete', opts)}"):
            perms_needed.add(opts.verbose_name)

    roots = set(objs)
    seen = set(roots)
    to_delete: list = []
    for obj in objs:
        related = []
        stack = list(collector.edges.get(obj, ()))
        while stack:
            child = stack.pop()
            if child in seen:
                continue
            seen.add(child)
            if not child._meta.auto_created:  # many-to-many rows: bookkeeping, not kinds
                related.append(child)
            stack.extend(collector.edges.get(child, ()))
        to_delete.append(_root_label(obj, model_admin))
        if related:
            to_delete.append(counts_by_kind(related))

    model_count = {
        model._meta.verbose_name_plural: len(instances)
        for model, instances in collector.model_objs.items()
    }
    return to_delete, model_count, perms_needed, counts_by_kind(collector.protected)


class CountedDeletionMixin:
    """Delete confirmations (the delete page and the "delete selected" action, which both
    call `get_deleted_objects`) that count related objects instead of naming them."""

    def get_deleted_objects(self, objs, request):
        return counted_deleted_objects(objs, request, self)


class OperatorAdmin(CountedDeletionMixin, admin.ModelAdmin):
    """The base of every Renkei model admin."""


class ReadOnlyAdmin(OperatorAdmin):
    """Rows written by the portal alone (reference data, records): shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def operator_log(request, entries, admin_site=admin.site) -> list[dict]:
    """The "Recent actions" box without the window: each log entry as
    ``{"entry", "text", "url"}``, where an entry about an item the operator cannot see in
    the portal now — or about a model the admin no longer shows — says so instead of
    repeating the title recorded at the time. One query per kind of shared content."""
    by_model: dict = {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        by_model.setdefault(model, []).append(entry)
    told: dict = {}  # entry pk -> (shown, link allowed)
    for model, model_entries in by_model.items():
        model_admin = admin_site._registry.get(model) if model is not None else None
        if model_admin is None:
            told.update({entry.pk: (False, False) for entry in model_entries})
            continue
        if not getattr(model_admin, "scoped_to_viewer", False):
            told.update({entry.pk: (True, True) for entry in model_entries})
            continue
        keys = {}
        for entry in model_entries:
            try:
                keys[entry.pk] = model._meta.pk.to_python(entry.object_id)
            except (TypeError, ValueError, ValidationError):  # a malformed id names nothing
                keys[entry.pk] = None
        visible = set(
            model_admin.get_queryset(request)
            .filter(pk__in=[key for key in keys.values() if key is not None])
            .values_list("pk", flat=True)
        )
        told.update({pk: (key in visible, False) for pk, key in keys.items()})
    rows = []
    for entry in entries:
        shown, linked = told[entry.pk]
        rows.append(
            {
                "entry": entry,
                "text": entry.object_repr if shown else _("An item you cannot see in the portal"),
                "url": entry.get_admin_url() if shown and linked and not entry.is_deletion()
                else None,
            }
        )
    return rows
