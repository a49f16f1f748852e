"""Who is calling the TAXII server: an API token, sent the three ways TAXII clients send one.

- ``Authorization: Token <key>`` — the portal's API (taxii2-client's ``TokenAuth``);
- ``Authorization: Bearer <key>`` — OpenCTI's and MISP's "Bearer token" setting;
- HTTP Basic with the user's e-mail address and a token as the password — for clients that
  speak only Basic. The password is never the account's password.

Every form is checked by the API's own `HashedTokenAuthentication` (hashed, revocable,
expiring, and only while the owner has an active membership). No session, no CSRF: a TAXII
client carries its credential on every request."""

import base64
import binascii

from django.utils.translation import gettext as _
from rest_framework import exceptions

from apps.accounts.authentication import HashedTokenAuthentication
from apps.interop.taxii.protocol import TaxiiError

CHALLENGE = 'Basic realm="Renkei TAXII", Bearer realm="Renkei TAXII", Token'


def _unauthorized(description: str) -> TaxiiError:
    return TaxiiError(401, "Unauthorized", description, headers={"WWW-Authenticate": CHALLENGE})


def _by_token(key: str):
    try:
        user, _token = HashedTokenAuthentication().authenticate_credentials(key)
    except exceptions.AuthenticationFailed as error:
        raise _unauthorized(str(error.detail)) from None
    return user


def taxii_user(request):
    """The user behind the request's credential, or a 401 TAXII error."""
    header = request.headers.get("Authorization", "").strip()
    scheme, _sep, credential = header.partition(" ")
    scheme, credential = scheme.lower(), credential.strip()
    if not header:
        raise _unauthorized("Send an API token: Authorization: Token <key>, Bearer <key>, or "
                            "HTTP Basic with your e-mail address and a token as the password.")
    if scheme in ("token", "bearer") and credential and " " not in credential:
        return _by_token(credential)
    if scheme == "basic" and credential:
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _unauthorized("Malformed HTTP Basic credentials.") from None
        email, sep, key = decoded.partition(":")
        if not sep or not email or not key:
            raise _unauthorized("HTTP Basic needs your e-mail address and a token.")
        user = _by_token(key)
        if user.email.lower() != email.strip().lower():
            # The same words as for a wrong token: a guess learns nothing about the pair.
            raise _unauthorized(_("Invalid, expired or revoked token."))
        return user
    raise _unauthorized("Unsupported Authorization scheme.")
