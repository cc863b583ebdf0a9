from django import forms

from marketplace.core.exceptions import DomainError


def apply_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's error on the form: on the named fields, else above the form."""
    placed = False
    for field, messages in error.fields.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
