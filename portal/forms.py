"""Form helpers every app's pages share."""

from django import forms
from django.core.exceptions import ValidationError


def add_refusal(error: ValidationError, *on: forms.Form, skip: tuple[str, ...] = ()) -> None:
    """Put a service's refusal next to the field it is about, in the first of the forms ``on``
    that has that field; whatever names no such field goes on top of the first form. ``skip``
    names keys that the page shows its own way (the findings to confirm, …)."""
    first = on[0]
    if not hasattr(error, "error_dict"):
        first.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        if field in skip:
            continue
        form = next((form for form in on if field in form.fields), None)
        if form is None:
            first.add_error(None, errors)
        else:
            form.add_error(field, errors)
