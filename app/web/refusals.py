"""A refusal from a service, said where the person filling the form in looks: next to the field
it concerns, else above the form.

The field is the one the error names (`details["field"]`, in the service's words, which the
view's table may translate into the form's: "class" → "class_code"), else the one the view's
table gives for the error's code, else the member field of the holder the error is about (a
ceased member). A name the form has no field for is passed over, so that a refusal is never
attached to nothing: it goes above the form instead."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flask import flash
from wtforms import Field, Form

from app.register.errors import DomainError

NOWHERE: Mapping[str, str] = MappingProxyType({})


def refused_field(
    form: Form,
    error: DomainError,
    fields_of_error: Mapping[str, str] = NOWHERE,
    holder_fields: Mapping[str, str] = NOWHERE,
) -> Field | None:
    """The form's field the refusal concerns, or None if it concerns none of them.
    `fields_of_error` maps a service's field name or an error code to the form's field;
    `holder_fields` maps a holder id to the field that named that holder."""
    named, holder_id = error.details.get("field"), error.details.get("holder_id")
    for name in (
        fields_of_error.get(named) if isinstance(named, str) else None,
        named,
        fields_of_error.get(error.code),
        holder_fields.get(holder_id) if isinstance(holder_id, str) else None,
    ):
        if isinstance(name, str) and name in form:
            return form[name]
    return None


def place_refusal(
    form: Form,
    error: DomainError,
    fields_of_error: Mapping[str, str] = NOWHERE,
    *,
    words: str | None = None,
    holder_fields: Mapping[str, str] = NOWHERE,
) -> str | None:
    """Put the refusal's words (the error's message unless the view says it better) next to
    its field; the words back if it concerns none, for the page to show above the form."""
    said = error.message if words is None else words
    field = refused_field(form, error, fields_of_error, holder_fields)
    if field is None:
        return said
    # A field's errors are a tuple until the form is validated: never appended to in place.
    field.errors = [*field.errors, said]
    return None


def show_refusal(
    form: Form,
    error: DomainError,
    fields_of_error: Mapping[str, str] = NOWHERE,
    *,
    words: str | None = None,
    holder_fields: Mapping[str, str] = NOWHERE,
) -> None:
    """`place_refusal`, with a refusal that concerns no field flashed above the form."""
    unplaced = place_refusal(form, error, fields_of_error, words=words, holder_fields=holder_fields)
    if unplaced is not None:
        flash(unplaced, "error")
