from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Language
from apps.communities.models import Community, Organization, Role, Sector


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.all(), required=False,
        help_text=_("Pick an organisation, or add a new one below."),
    )
    new_organization_name = forms.CharField(label=_("New organisation (name)"), max_length=200,
                                            required=False)
    new_organization_slug = forms.SlugField(label=_("New organisation (short id)"),
                                            max_length=60, required=False)
    new_organization_sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices,
                                                required=False, initial=Sector.OTHER)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=Language.choices)

    def clean(self):
        data = super().clean()
        if data.get("organization") and data.get("new_organization_name"):
            raise forms.ValidationError(
                _("Pick an existing organisation or name a new one, not both."))
        if not data.get("organization"):
            name, slug = data.get("new_organization_name"), data.get("new_organization_slug")
            if not name or not slug:
                raise forms.ValidationError(
                    _("Pick an organisation, or give the name and short id of a new one."))
            if Organization.objects.filter(slug=slug).exists():
                self.add_error("new_organization_slug",
                               _("An organisation with this short id already exists."))
        return data


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: email, name, organization, role, language. "
                    "UTF-8 or Shift_JIS (Excel)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class SetPasswordAcceptForm(forms.Form):
    """For an invitee without an account yet: name, language and a password."""

    display_name = forms.CharField(label=_("Display name"), max_length=150)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput,
                                strip=False)
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput,
                                strip=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AgreementAcceptForm(forms.Form):
    accept_agreement = forms.BooleanField(
        label=_("I have read and accept this agreement."), required=True,
        error_messages={"required": _("You must accept the agreement to take part.")},
    )
    acknowledge_briefing = forms.BooleanField(
        label=_("I have read the TLP briefing and will handle information accordingly."),
        required=True,
        error_messages={"required": _("Please confirm that you have read the TLP briefing.")},
    )

    def __init__(self, *args, has_agreement=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_agreement:
            del self.fields["accept_agreement"]


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "name_en", "slug", "sector", "website"]


class AgreementPublishForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 14}))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class CommunitySettingsForm(forms.ModelForm):
    """What the secretariat decides for its community: who is admitted how, what e-mail may
    say of TLP:AMBER items, whether its counts go into the federation's summary."""

    class Meta:
        model = Community
        fields = ["default_language", "requires_approval", "amber_titles_in_email",
                  "counts_in_federation_summary"]


class MembershipDecisionForm(forms.Form):
    """Suspending, removing or changing the role of a member is confirmed with a reason,
    which the member reads in the e-mail that tells them and the audit trail keeps."""

    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the member by e-mail and kept in the audit trail."),
    )
