"""`python manage.py issue_token EMAIL [--name NAME]`: print a new API token for that user.

Only the clear key goes to stdout, so scripts can capture it (`KEY=$(manage.py issue_token …)`);
it is stored hashed and cannot be shown again.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.services import token_issue


class Command(BaseCommand):
    help = "Print a new API token (the key only) for the user with that e-mail address."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the user's e-mail address (their login)")
        parser.add_argument("--name", default="issue_token",
                            help="a name to recognise the token by (default: issue_token)")

    def handle(self, *args, email, name, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(_("No user has the e-mail address %(email)s.") % {"email": email})
        if not user.is_active:
            raise CommandError(
                _("The account %(email)s is deactivated; its tokens would not work.")
                % {"email": user.email}
            )
        if len(name) > 100:
            raise CommandError(_("The token name is longer than 100 characters."))
        _token, key = token_issue(user=user, name=name)
        self.stdout.write(key)
