"""Compile every locale/**/LC_MESSAGES/*.po into .mo with pure-Python polib.

Django's own ``compilemessages`` needs GNU gettext's ``msgfmt``; a newcomer's fresh machine
often lacks it, so ``make run`` and ``make test`` use this command instead.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile locale/**/LC_MESSAGES/*.po to .mo with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale-dir",
            action="append",
            dest="locale_dirs",
            help="Directory to search (repeatable). Default: every entry of LOCALE_PATHS.",
        )

    def handle(self, *args, **options):
        roots = [Path(p) for p in (options["locale_dirs"] or settings.LOCALE_PATHS)]
        po_files = sorted(
            po for root in roots if root.is_dir() for po in root.glob("**/LC_MESSAGES/*.po")
        )
        if not po_files:
            where = ", ".join(str(root) for root in roots) or "(no LOCALE_PATHS)"
            self.stdout.write(f"No .po files under {where}: nothing compiled.")
            return
        for po_path in po_files:
            mo_path = po_path.with_suffix(".mo")
            try:
                catalog = polib.pofile(str(po_path))
                catalog.save_as_mofile(str(mo_path))
            except (OSError, ValueError) as error:
                raise CommandError(f"{po_path}: {error}") from error
            self.stdout.write(
                f"{po_path} -> {mo_path.name} "
                f"({len(catalog.translated_entries())} translated, "
                f"{len(catalog.untranslated_entries())} untranslated)"
            )
        self.stdout.write(self.style.SUCCESS(f"Compiled {len(po_files)} catalogue(s)."))
