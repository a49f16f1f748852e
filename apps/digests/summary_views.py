"""The federation summary's pages: the list of a federation's summaries and one summary,
for active members of the federation's communities (liaisons among them); anyone else gets
404, as for a federation that does not exist. What they show is `summaries.summary_document`
— the stored summary narrowed by `sharing` at the moment it is read."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.communities.models import Federation, Sector
from apps.digests.models import Summary
from apps.digests.summaries import (
    DIMENSIONS,
    period_parse,
    summary_document,
    summary_for,
    summary_readable_by,
)
from apps.digests.summary_charts import Bar, bar_chart
from apps.incidents.indicators import IndicatorType
from apps.incidents.models import Category, Intent
from apps.sharing.exposure import defang as defang_value

CHOICES = {"category": Category, "intent": Intent, "sector": Sector}


def display_name(names: dict | None) -> str:
    """A stored {name, name_en} in the reader's language."""
    if not names:
        return ""
    if names.get("name_en") and (get_language() or "ja").startswith("en"):
        return names["name_en"]
    return names.get("name", "")


def _choice_label(dimension: str, key: str, techniques: dict) -> str:
    if dimension == "technique":
        name = techniques.get(key)
        return f"{key} {name}" if name else key
    try:
        return str(CHOICES[dimension](key).label)
    except ValueError:
        return key


def _rows(dimension: str, current: dict, previous: dict, techniques: dict) -> list[dict]:
    """Each key counted in either period, most frequent now first."""
    keys = set(current) | set(previous)
    rows = [{"key": key, "label": _choice_label(dimension, key, techniques),
             "current": current.get(key, 0), "previous": previous.get(key, 0)} for key in keys]
    return sorted(rows, key=lambda row: (-row["current"], -row["previous"], row["label"]))


def _period_label(document: dict, which: str) -> str:
    period = document["period"]["id"] if which == "current" else document["period"]["previous"]
    return period_parse(period).label()


def summary_context(summary: Summary, document: dict, *, charts: bool = True) -> dict:
    """What the page and the e-mails show of a document, in the active language."""
    techniques = document.get("techniques", {})
    titles = {"category": _("Category"), "intent": _("Apparent intent"),
              "sector": _("Sector"), "technique": _("ATT&CK technique")}
    names = {c["slug"]: display_name(c) for c in document["communities"]}
    communities, totals_now, totals_then = [], {}, {}
    for community in document["communities"]:
        entry = {"slug": community["slug"], "name": names[community["slug"]],
                 "counted": community["counted"]}
        if community["counted"]:
            now, then = community["counts"], community["previous"]
            entry.update(current=now["total"], previous=then["total"],
                         delta=now["total"] - then["total"],
                         shows_counts=bool(now["total"] or then["total"]), dimensions=[
                             {"key": dimension, "title": titles[dimension],
                              "rows": _rows(dimension, now[dimension], then[dimension],
                                            techniques)}
                             for dimension in DIMENSIONS])
            for key, n in now["category"].items():
                totals_now[key] = totals_now.get(key, 0) + n
            for key, n in then["category"].items():
                totals_then[key] = totals_then.get(key, 0) + n
        communities.append(entry)
    categories = _rows("category", totals_now, totals_then, techniques)
    items = []
    for item in document["items"]:
        items.append({**item, "community_name": names.get(item["community"], item["community"]),
                      "source_name": (display_name(item["source"]) if item["source"]
                                      else _("via the secretariat")),
                      "created": parse_datetime(item["created_at"])})
    corroboration = document["corroboration"]
    values = [{**value, "type_label": _indicator_type(value["type"]),
               "defanged": defang(value["type"], value["value"])}
              for value in corroboration["values"]]
    current_label, previous_label = (_period_label(document, "current"),
                                     _period_label(document, "previous"))
    context = {
        "summary": summary,
        "document": document,
        "federation_name": display_name(document["federation"]),
        "period_label": current_label,
        "previous_label": previous_label,
        "communities": communities,
        "categories": categories,
        "items": items,
        "corroborated": values,
        "corroborated_counts": corroboration["others"],
    }
    if charts:
        counted = [c for c in communities if c["counted"]]
        context["community_chart"] = bar_chart(
            [Bar(c["name"], c["previous"], c["current"]) for c in counted],
            title=_("New incidents per community"), previous_label=previous_label,
            current_label=current_label)
        context["category_chart"] = bar_chart(
            [Bar(row["label"], row["previous"], row["current"]) for row in categories],
            title=_("New incidents per category"), previous_label=previous_label,
            current_label=current_label)
    return context


def defang(kind: str, value: str) -> str:
    """A value made unclickable for e-mail (``hxxps://evil[.]example``): the portal's one
    defanging (`apps.sharing.exposure.defang`), which its lookup reads back with `refang`."""
    return defang_value(value)


def _indicator_type(kind: str) -> str:
    try:
        return str(IndicatorType(kind).label)
    except ValueError:
        return kind


class FederationSummaryMixin(LoginRequiredMixin):
    """Finds the federation of the URL, for a reader of its summaries only (else 404)."""

    federation: Federation

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        federation = Federation.objects.filter(slug=kwargs["slug"]).first()
        if federation is None or not summary_readable_by(request.user, federation):
            raise Http404
        self.federation = federation
        return super().dispatch(request, *args, **kwargs)


class SummaryListView(FederationSummaryMixin, TemplateView):
    template_name = "digests/summaries/list.html"

    def get_context_data(self, **kwargs):
        summaries = list(Summary.objects.filter(federation=self.federation)
                         .defer("data").order_by("-period"))
        for summary in summaries:
            try:
                summary.label = period_parse(summary.period).label()
            except ValidationError:
                summary.label = summary.period
        return super().get_context_data(
            federation=self.federation, summaries=summaries, **kwargs)


class SummaryDetailView(FederationSummaryMixin, TemplateView):
    template_name = "digests/summaries/detail.html"

    def get_context_data(self, **kwargs):
        try:
            period = period_parse(self.kwargs["period"])
        except ValidationError:
            raise Http404 from None
        summary = summary_for(self.federation, str(period))
        if summary is None:
            raise Http404
        return super().get_context_data(
            federation=self.federation,
            **summary_context(summary, summary_document(summary)), **kwargs)
