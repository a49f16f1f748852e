"""The secretariat's page for its community's incident desk (/c/<slug>/manage/desk/)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from apps.communities.desk import desk_of, incident_desk_update
from apps.communities.models import Membership, MembershipStatus
from apps.communities.views import SecretariatMixin
from portal.forms import add_refusal


class IncidentDeskForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=gettext_lazy("People at the desk"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Members of the community who receive each report (TLP:RED)."),
    )
    email = forms.EmailField(
        label=gettext_lazy("Desk e-mail address"), required=False,
        help_text=gettext_lazy("Told of each report by a count only, never its content."),
    )
    phone = forms.CharField(label=gettext_lazy("Desk phone number"), max_length=40,
                            required=False)
    hours = forms.CharField(
        label=gettext_lazy("Hours"), max_length=200, required=False,
        help_text=gettext_lazy("When the desk answers, e.g. weekdays 9:00–18:00 JST."),
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        active = Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
        self.fields["people"].queryset = get_user_model().objects.filter(
            pk__in=active.values("user_id")).order_by("display_name", "email")


class IncidentDeskView(SecretariatMixin, FormView):
    """Who the "report an incident now" action reaches; each change is in the audit trail."""

    template_name = "communities/manage/desk.html"
    form_class = IncidentDeskForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["community"] = self.community
        return kwargs

    def get_initial(self):
        desk = desk_of(self.community)
        if desk is None:
            return {}
        return {"people": list(desk.people.all()), "email": desk.email, "phone": desk.phone,
                "hours": desk.hours}

    def form_valid(self, form):
        try:
            changed = incident_desk_update(community=self.community, actor=self.request.user,
                                           **form.cleaned_data)
        except ValidationError as error:
            add_refusal(error, form)
            return self.form_invalid(form)
        messages.success(self.request, _("The incident desk is saved.") if changed
                         else _("Nothing was changed."))
        return redirect("communities:desk", self.community.slug)
