"""A snapshot as a printable register of members (HTML, no external assets), streamed.

The page is the register the law asks for (UK Companies Act 2006, app.register.members):
members' entries by class with member numbers, joint holders and dates of entry, totals per
class, former members for ten years, and an index of names above 50 members. It carries the
signed checkpoint of its size and says how to check it against the log, so the printout
itself can be verified. The template is app/web/templates/snapshot.html, rendered with its own
Jinja environment: the register layer does not need Flask.
"""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from app.interchange.formats import by_class, chunked
from app.ledger import keyring
from app.ledger.log import utc_now
from app.models.log import SigningKey
from app.register import members
from app.register.snapshot import PERCENT_PLACES, Snapshot, percent

MEDIA_TYPE = "text/html"
TEMPLATE = "snapshot.html"
API_PATH = "/api/v1"  # where the service answers the log API the page tells readers to query
# Its stylesheet, served with the pages' static files (no inline style: the CSP forbids it).
STYLESHEET_PATH = "/assets/printable.css"
TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["thousands"] = lambda number: f"{number:,}"


def printable(session: Session, snapshot: Snapshot, url_root: str) -> Iterator[str]:
    """The printable register of a snapshot, printed now, by the service at `url_root`
    (e.g. https://host/): what the API and the pages serve."""
    index = ()
    if snapshot.holder_count > members.INDEX_ABOVE_MEMBERS:
        index = members.member_index(session, snapshot)
    return render(
        snapshot,
        members.member_holdings(session, snapshot),
        keyring.published_keys(session),
        api_root=url_root.rstrip("/") + API_PATH,
        generated_at=utc_now(),
        former=members.former_members(session, snapshot),
        index=index,
    )


def render(
    snapshot: Snapshot,
    rows: Iterable[members.MemberHolding],
    keys: Sequence[SigningKey],
    api_root: str,
    generated_at: datetime,
    former: Iterable[members.FormerMember] = (),
    index: Iterable[members.IndexEntry] = (),
) -> Iterator[str]:
    """`api_root`: the API's base URL (e.g. https://host/api/v1), quoted in the instructions.
    The rows, former members and index are each read once, in that order of the page."""
    template = _environment.get_template(TEMPLATE)
    log_root = f"{api_root}/issuers/{snapshot.issuer_id}/log"
    return chunked(
        template.generate(
            stylesheet=api_root.removesuffix(API_PATH) + STYLESHEET_PATH,
            snapshot=snapshot,
            issuer=snapshot.issuer,
            checkpoint=snapshot.checkpoint,
            root_hash=b64encode(snapshot.checkpoint.root_hash).decode("ascii"),
            groups=by_class(snapshot.classes, rows),
            former=former,
            index=index,
            index_above=members.INDEX_ABOVE_MEMBERS,
            kept_years=members.FORMER_MEMBERS_KEPT_YEARS,
            amount_paid=members.amount_paid_per_share(),
            keys=keys,
            keys_url=f"{api_root}/log/keys",
            log_root=log_root,
            places=PERCENT_PLACES,
            percent=percent,
            generated_at=generated_at,
        ),
        rows=5_000,
    )
