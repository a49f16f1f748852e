"""One exception handler for the whole API (DRF's ``EXCEPTION_HANDLER``).

Services refuse with Django's exceptions, in the user's language; views call them without a
``try`` block and the refusal is answered here: a ValidationError becomes 400 (each field
with its messages, or ``detail`` for a refusal of the request as a whole), PermissionDenied
403 and a missing object — or one the caller may not see, which services report the same
way — 404. Everything else is DRF's own answer.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = ValidationError(exc.message_dict)
        else:
            exc = ValidationError({"detail": " ".join(exc.messages)})
    elif isinstance(exc, ObjectDoesNotExist):
        exc = NotFound()
    return drf_exception_handler(exc, context)
