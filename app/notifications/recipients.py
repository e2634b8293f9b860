"""Who hears about an entry: logins found from the register's holders, the issuer's
secretaries, and the logins that follow the issuer. Recipients are users (logins); a holder's
login is the user linked to that holder (`User.holder_id`, see app.auth.users)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.notifications import IssuerFollow
from app.models.register import Holder
from app.models.user import User


def holder_logins(session: Session, issuer_id: str, holder_ids: Iterable[str]) -> list[int]:
    """The logins of these holders of the issuer (a holder may have none)."""
    wanted = sorted(set(holder_ids))
    if not wanted:
        return []
    query = select(User.id).where(
        User.role == "investor", User.issuer_id == issuer_id, User.holder_id.in_(wanted)
    )
    return list(session.scalars(query.order_by(User.id)))


def secretaries(session: Session, issuer_id: str) -> list[int]:
    query = select(User.id).where(User.role == "secretary", User.issuer_id == issuer_id)
    return list(session.scalars(query.order_by(User.id)))


def member_logins(session: Session, issuer_id: str) -> list[int]:
    """The logins of the issuer's current members (holders who have not ceased)."""
    query = (
        select(User.id)
        .join(Holder, (Holder.issuer_id == User.issuer_id) & (Holder.holder_id == User.holder_id))
        .where(
            User.role == "investor",
            User.issuer_id == issuer_id,
            Holder.ceased_on.is_(None),
            Holder.erased.is_(False),
        )
    )
    return list(session.scalars(query.order_by(User.id)))


def followers(session: Session, issuer_id: str) -> list[int]:
    query = select(IssuerFollow.user_id).where(IssuerFollow.issuer_id == issuer_id)
    return list(session.scalars(query.order_by(IssuerFollow.user_id)))
