"""`flask tokens create` (API bearer tokens; the secret is printed once, on the last line) and
`flask users create` (browser logins)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth.investors import link_holder
from app.auth.tokens import create_token
from app.auth.users import create_user, find_user
from app.extensions import db
from app.ledger.log import utc_now
from app.models.user import ROLES
from app.register.errors import DomainError

tokens_cli = AppGroup("tokens", help="API bearer tokens.")


@tokens_cli.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--label", required=True, help="Who or what the token is for.")
@click.option("--issuer", "issuer_id", help="The issuer (for secretary and investor tokens).")
@click.option("--holder", "holder_id", help="The holder an investor token acts for.")
@click.option("--user", "email", help="A personal token: the login (email) it belongs to.")
def create(
    role: str, label: str, issuer_id: str | None, holder_id: str | None, email: str | None
) -> None:
    """Create a token; only its SHA-256 digest is stored."""
    try:
        with db.write() as session:
            user = find_user(session, email.strip().lower()) if email else None
            if email and user is None:
                raise click.ClickException(f"no login {email}")
            token, secret = create_token(
                session,
                role=role,
                label=label,
                issuer_id=issuer_id,
                now=utc_now(),
                holder_id=holder_id,
                user_id=user.id if user else None,
            )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"token {token.id} for {label} ({role}); keep it secret, it is shown only once:")
    click.echo(secret)


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
