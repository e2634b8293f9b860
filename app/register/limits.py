"""Bounds the register's columns impose, checked at the edges so that no request can reach the
database with a number it cannot store."""

from app.register.errors import InvalidInput

MAX_SHARES = 2**63 - 1  # share counts and totals are BIGINT
MAX_VOTES_PER_SHARE = 1_000_000  # an INTEGER column; no real class comes close
MAX_LOG_INDEX = 2**63 - 1


class TooManyShares(InvalidInput):
    """A result no BIGINT column can hold (a class's issued or authorised number after an
    issue, a conversion or a split): refused before anything is written."""

    code = "too_many_shares"


def require_countable(total: int, what: str, field: str | None = None, **details: object) -> None:
    """`total` (what `what` would become) fits the register's columns."""
    if total > MAX_SHARES:
        located = {"field": field} if field else {}
        raise TooManyShares(
            f"{what} would be {total}, more than the register counts ({MAX_SHARES})",
            **located,
            **details,
        )


def require_quantity(quantity: object, field: str = "quantity") -> None:
    """Every command moves a whole, positive number of shares that a BIGINT can hold."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not quantity >= 1:
        raise InvalidInput("a quantity of shares is a whole number of at least 1", field=field)
    if quantity > MAX_SHARES:
        raise InvalidInput(f"a quantity of shares is at most {MAX_SHARES}", field=field)
