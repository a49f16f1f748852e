"""The one place that decides who sees what (TLP 2.0 over django-guardian).

Write:  services.audience_set(*, item, actor, tlp, organizations=None, users=None,
                              federated=False)
        services.author_membership(*, author, community)
        services.anonymity_set(*, item, actor, anonymous)  (naming the source: author only)
        services.audience_actor_check(*, item, actor)
Read:   selectors.visible_to(user, queryset), selectors.can_view(user, obj),
        selectors.audience_count(*, community, author, tlp, organizations=None, users=None,
                                 federated=False),
        selectors.recipients_of(item), selectors.source_label(item, viewer),
        selectors.source_organization(item, viewer), selectors.source_organizations(items, viewer)
Audit:  auditing.item_viewed(*, item, viewer) from every detail page and API read (AMBER,
        AMBER+STRICT, RED); audience changes and shown anonymous sources record themselves
Labels: tlp.TLP (label, rank, colour, handling), tlp.parse_tlp(text)
Models: models.SharedContent (abstract), models.AudienceChange (the record)
"""
