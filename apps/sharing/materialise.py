"""The materialised audience (`AudienceRow`): written from an item's grants, never by hand.

`audience_rows_write` is called by `services._grant` in the same transaction as guardian's
rows, so the two never disagree; `audience_rebuild` derives every row of a content model from
its grant tables in one INSERT … SELECT (migrations, bulk-loaded worlds, repairs).
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from apps.sharing.models import AudienceRow, permission_models, view_codename
from apps.sharing.tlp import TLP


def audience_rows_write(item, *, group_ids, user_ids) -> None:
    """Replace ``item``'s audience rows: one per group grant, one per user grant, and one
    public row when the item is TLP:CLEAR (it has no grants then)."""
    content_type = ContentType.objects.get_for_model(type(item))
    AudienceRow.objects.filter(content_type=content_type, object_id=item.pk).delete()
    common = {
        "content_type": content_type,
        "object_id": item.pk,
        "community_id": item.community_id,
        "position": getattr(item, item.list_position),
    }
    if item.tlp == TLP.CLEAR:
        rows = [AudienceRow(**common)]
    else:
        rows = [AudienceRow(group_id=pk, **common) for pk in sorted(group_ids)]
        rows += [AudienceRow(user_id=pk, **common) for pk in sorted(user_ids)]
    AudienceRow.objects.bulk_create(rows)


def audience_reposition(item) -> None:
    """Move ``item`` in the lists after its list position changed (a thread's last post)."""
    AudienceRow.objects.filter(
        content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk
    ).update(position=getattr(item, item.list_position))


def rebuild_sql(*, content_type_id: int, permission_id: int, item_table: str,
                user_grant_table: str, group_grant_table: str, position_column: str) -> None:
    """Replace every audience row of one content type by what its grant tables say. Plain
    table names, so a data migration can call it without the live models."""
    quote = connection.ops.quote_name
    item, users, groups = map(quote, (item_table, user_grant_table, group_grant_table))
    position = quote(position_column)
    insert = (
        f"INSERT INTO {quote(AudienceRow._meta.db_table)} "
        "(content_type_id, object_id, community_id, group_id, user_id, position) "
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(AudienceRow._meta.db_table)} WHERE content_type_id = %s",
            [content_type_id],
        )
        cursor.execute(
            insert + f"SELECT %s, i.id, i.community_id, g.group_id, NULL, i.{position} "
            f"FROM {groups} g JOIN {item} i ON i.id = g.content_object_id "
            "WHERE g.permission_id = %s AND i.tlp <> %s",
            [content_type_id, permission_id, TLP.CLEAR.value],
        )
        cursor.execute(
            insert + f"SELECT %s, i.id, i.community_id, NULL, u.user_id, i.{position} "
            f"FROM {users} u JOIN {item} i ON i.id = u.content_object_id "
            "WHERE u.permission_id = %s AND i.tlp <> %s",
            [content_type_id, permission_id, TLP.CLEAR.value],
        )
        cursor.execute(
            insert + f"SELECT %s, i.id, i.community_id, NULL, NULL, i.{position} "
            f"FROM {item} i WHERE i.tlp = %s",
            [content_type_id, TLP.CLEAR.value],
        )


def audience_rebuild(model) -> None:
    """Derive every audience row of ``model`` from its grants (see `rebuild_sql`)."""
    user_perms, group_perms = permission_models(model)
    content_type = ContentType.objects.get_for_model(model)
    permission = Permission.objects.get(content_type=content_type, codename=view_codename(model))
    rebuild_sql(
        content_type_id=content_type.pk,
        permission_id=permission.pk,
        item_table=model._meta.db_table,
        user_grant_table=user_perms._meta.db_table,
        group_grant_table=group_perms._meta.db_table,
        position_column=model._meta.get_field(model.list_position).column,
    )


def rebuild_operation(app_label: str, model_name: str, position_column: str):
    """A data migration that materialises the audience of one content model from its
    grants (`rebuild_sql`), through the migration's historical models."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        content_type_model = apps.get_model("contenttypes", "ContentType")
        permission_model = apps.get_model("auth", "Permission")
        model = apps.get_model(app_label, model_name)
        name = model._meta.model_name
        content_type, _ = content_type_model.objects.get_or_create(
            app_label=app_label, model=name
        )
        permission, _ = permission_model.objects.get_or_create(
            content_type=content_type, codename=f"view_{name}",
            defaults={"name": f"Can view {name}"},
        )
        rebuild_sql(
            content_type_id=content_type.pk,
            permission_id=permission.pk,
            item_table=model._meta.db_table,
            user_grant_table=apps.get_model(
                app_label, f"{model_name}UserObjectPermission")._meta.db_table,
            group_grant_table=apps.get_model(
                app_label, f"{model_name}GroupObjectPermission")._meta.db_table,
            position_column=position_column,
        )

    return migrations.RunPython(forwards, migrations.RunPython.noop)
