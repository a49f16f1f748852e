"""The forms of the STIX / MISP import: the upload, and the reviewed indicators of a draft
(the incident itself is reviewed in `apps.incidents.forms.IncidentForm`, its audience in
`apps.sharing.forms.AudienceForm`, exactly as on the incident create page)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.incidents.indicators import IndicatorType, indicator_normalize


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("STIX 2.1 bundle or MISP event (JSON)"),
        help_text=_("A UTF-8 JSON file of at most 10 MB. Nothing is shared until you have "
                    "reviewed it."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


class IndicatorRowForm(forms.Form):
    """One indicator read from the file, as the author keeps, corrects or removes it."""

    type = forms.ChoiceField(label=_("type"), choices=IndicatorType.choices)
    value = forms.CharField(label=_("value"), max_length=2048,
                            widget=forms.TextInput(attrs={"spellcheck": "false"}))
    note = forms.CharField(label=_("note"), required=False, max_length=2000)
    remove = forms.BooleanField(label=_("remove"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("remove") or not data.get("type") or not data.get("value"):
            return data
        try:
            data["value"] = indicator_normalize(data["type"], data["value"])
        except ValidationError as error:
            self.add_error("value", error)
        return data


IndicatorRowFormSet = forms.formset_factory(IndicatorRowForm, extra=0, max_num=1000,
                                            absolute_max=1000, validate_max=True)
