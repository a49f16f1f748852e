"""`python manage.py issue_token EMAIL [--name NAME] [--days N]`: print a new API token for that
user, valid for N days (default API_TOKEN_DEFAULT_DAYS, at most API_TOKEN_MAX_DAYS).

Only the clear key goes to stdout, so scripts can capture it (`KEY=$(manage.py issue_token …)`);
it is stored hashed and cannot be shown again.
"""

from django.conf import settings
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
        parser.add_argument("--days", type=int, default=None,
                            help="how many days the token works (default: "
                                 f"{settings.API_TOKEN_DEFAULT_DAYS}, at most "
                                 f"{settings.API_TOKEN_MAX_DAYS})")

    def handle(self, *args, email, name, days, **options):
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
        if days is not None and not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
            raise CommandError(
                _("A token is valid for 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS}
            )
        _token, key = token_issue(user=user, name=name, days=days)
        self.stdout.write(key)
