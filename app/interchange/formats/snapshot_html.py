"""A snapshot as a printable register of members (HTML, no external assets), streamed.

The page carries the signed checkpoint of its size and says how to check it against the log,
so the printout itself can be verified. The template is app/web/templates/snapshot.html,
rendered with its own Jinja environment: the register layer does not need Flask.
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
from app.register.snapshot import PERCENT_PLACES, HoldingRow, Snapshot, holdings

MEDIA_TYPE = "text/html"
TEMPLATE = "snapshot.html"
API_PATH = "/api/v1"  # where the service answers the log API the page tells readers to query
TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def printable(session: Session, snapshot: Snapshot, url_root: str) -> Iterator[str]:
    """The printable register of a snapshot, printed now, by the service at `url_root`
    (e.g. https://host/): what the API and the pages serve."""
    return render(
        snapshot,
        holdings(session, snapshot),
        keyring.published_keys(session),
        api_root=url_root.rstrip("/") + API_PATH,
        generated_at=utc_now(),
    )


def render(
    snapshot: Snapshot,
    rows: Iterable[HoldingRow],
    keys: Sequence[SigningKey],
    api_root: str,
    generated_at: datetime,
) -> Iterator[str]:
    """`api_root`: the API's base URL (e.g. https://host/api/v1), quoted in the instructions."""
    template = _environment.get_template(TEMPLATE)
    log_root = f"{api_root}/issuers/{snapshot.issuer_id}/log"
    return chunked(
        template.generate(
            snapshot=snapshot,
            issuer=snapshot.issuer,
            checkpoint=snapshot.checkpoint,
            root_hash=b64encode(snapshot.checkpoint.root_hash).decode("ascii"),
            groups=by_class(snapshot.classes, rows),
            keys=keys,
            keys_url=f"{api_root}/log/keys",
            log_root=log_root,
            places=PERCENT_PLACES,
            generated_at=generated_at,
        ),
        rows=5_000,
    )
