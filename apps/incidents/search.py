"""Text search over incidents, only among what the reader may see.

Order matters: `visible_to` narrows the queryset first, then the words are matched. Matching
is a plain substring test (``icontains``) on purpose: Japanese has no spaces between words, so
a tokenising full-text engine would miss ランサムウェア inside a sentence, while ``LIKE`` finds
it on SQLite and PostgreSQL alike. On PostgreSQL the same lookups can be served by pg_trgm GIN
indexes (see the README note of the incidents web part); the SQL does not change.

Extension point: other apps add what an incident can be found by (for example the posts of
its discussion thread) with `register_text_source`. A source receives the *reader* and must
only match text that reader may see — an incident must never be found through a post, an
indicator or a note that is hidden from them.
"""

from collections.abc import Callable

from django.apps import apps
from django.db.models import Q, QuerySet

from apps.sharing.selectors import visible_to

# A source: (reader, term) -> the ids of the incidents that text matches, as a one-column
# queryset (``.values("incident_id")``).
TextSource = Callable[[object, str], QuerySet]

_extra_sources: list[TextSource] = []

MAX_TERMS = 8
# Incidents found through other text that a search names by key; more stay a subquery.
LINKED_MAX = 1000


def register_text_source(source: TextSource) -> TextSource:
    """Let a higher app (discussions) make incidents findable by its text. Call it from that
    app's ``AppConfig.ready``; usable as a decorator. Registering twice is harmless."""
    if source not in _extra_sources:
        _extra_sources.append(source)
    return source


def _indicator_source(reader, term: str) -> QuerySet:
    """Indicator values. Indicators have no audience of their own: they are seen with their
    incident, and the incident queryset is narrowed to what the reader may see."""
    indicator = apps.get_model("incidents", "Indicator")
    return indicator.objects.filter(value__icontains=term).order_by().values("incident_id")


def _own_text(term: str) -> Q:
    """Title or summary: conditions on the incident itself, served by the trigram indexes."""
    return Q(title__icontains=term) | Q(summary__icontains=term)


def split_terms(text: str) -> list[str]:
    """Words separated by ASCII or ideographic spaces (U+3000); quotes keep a phrase
    together. Every term must match (AND), each in any of the sources (OR)."""
    text = (text or "").replace("\u3000", " ").strip()
    terms: list[str] = []
    for index, chunk in enumerate(text.split('"')):
        if index % 2:  # inside quotes
            if chunk.strip():
                terms.append(chunk.strip())
        else:
            terms.extend(chunk.split())
    return terms[:MAX_TERMS]


def text_match(queryset: QuerySet, text: str, *, reader) -> QuerySet:
    """Narrow an *already visible* incident queryset to those matching ``text``. Prefer
    `incident_search`, which applies visibility itself.

    Per term, the few incidents found through other text (indicator values, discussions)
    are read first, in one query; with them the match is conditions on the incident alone —
    one pass over the incidents that the trigram indexes and the key point to. An OR with a
    subquery would make PostgreSQL test every incident, and a subquery of all the matches
    would fetch each match twice."""
    for term in split_terms(text):
        first, *rest = [_indicator_source(reader, term),
                        *(source(reader, term) for source in _extra_sources)]
        found = first.union(*rest)
        linked = [row[0] for row in found.values_list("incident_id")[: LINKED_MAX + 1]]
        # Beyond a few, the ids stay a subquery rather than a statement of thousands of keys.
        linked = found if len(linked) > LINKED_MAX else linked
        queryset = queryset.filter(_own_text(term) | Q(pk__in=linked))
    return queryset


def incident_search(*, user, text: str, queryset: QuerySet | None = None) -> QuerySet:
    """Incidents that ``user`` may see and that match ``text`` (title, summary, indicator
    values, and any registered source). Visibility is applied first, always."""
    if queryset is None:
        queryset = apps.get_model("incidents", "Incident").objects.all()
    return text_match(visible_to(user, queryset), text, reader=user)
