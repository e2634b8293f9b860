"""An investor's login and the holders it stands for, one per issuer.

The login's `issuer_id` and `holder_id` name the holding its /me/ pages show now; the links
say which others it may switch to. Linking never creates a holder: the holder is already on
the issuer's register, and the company (or the operator) vouches that this person is them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.logins import InvestorLink
from app.models.user import User
from app.register.errors import Duplicate, InvalidInput, NotFound
from app.register.queries import get_holder


def link_holder(session: Session, user: User, issuer_id: str, holder_id: str) -> InvestorLink:
    """Let an investor's login stand for `holder_id` at `issuer_id` as well."""
    if user.role != "investor":
        raise InvalidInput("only an investor's login stands for holders", field="role")
    get_holder(session, issuer_id, holder_id)  # NotFound for a holder not on the register
    if session.get(InvestorLink, (user.id, issuer_id)) is not None:
        raise Duplicate(f"{user.email} already stands for a holder of that issuer", field="issuer")
    link = InvestorLink(user_id=user.id, issuer_id=issuer_id, holder_id=holder_id)
    session.add(link)
    if user.holder_id is None:
        user.issuer_id, user.holder_id = issuer_id, holder_id
    session.flush()
    return link


def links_of(session: Session, user_id: int) -> list[InvestorLink]:
    return list(
        session.scalars(
            select(InvestorLink)
            .where(InvestorLink.user_id == user_id)
            .order_by(InvestorLink.issuer_id)
        )
    )


def switch_to(session: Session, user: User, issuer_id: str) -> None:
    """Show the login's holding at `issuer_id` on its /me/ pages from now on."""
    link = session.get(InvestorLink, (user.id, issuer_id))
    if link is None:
        raise NotFound("this login holds no shares of that issuer")
    user.issuer_id, user.holder_id = link.issuer_id, link.holder_id
