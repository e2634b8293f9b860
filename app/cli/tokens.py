"""`flask tokens create|list|revoke` (API bearer tokens; a new secret is printed once, on the
last line) and `flask users create` (browser logins)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from app.auth import tokens
from app.auth.investors import link_holder
from app.auth.users import create_user, find_user
from app.extensions import db
from app.ledger.log import utc_now
from app.models.user import ROLES, ApiToken
from app.register.errors import DomainError

tokens_cli = AppGroup("tokens", help="API bearer tokens.")


@tokens_cli.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--label", required=True, help="Who or what the token is for.")
@click.option(
    "--issuer",
    "issuer_id",
    help="The one issuer the token reaches, whatever its role (required for secretary and "
    "investor tokens; without it a regulator, auditor or operator token reaches every issuer).",
)
@click.option("--holder", "holder_id", help="The holder an investor token acts for.")
@click.option("--user", "email", help="A personal token: the login (email) it belongs to.")
@click.option("--expires-in", help="How long the token lives: 90m, 12h, 30d, 2w (default: ever).")
def create(
    role: str,
    label: str,
    issuer_id: str | None,
    holder_id: str | None,
    email: str | None,
    expires_in: str | None,
) -> None:
    """Create a token; only its SHA-256 digest is stored."""
    try:
        lifetime = tokens.parse_duration(expires_in) if expires_in else None
        with db.write() as session:
            user = find_user(session, email.strip().lower()) if email else None
            if email and user is None:
                raise click.ClickException(f"no login {email}")
            token, secret = tokens.create_token(
                session,
                role=role,
                label=label,
                issuer_id=issuer_id,
                now=utc_now(),
                holder_id=holder_id,
                user_id=user.id if user else None,
                expires_in=lifetime,
            )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    expiry = f", expires {_when(token.expires_at)}" if token.expires_at else ""
    click.echo(
        f"token {token.id} for {label} ({role}, {_scope(token)}{expiry}); "
        "keep it secret, it is shown only once:"
    )
    click.echo(secret)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _scope(token: ApiToken) -> str:
    return f"issuer {token.issuer_id}" if token.issuer_id else "all issuers"


@tokens_cli.command("list")
def list_tokens() -> None:
    """Every token: label, role, scope, created, expires, last used and state (never the
    secret, which is not stored)."""
    now = utc_now()
    rows = [("ID", "LABEL", "ROLE", "SCOPE", "CREATED", "EXPIRES", "LAST USED", "STATE")]
    rows += [
        (
            str(token.id),
            token.label,
            token.role,
            _scope(token),
            _when(token.created_at),
            _when(token.expires_at),
            _when(token.last_used_at),
            tokens.token_state(token, now),
        )
        for token in tokens.list_tokens(db.session)
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token: from now on it answers 401 `token_revoked`."""
    try:
        with db.write() as session:
            token = tokens.revoke_token(session, token_id, utc_now())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"token {token.id} ({token.label}) revoked at {_when(token.revoked_at)}")


users_cli = AppGroup("users", help="Browser login accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--issuer", "issuer_id")
@click.password_option()
def create_login(
    email: str, display_name: str, role: str, issuer_id: str | None, password: str
) -> None:
    """Create a login account (the password is hashed with argon2id)."""
    try:
        with db.write() as session:
            user = create_user(
                session,
                email=email,
                display_name=display_name,
                password=password,
                role=role,
                issuer_id=issuer_id,
                now=utc_now(),
            )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"user {user.id} {user.email} ({role}) created")


@users_cli.command("link")
@click.option("--email", required=True, help="The investor's login")
@click.option("--issuer", "issuer_id", required=True)
@click.option("--holder", "holder_id", required=True, help="The holder on that issuer's register")
def link_login(email: str, issuer_id: str, holder_id: str) -> None:
    """Let an investor's login stand for a holder of another issuer as well."""
    try:
        with db.write() as session:
            user = find_user(session, email.strip().lower())
            if user is None:
                raise click.ClickException(f"no login {email}")
            link_holder(session, user, issuer_id, holder_id)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{email} now also stands for holder {holder_id} of issuer {issuer_id}")
