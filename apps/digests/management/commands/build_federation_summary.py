"""`python manage.py build_federation_summary SLUG [--period YYYY-MM] [--send]`: build (or
rebuild in place) a federation's two-monthly summary — by default of the last period that has
ended — and print what it holds. Idempotent: one summary per federation and period, the same
document for the same data.

It sends no e-mail unless ``--send`` is given: rebuilding to correct a summary should not
mail the liaisons again. With ``--send``, each liaison not yet sent this summary gets it
(once: a second ``--send`` sends nothing more). The scheduled job always sends.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.communities.models import Federation
from apps.digests.summaries import (
    period_last_finished,
    period_parse,
    summary_build,
    summary_send_all,
)


class Command(BaseCommand):
    help = ("Build (or rebuild) a federation's two-monthly summary; --send also e-mails it to "
            "the liaisons who have not had it yet.")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the federation's slug")
        parser.add_argument("--period", metavar="YYYY-MM",
                            help="the period's first month (February, April, June, August, "
                                 "October or December); default: the last period that ended")
        parser.add_argument("--send", action="store_true",
                            help="also e-mail the summary to the liaisons (each at most once)")

    def handle(self, *args, slug, period=None, send=False, **options):
        federation = Federation.objects.filter(slug=slug).first()
        if federation is None:
            raise CommandError(_("No federation has the slug %(slug)s.") % {"slug": slug})
        try:
            period = period_parse(period) if period else period_last_finished()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            summary = summary_build(federation, period)
            queued = summary_send_all(summary) if send else 0
        data = summary.data
        corroboration = data["corroboration"]
        self.stdout.write(
            f"{federation.slug} {summary.period} ({period.label()}): "
            f"{len(data['communities'])} communities, "
            f"{sum(c['counts']['total'] for c in data['communities'] if c['counted'])} "
            f"new incidents counted, {len(data['items'])} items shared with the federation, "
            f"{len(corroboration['values']) + len(corroboration['others'])} corroborated "
            f"values ({len(corroboration['values'])} named).")
        if send:
            self.stdout.write(f"E-mail queued for {queued} liaison(s); each is sent at most once.")
