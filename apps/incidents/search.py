"""Text search over incidents, only among what the reader may see.

Order matters: `visible_to` narrows the queryset first, then the words are matched. Text is
matched folded (`portal.search_text.search_normalise`: width, case, hiragana → katakana) on
both sides: the term here, the stored side in ``Incident.search_text`` (written by
``save()``; `search_text_refresh` after a ``QuerySet.update()``). A defanged term
(``hxxp://evil[.]example``) is also looked for refanged. Matching is a plain substring test
on purpose: Japanese has no spaces between words, so
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

from apps.sharing.exposure import refang
from apps.sharing.selectors import visible_to
from portal.search_text import search_document, search_normalise

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


def term_forms(term: str) -> list[str]:
    """The forms a typed term is looked for in: as typed, and refanged when it was defanged
    (``198.51.100[.]7`` → ``198.51.100.7``)."""
    refanged = refang(term)
    return [term] if refanged == term else [term, refanged]


def _any_form(lookup: str, forms: list[str], *, fold: bool) -> Q:
    condition = Q()
    for form in forms:
        value = search_normalise(form) if fold else form
        if value:
            condition |= Q(**{lookup: value})
    return condition


def _indicator_source(reader, term: str) -> QuerySet:
    """Indicator values. Indicators have no audience of their own: they are seen with their
    incident, and the incident queryset is narrowed to what the reader may see."""
    indicator = apps.get_model("incidents", "Indicator")
    found = _any_form("value__icontains", term_forms(term), fold=False)
    return indicator.objects.filter(found).order_by().values("incident_id")


def _own_text(term: str) -> Q:
    """Title or summary, folded: a condition on the incident itself, served by the trigram
    index on ``search_text``."""
    return _any_form("search_text__contains", term_forms(term), fold=True)


def search_text_refresh(queryset: QuerySet) -> int:
    """Rewrite the stored search text of ``queryset``'s incidents: for code that changed
    their title or summary with ``QuerySet.update()``, which bypasses ``save()``."""
    model = queryset.model
    changed = []
    for item in queryset.only("pk", "title", "summary", "search_text").iterator(chunk_size=2000):
        text = search_document(item.title, item.summary)
        if text != item.search_text:
            item.search_text = text
            changed.append(item)
    model.objects.bulk_update(changed, ["search_text"], batch_size=2000)
    return len(changed)


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
