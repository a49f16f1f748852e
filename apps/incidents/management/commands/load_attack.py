"""python manage.py load_attack [--bundle FILE]: refresh the ATT&CK technique catalogue."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.incidents.attack import catalogue_load, records_from_bundle, records_from_package


class Command(BaseCommand):
    help = (
        "Load or refresh the MITRE ATT&CK techniques, from the data shipped with the project or "
        "from a STIX 2.1 bundle file (enterprise-attack.json format). Idempotent; never downloads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bundle", help="A STIX 2.1 bundle file (enterprise-attack.json).")

    def handle(self, *args, bundle=None, **options):
        try:
            records = records_from_bundle(bundle) if bundle else records_from_package()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if not records:
            raise CommandError("No ATT&CK techniques (attack-pattern objects) in the bundle.")
        result = catalogue_load(records)
        self.stdout.write(
            f"ATT&CK techniques: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
