"""Membership changes made in the admin go to the audit trail like any other: a single save
or delete (`MembershipAuditMixin`), "delete selected" (a bulk delete that skips
`Membership.delete()`), and the membership inline on a community's page
(`AuditedMembershipFormSet`)."""

from django.db import transaction
from django.forms.models import BaseInlineFormSet

from apps.audit.services import record_all
from apps.communities.auditing import (
    membership_events,
    membership_record,
    membership_state,
    membership_states,
)

VIA = "admin"


class MembershipAuditMixin:
    """For a ModelAdmin of Membership; put it before ``admin.ModelAdmin``."""

    def save_model(self, request, obj, form, change):
        # The form has already changed ``obj``: read what was stored.
        before = membership_states([obj.pk]).get(obj.pk) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        membership_record(before=before, membership=obj, actor=request.user, via=VIA)

    def delete_model(self, request, obj):
        events = membership_events(before=membership_state(obj), after=None, membership=obj,
                                   actor=request.user, via=VIA)
        with transaction.atomic():
            super().delete_model(request, obj)
            record_all(events)

    def delete_queryset(self, request, queryset):
        events = [
            event
            for membership in queryset.select_related("user", "community", "organization")
            for event in membership_events(before=membership_state(membership), after=None,
                                           membership=membership, actor=request.user, via=VIA)
        ]
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            record_all(events)


class AuditedMembershipFormSet(BaseInlineFormSet):
    """The membership inline's formset: records what its save added, changed and deleted.
    ``audit_actor`` is set per request by the inline's ``get_formset``."""

    audit_actor = None

    def save(self, commit=True):
        if not commit:  # the caller saves the objects; nothing is written here to record
            return super().save(commit)
        before = membership_states(
            form.instance.pk for form in self.initial_forms if form.instance.pk
        )
        events = [
            event
            for form in self.deleted_forms
            if form.instance.pk in before
            for event in membership_events(before=before[form.instance.pk], after=None,
                                           membership=form.instance, actor=self.audit_actor,
                                           via=VIA)
        ]
        saved = super().save(commit)
        for membership in self.new_objects:
            events += membership_events(before=None, after=membership_state(membership),
                                        membership=membership, actor=self.audit_actor, via=VIA)
        for membership, _fields in self.changed_objects:
            events += membership_events(before=before.get(membership.pk),
                                        after=membership_state(membership),
                                        membership=membership, actor=self.audit_actor, via=VIA)
        record_all(events)
        return saved


class MembershipInlineAuditMixin:
    """For an InlineModelAdmin of Membership; put it before ``admin.TabularInline``."""

    formset = AuditedMembershipFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.audit_actor = request.user  # the factory made this class for this request
        return formset
