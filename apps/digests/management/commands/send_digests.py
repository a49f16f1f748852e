"""`python manage.py send_digests --frequency daily|weekly [--workers N]`: the digest job now
— the job beat runs (`apps.digests.tasks.send_digests`), executed here — and how many digests
were sent, had nothing to say, or failed (and will be retried). Idempotent: a second run in
the same period sends nothing more.

``--workers N`` runs the job in N processes side by side (one per core), each with its share
of the members (`apps.digests.tasks.send_digests_part`, as the workers run it when the
schedule asks for parts)."""

import multiprocessing

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.digests.digests import FREQUENCIES
from apps.digests.tasks.digests import send_digests, send_digests_part

COUNTS = ("sent", "empty", "failed", "taken")


def _part(frequency: str, now: str, part: int, parts: int) -> dict:
    return send_digests_part(frequency=frequency, now=now, part=part, parts=parts)


class Command(BaseCommand):
    help = "Send the member digests of this day or week now (the job beat runs)."

    def add_arguments(self, parser):
        parser.add_argument("--frequency", required=True, choices=[str(f) for f in FREQUENCIES])
        parser.add_argument("--workers", type=int, default=1,
                            help="processes side by side (default 1)")

    def handle(self, *args, frequency: str, workers: int, **options):
        if workers < 1:
            raise CommandError(_("--workers must be 1 or more."))
        if workers == 1:
            runs = [send_digests(frequency=frequency)]
        else:
            now = timezone.now().isoformat()
            connections.close_all()  # each process opens its own
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                runs = pool.starmap(_part, [(frequency, now, part, workers)
                                            for part in range(workers)])
        total = {name: sum(run[name] for run in runs) for name in COUNTS}
        self.stdout.write(_(
            "Digests %(frequency)s %(period)s: %(sent)s sent, %(empty)s with nothing to say, "
            "%(failed)s failed, %(taken)s already taken."
        ) % {"frequency": frequency, "period": runs[0]["period"], **total})
        retry_at = min((run["retry_at"] for run in runs if run["retry_at"]), default=None)
        if retry_at:
            self.stdout.write(_("The failed ones are tried again from %(when)s.")
                              % {"when": retry_at})
