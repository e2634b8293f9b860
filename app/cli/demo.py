"""`flask demo`: load demonstration registers and logins (once), then print how to log in."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.auth.tokens import create_token
from app.auth.users import create_user
from app.extensions import db
from app.ledger.log import utc_now
from app.models.issuer import Issuer
from app.register import issuers
from app.unit_of_work import command

DEMO_PASSWORD = "demo-password"
DEMO_ACTOR = "operator:demo"

DEMO_ISSUERS = [
    {
        "legal_name": "Harbour Lights Brewing Ltd",
        "registration_number": "09876543",
        "jurisdiction": "GB",
        "lei": None,
        "disclosure_profile": "crowdfunding",
    },
    {
        "legal_name": "Jade River Technology Co., Ltd.",
        "registration_number": "91310000MA1FL4XY2K",
        "jurisdiction": "CN",
        "lei": None,
        "disclosure_profile": "otc",
    },
]


def _credentials_file() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


@click.command("demo")
@with_appcontext
def demo_cli() -> None:
    """Load demonstration registers and logins (once), then print how to log in."""
    for line in load_demo():
        click.echo(line)


def load_demo() -> list[str]:
    """Create the demo data unless it exists; return the lines that tell how to log in."""
    existing = db.session.scalar(
        select(Issuer.id).where(Issuer.legal_name == DEMO_ISSUERS[0]["legal_name"])
    )
    if existing is None:
        issuer_ids = [_create_issuer(fields) for fields in DEMO_ISSUERS]
        lines = _create_logins(issuer_ids)
        _credentials_file().write_text("\n".join(lines) + "\n")
    return _credentials_file().read_text().splitlines()


def _create_issuer(fields: dict) -> str:
    with command() as (session, ledger):
        issuer_id = issuers.register_issuer(session, ledger, DEMO_ACTOR, fields).id
    return issuer_id


def _create_logins(issuer_ids: list[str]) -> list[str]:
    now = utc_now()
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}), at http://127.0.0.1:5000/login"]
    with db.write() as session:
        accounts = [
            ("operator@demo.shareledger.test", "Olive Operator", "operator", None),
            ("regulator@demo.shareledger.test", "Rita Regulator", "regulator", None),
        ] + [
            (f"secretary{n}@demo.shareledger.test", f"Sam Secretary {n}", "secretary", issuer_id)
            for n, issuer_id in enumerate(issuer_ids, start=1)
        ]
        for email, name, role, issuer_id in accounts:
            create_user(
                session,
                email=email,
                display_name=name,
                password=DEMO_PASSWORD,
                role=role,
                issuer_id=issuer_id,
                now=now,
            )
            lines.append(f"  {role:10} {email}")
        _, secret = create_token(
            session, role="regulator", label="demo regulator", issuer_id=None, now=now
        )
    lines.append("Demo regulator API token (Authorization: Bearer ...):")
    lines.append(f"  {secret}")
    return lines
