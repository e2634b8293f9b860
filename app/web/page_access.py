"""Who may see a register's pages in the browser: 403 for anyone else."""

from __future__ import annotations

from flask import abort

from app.auth.principal import Principal, login_principal


def reader_of(issuer_id: str) -> Principal:
    """The logged-in company-side reader of this issuer's register, or a supervisor."""
    principal = login_principal()
    if principal is None or not principal.can_read(issuer_id):
        abort(403)
    return principal


def secretary_of(issuer_id: str) -> Principal:
    """The logged-in user who may change this issuer's register."""
    principal = login_principal()
    if principal is None or not principal.can_write(issuer_id):
        abort(403)
    return principal
