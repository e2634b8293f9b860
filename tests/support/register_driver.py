"""Drive the register's services the way the API does (one `command()` per call) and observe
what they left behind: the log, its checkpoints and the log-derived tables.

Shared by the property-based and the concurrency tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.commands import command
from app.db import normalise_url
from app.extensions import db
from app.ledger.log import read_entries
from app.models.log import LogCheckpoint, LogLeaf, LogNode, LogState
from app.models.register import Holder, HolderDetails, HoldingVersion, ShareClass
from app.register import issuers
from app.register.context import CommandContext
from app.register.replay import LOG_DERIVED, replay_and_compare
from app.register.requests import RegisterIssuer
from tests.support.helpers import bearer, issuer_fields

ACTOR = "test"
T = TypeVar("T")
R = TypeVar("R")
Quantities = tuple[int, int, int, int]  # held, frozen, pledged, reserved


def dialect(app: Flask) -> str:
    return make_url(normalise_url(app.config["DATABASE_URL"])).get_backend_name()


@dataclass(frozen=True)
class RegisterView:
    """The register as the tables (or the API, or a model) show it; holdings that are all zero
    are left out, since a holding emptied by a transfer keeps its row."""

    classes: dict[str, tuple[int | None, int]]  # code -> (authorised, issued)
    status: dict[str, str]  # holder_id -> active | ceased | erased
    holdings: dict[tuple[str, str], Quantities]  # (class, holder_id) -> quantities


@dataclass(frozen=True)
class Trace:
    """Everything a command could leave behind in one issuer's register."""

    tree_size: int
    checkpoint_size: int
    leaves: int
    nodes: int
    checkpoints: int
    rows: tuple
    details: tuple


class Driver:
    def __init__(self, app: Flask) -> None:
        self.app = app

    @contextmanager
    def command(self, issuer_id: str | None = None) -> Iterator[CommandContext]:
        """One command on `issuer_id` (None: one that registers an issuer), as the API runs
        it: it commits, or (if the block raises) leaves nothing."""
        with self.app.app_context(), command(ACTOR, issuer_id) as ctx:
            yield ctx

    def submit(
        self, issuer_id: str | None, service: Callable[[CommandContext, R], T], request: R
    ) -> T:
        """Run one service on its typed request as one command."""
        with self.command(issuer_id) as ctx:
            return service(ctx, request)

    def read(self, query: Callable[[Session], T]) -> T:
        with self.app.app_context():
            return query(db.session)

    def new_issuer(self) -> str:
        request = RegisterIssuer(**issuer_fields())
        return self.submit(None, issuers.register_issuer, request).id

    def trace(self, issuer_id: str) -> Trace:
        return self.read(lambda session: _trace(session, issuer_id))

    def log_size(self, issuer_id: str) -> int:
        return self.read(lambda session: session.get(LogState, issuer_id).tree_size)

    def kinds_since(self, issuer_id: str, start: int, notices: bool = False) -> list[str]:
        """The kinds of the entries from `start`, after checking that the log is sealed: its
        signed size is its size, with a checkpoint for exactly that size. The substantial-
        holding notices commands add at their end (app.notices) are left out unless asked."""
        kinds = self.read(lambda session: _sealed_kinds(session, issuer_id, start))
        return kinds if notices else [kind for kind in kinds if not kind.startswith("notice.")]

    def register(self, issuer_id: str) -> RegisterView:
        return self.read(lambda session: _register_view(session, issuer_id))

    def replay(self, issuer_id: str) -> None:
        """Rebuild the register from the log and compare; also checks the invariants."""
        self.read(lambda session: replay_and_compare(session, issuer_id))

    def verify_log(self, issuer_id: str | None = None) -> None:
        """`flask log verify` (one issuer, or all) must pass."""
        issuer_option = ["--issuer", issuer_id] if issuer_id else []
        result = self.app.test_cli_runner().invoke(args=["log", "verify", *issuer_option])
        assert result.exit_code == 0, result.output

    def api_register(self, issuer_id: str, token: str) -> RegisterView:
        """Classes and holdings as the API reports them (holders' status is not compared)."""
        client, headers = self.app.test_client(), bearer(token)
        prefix = f"/api/v1/issuers/{issuer_id}"
        classes = client.get(f"{prefix}/classes", headers=headers)
        holdings = client.get(f"{prefix}/holdings", headers=headers)
        assert classes.status_code == holdings.status_code == 200
        rows = holdings.get_json()["holdings"]
        for row in rows:
            assert (
                row["available"] == row["held"] - row["frozen"] - row["pledged"] - row["reserved"]
            ), row
        return RegisterView(
            classes={
                row["code"]: (row["authorised"], row["issued"])
                for row in classes.get_json()["classes"]
            },
            status={},
            holdings=_nonzero(
                {
                    (row["class"], row["holder_id"]): (
                        row["held"],
                        row["frozen"],
                        row["pledged"],
                        row["reserved"],
                    )
                    for row in rows
                }
            ),
        )


def _nonzero(holdings: dict[tuple[str, str], Quantities]) -> dict[tuple[str, str], Quantities]:
    return {key: values for key, values in holdings.items() if any(values)}


def _register_view(session: Session, issuer_id: str) -> RegisterView:
    classes = session.scalars(select(ShareClass).where(ShareClass.issuer_id == issuer_id))
    holders = session.scalars(select(Holder).where(Holder.issuer_id == issuer_id))
    holdings = session.scalars(
        select(HoldingVersion).where(
            HoldingVersion.issuer_id == issuer_id, HoldingVersion.to_index.is_(None)
        )
    )
    return RegisterView(
        classes={row.code: (row.authorised, row.issued) for row in classes},
        status={row.holder_id: _status(row) for row in holders},
        holdings=_nonzero(
            {
                (row.class_code, row.holder_id): (row.held, row.frozen, row.pledged, row.reserved)
                for row in holdings
            }
        ),
    )


def _status(holder: Holder) -> str:
    if holder.erased:
        return "erased"
    return "active" if holder.ceased_on is None else "ceased"


def _rows_of(session: Session, model: type, issuer_id: str) -> list[tuple]:
    mapper = inspect(model)
    issuer_column = model.id if model.__tablename__ == "issuers" else model.issuer_id
    query = select(*mapper.columns).where(issuer_column == issuer_id).order_by(*mapper.primary_key)
    return [tuple(row) for row in session.execute(query)]


def _count(session: Session, model: type, issuer_id: str) -> int:
    return session.scalar(
        select(func.count()).select_from(model).where(model.issuer_id == issuer_id)
    )


def _trace(session: Session, issuer_id: str) -> Trace:
    state = session.get(LogState, issuer_id)
    return Trace(
        tree_size=state.tree_size,
        checkpoint_size=state.checkpoint_size,
        leaves=_count(session, LogLeaf, issuer_id),
        nodes=_count(session, LogNode, issuer_id),
        checkpoints=_count(session, LogCheckpoint, issuer_id),
        rows=tuple(tuple(_rows_of(session, model, issuer_id)) for model in LOG_DERIVED),
        details=tuple(_rows_of(session, HolderDetails, issuer_id)),
    )


def _sealed_kinds(session: Session, issuer_id: str, start: int) -> list[str]:
    state = session.get(LogState, issuer_id)
    assert state.checkpoint_size == state.tree_size == _count(session, LogLeaf, issuer_id)
    assert session.get(LogCheckpoint, (issuer_id, state.tree_size)) is not None
    entries = read_entries(session, issuer_id, start, state.tree_size)
    return [entry.envelope["kind"] for entry in entries]


# --- a naive model of the register ----------------------------------------------------------
# Dicts and integer arithmetic, sharing no code with the services it checks.

HELD, FROZEN, PLEDGED, RESERVED = range(4)


def allotted(quantity: int, new: int, old: int, half_up: bool) -> int:
    """Whole shares for `quantity` at new:old, rounded half up or down."""
    return (2 * quantity * new + old) // (2 * old) if half_up else quantity * new // old


@dataclass
class PledgeModel:
    code: str
    holder_id: str
    quantity: int
    released: bool = False


@dataclass
class Model:
    """What the register should hold, kept by the machine independently of the tables."""

    first_day: date
    classes: dict[str, list] = field(default_factory=dict)  # code -> [authorised, issued]
    status: dict[str, str] = field(default_factory=dict)  # active | ceased | erased
    details: dict[str, dict] = field(default_factory=dict)
    holdings: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    pledges: dict[str, PledgeModel] = field(default_factory=dict)
    end_of_day: dict[date, dict[tuple[str, str], int]] = field(default_factory=dict)  # held

    def holding(self, code: str, holder_id: str) -> list[int]:
        return self.holdings.setdefault((code, holder_id), [0, 0, 0, 0])

    def available(self, code: str, holder_id: str) -> int:
        held, frozen, pledged, reserved = self.holding(code, holder_id)
        return held - frozen - pledged - reserved

    def total_held(self, holder_id: str) -> int:
        return sum(
            values[HELD] for (_, owner), values in self.holdings.items() if owner == holder_id
        )

    def issue(self, code: str, holder_id: str, quantity: int) -> None:
        """Shares in (or out, if negative) of a holding and of the class's issued total."""
        self.holding(code, holder_id)[HELD] += quantity
        self.classes[code][1] += quantity

    def move(self, code: str, source: str, recipient: str, quantity: int) -> None:
        self.holding(code, source)[HELD] -= quantity
        self.holding(code, recipient)[HELD] += quantity

    def issued_after(self, code: str, new: int, old: int, half_up: bool) -> int:
        return sum(
            allotted(values[HELD], new, old, half_up)
            for (owner_code, _), values in self.holdings.items()
            if owner_code == code
        )

    def splits_encumbrance(self, code: str, new: int, old: int) -> bool:
        """Would the ratio leave a fraction in a holding that has frozen, pledged or reserved
        shares (which the register refuses)?"""
        pledges: dict[str, list[int]] = {}
        for pledge in self.pledges.values():
            if pledge.code == code and not pledge.released:
                pledges.setdefault(pledge.holder_id, []).append(pledge.quantity)
        for (owner_code, holder_id), values in self.holdings.items():
            encumbered = [values[FROZEN], values[RESERVED], *pledges.get(holder_id, [])]
            if owner_code != code or values[HELD] == 0:
                continue
            if any(quantity * new % old for quantity in encumbered):
                return True
        return False

    def reorganise(self, code: str, new: int, old: int, half_up: bool) -> None:
        for (owner_code, _), values in self.holdings.items():
            if owner_code == code:
                values[HELD] = allotted(values[HELD], new, old, half_up)
                values[FROZEN] = values[FROZEN] * new // old
                values[RESERVED] = values[RESERVED] * new // old
                values[PLEDGED] = 0
        for pledge in self.pledges.values():
            if pledge.code == code and not pledge.released:
                pledge.quantity = pledge.quantity * new // old
                self.holding(code, pledge.holder_id)[PLEDGED] += pledge.quantity
        authorised = self.classes[code][0]
        self.classes[code] = [
            None if authorised is None else authorised * new // old,
            self.issued_after(code, 1, 1, half_up=False),
        ]

    def close_day(self, day: date) -> None:
        self.end_of_day[day] = {key: values[HELD] for key, values in self.holdings.items()}

    def view(self) -> RegisterView:
        return RegisterView(
            classes={code: tuple(values) for code, values in self.classes.items()},
            status=dict(self.status),
            holdings={key: tuple(values) for key, values in self.holdings.items() if any(values)},
        )
