"""The server's side of the member picker (templates/macros/member_picker.html): the hint every
picker shows, and the holder each picked field names, with a refusal in words next to a field
that names nobody. What the picker offers as one types is `members.member_choices`."""

from __future__ import annotations

from flask import Flask
from flask_wtf import FlaskForm

from app.extensions import db
from app.register import member_search

MEMBER_HINT = "Type a member number, or part of a name and pick the member from the list."


def picked_members(
    form: FlaskForm, issuer_id: str, names: tuple[str, ...]
) -> dict[str, str] | None:
    """The holder id each of the form's member fields `names` names, or None with the refusal
    next to each field that names no member."""
    found = {}
    for name in names:
        field = form[name]
        found[name] = member_search.resolve_member(db.session, issuer_id, field.data)
        if found[name] is None:
            field.errors = [
                *field.errors,
                f"No member is “{field.data.strip()}”: {MEMBER_HINT[0].lower()}{MEMBER_HINT[1:]}",
            ]
    return None if None in found.values() else found


def register_picker(app: Flask) -> None:
    # A global, not a context variable, so that the imported macro sees it.
    app.add_template_global(MEMBER_HINT, "member_hint")
