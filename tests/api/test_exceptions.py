"""The one exception handler: the services' refusals become the API's answers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import override

from apps.discussions.models import Thread
from portal.api.exceptions import exception_handler


def answer(exc):
    response = exception_handler(exc, {})
    return response.status_code, response.data


def test_a_refused_field_is_400_naming_the_field():
    assert answer(ValidationError({"tlp": "No."})) == (400, {"tlp": ["No."]})


def test_a_refusal_of_the_whole_request_is_400_with_detail():
    assert answer(ValidationError(["One.", "Two."])) == (400, {"detail": "One. Two."})


def test_permission_denied_is_403_with_its_message():
    assert answer(PermissionDenied("Only the author.")) == (403, {"detail": "Only the author."})


def test_a_missing_or_hidden_object_is_404():
    with override("en"):
        assert answer(Thread.DoesNotExist()) == (404, {"detail": "Not found."})


def test_anything_else_is_left_to_the_server_error():
    assert exception_handler(RuntimeError("bug"), {}) is None
