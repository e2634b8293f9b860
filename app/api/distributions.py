"""Distributions (dividends): declare one, list them, read one with its entitlement list."""

from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.api.access import require_read, require_write
from app.api.distributions_schemas import (
    DistributionDetailSchema,
    DistributionInputSchema,
    DistributionListSchema,
)
from app.api.paging import PageQuery, paged
from app.api.purpose import reads_personal_data
from app.auth.disclosure import disclose_read
from app.commands import command, current_ledger
from app.extensions import db
from app.models.register import Distribution
from app.register import distributions, queries
from app.register.paging import DEFAULT_PAGE_SIZE
from app.route_access import ISSUER_READ, ISSUER_WRITE, access

blp = Blueprint(
    "distributions",
    __name__,
    url_prefix="/api/v1/issuers/<issuer_id>",
    description="Distributions and entitlements",
)

COLUMNS = inspect(Distribution).columns
# Who the log names for entitlements fixed by a read after the record date.
FIXING_ACTOR = "shareledger:record-date-passed"


def fix_due(issuer_id: str) -> None:
    """Fix, before it is read, what a record date that has ended makes due. Reads that race
    here each run a command, and the issuer's lock lets only the first one find work."""
    today = current_ledger().clock().date()
    if queries.unfixed_distributions(db.session, issuer_id, before=today):
        with command(FIXING_ACTOR, issuer_id) as ctx:
            distributions.fix_due_distributions(ctx)


def _views(session: Session, issuer_id: str, found: list[Distribution]) -> list[dict]:
    return [
        {
            **{column.key: getattr(row, column.key) for column in COLUMNS},
            "status": "declared" if row.fixed_index is None else "fixed",
        }
        for row in found
    ]


def _detail(
    session: Session,
    issuer_id: str,
    distribution_id: str,
    after: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> dict:
    """The distribution with one page of its entitlement list."""
    distribution = distributions.get_distribution(session, issuer_id, distribution_id)
    (view,) = _views(session, issuer_id, [distribution])
    page = queries.entitlements_page(session, issuer_id, distribution_id, after, limit)
    where = (
        "distributions.get_distribution",
        {"issuer_id": issuer_id, "distribution_id": distribution_id},
    )
    return {**view, **paged("entitlements", page, asdict, where)}


@blp.route("/distributions")
@access(ISSUER_READ)
@blp.response(200, DistributionListSchema)
def list_distributions(issuer_id):
    """The issuer's declared distributions, in the order declared."""
    require_read(issuer_id)
    fix_due(issuer_id)
    found = queries.distributions(db.session, issuer_id)
    return {"distributions": _views(db.session, issuer_id, found)}


@blp.route("/distributions", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(DistributionInputSchema)
@blp.response(201, DistributionDetailSchema)
def declare_distribution(request, issuer_id):
    """Declare a distribution (`distribution.declared`).

    Entitlements follow the register at the end of the record date (UTC). When that day has
    ended they are fixed at once (`distribution.entitlements_fixed`, in the same command);
    otherwise the answer has status `declared` and no entitlements yet, and they are fixed
    after the record date by `flask distributions fix` or at the first read."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        distribution = distributions.declare_distribution(ctx, request)
    return _detail(db.session, issuer_id, distribution.distribution_id)


@blp.route("/distributions/<distribution_id>")
@access(ISSUER_READ)
@blp.arguments(PageQuery, location="query")
@blp.response(200, DistributionDetailSchema)
@reads_personal_data
def get_distribution(query, issuer_id, distribution_id):
    """One distribution with its entitlement list by holder name, a page at a time (`after`
    is a holder_id). Names are personal data: outsiders' reads are written to the access log."""
    principal = require_read(issuer_id)
    fix_due(issuer_id)
    detail = _detail(db.session, issuer_id, distribution_id, query.get("after"), query["limit"])
    disclose_read(principal, issuer_id)
    return detail
