"""Share classes, holders, issuance, lodged transfers and holdings."""

from __future__ import annotations

from io import BytesIO

from flask import request as flask_request
from flask_smorest import Blueprint

from app.api.access import require_read, require_write
from app.api.batch_rows import IssuanceSchema
from app.api.jobs import ACCEPTED_DOC, JobSchema, accept_job
from app.api.paging import paged
from app.api.purpose import reads_personal_data
from app.api.register_schemas import (
    AccessLogQuery,
    AccessLogSchema,
    CeaseSchema,
    ClassAmendSchema,
    ClassInputSchema,
    ClassListSchema,
    ClassSchema,
    HolderAmendSchema,
    HolderInputSchema,
    HolderPageQuery,
    HolderPageSchema,
    HolderSchema,
    HoldingListSchema,
    HoldingQuery,
    RecordedSchema,
    TransferSchema,
)
from app.auth.disclosure import disclose_read
from app.commands import command
from app.extensions import db
from app.job_queue import over_job_threshold
from app.models.register import Holder, HolderDetails
from app.register import access_reads, classes, holders, issuance, queries, transfers
from app.register.access_reads import DayRange
from app.register.paging import Page
from app.register.projection import Applied
from app.route_access import ISSUER_READ, ISSUER_WRITE, access

blp = Blueprint(
    "register", __name__, url_prefix="/api/v1/issuers/<issuer_id>", description="The register"
)


def recorded(entries: list[Applied]) -> dict:
    indexes = [entry.index for entry in entries]
    return {"log_indexes": indexes, "tree_size": indexes[-1] + 1}


def holder_view(holder: Holder, details: HolderDetails | None) -> dict:
    return {
        "holder_id": holder.holder_id,
        "commitment": holder.commitment,
        "registered_on": holder.registered_on,
        "ceased_on": holder.ceased_on,
        "erased": holder.erased,
        "last_log_index": holder.last_log_index,
        "details": holders.details_of(details) if details else None,
    }


def _holder_view_by_id(issuer_id: str, holder_id: str) -> dict:
    return holder_view(*queries.holder_with_details(db.session, issuer_id, holder_id))


# --- classes -------------------------------------------------------------------------------


@blp.route("/classes")
@access(ISSUER_READ)
@blp.response(200, ClassListSchema)
def list_classes(issuer_id):
    """The issuer's share classes with their issued totals."""
    require_read(issuer_id)
    return {"classes": queries.list_classes(db.session, issuer_id)}


@blp.route("/classes", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(ClassInputSchema)
@blp.response(201, ClassSchema)
def create_class(request, issuer_id):
    """Create a share class (logged as `class.created`)."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        return classes.create_class(ctx, request)


@blp.route("/classes/<code>")
@access(ISSUER_READ)
@blp.response(200, ClassSchema)
def get_class(issuer_id, code):
    """One share class."""
    require_read(issuer_id)
    return queries.get_class(db.session, issuer_id, code)


@blp.route("/classes/<code>", methods=["PATCH"])
@access(ISSUER_WRITE)
@blp.arguments(ClassAmendSchema)
@blp.response(200, ClassSchema)
def amend_class(request, issuer_id, code):
    """Amend a share class (logged as `class.amended`); authorised cannot fall below issued."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        return classes.amend_class(ctx, request)


# --- holders -------------------------------------------------------------------------------


@blp.route("/holders")
@access(ISSUER_READ)
@blp.arguments(HolderPageQuery, location="query")
@blp.response(200, HolderPageSchema)
@reads_personal_data
def list_holders(query, issuer_id):
    """Holders in holder_id order, a page at a time (`after` continues a listing).
    Reads by regulators, auditors and operators are written to the access log."""
    principal = require_read(issuer_id)
    disclose_read(principal, issuer_id)
    items, next_after = queries.holders_page(
        db.session, issuer_id, query.get("after"), query["limit"]
    )
    return paged("holders", Page(items, next_after), lambda row: holder_view(*row))


@blp.route("/holders", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(HolderInputSchema)
@blp.response(201, HolderSchema)
def register_holder(request, issuer_id):
    """Register a holder: the log gets an opaque id and a salted commitment, not the details."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        holder = holders.register_holder(ctx, request)
    return _holder_view_by_id(issuer_id, holder.holder_id)


@blp.route("/holders/<holder_id>")
@access(ISSUER_READ)
@blp.response(200, HolderSchema)
@reads_personal_data
def get_holder(issuer_id, holder_id):
    """One holder, with register details unless erased (outsiders' reads are logged)."""
    principal = require_read(issuer_id)
    view = _holder_view_by_id(issuer_id, holder_id)
    disclose_read(principal, issuer_id, holder_id)
    return view


@blp.route("/holders/<holder_id>", methods=["PATCH"])
@access(ISSUER_WRITE)
@blp.arguments(HolderAmendSchema(partial=True))
@blp.response(200, HolderSchema)
def amend_holder(request, issuer_id, holder_id):
    """Amend register details; the log gets a new commitment (`holder.amended`)."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        holders.amend_holder(ctx, request)
    return _holder_view_by_id(issuer_id, holder_id)


@blp.route("/holders/<holder_id>/cease", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(CeaseSchema)
@blp.response(200, HolderSchema)
def cease_holder(request, issuer_id, holder_id):
    """Record that a holder ceased to be a member (they must hold nothing)."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        holders.cease_holder(ctx, request)
    return _holder_view_by_id(issuer_id, holder_id)


# --- issuance and transfers ----------------------------------------------------------------


@blp.route("/issuances", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(IssuanceSchema)
@blp.response(201, RecordedSchema)
@blp.alt_response(202, schema=JobSchema, **ACCEPTED_DOC)
def issue_shares(request, issuer_id):
    """Allot shares: one log entry per allocation, the whole batch in one transaction.

    A batch of more than JOB_THRESHOLD_ROWS allocations is checked here, then recorded by a
    job (still one transaction): 202 with the job, whose result is this answer."""
    principal = require_write(issuer_id)
    if over_job_threshold(len(request.allocations)):
        body = BytesIO(flask_request.get_data())
        return accept_job(principal, issuer_id, "issuance", {}, body, len(request.allocations))
    with command(principal.actor, issuer_id) as ctx:
        entries = issuance.issue_shares(ctx, request)
    return recorded(entries)


@blp.route("/transfers", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(TransferSchema)
@blp.response(201, RecordedSchema)
def lodge_transfer(request, issuer_id):
    """Register an executed instrument of transfer (settled at once)."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        entry = transfers.lodge_transfer(ctx, request)
    return recorded([entry])


# --- holdings ------------------------------------------------------------------------------


@blp.route("/holdings")
@access(ISSUER_READ)
@blp.arguments(HoldingQuery, location="query")
@blp.response(200, HoldingListSchema)
def list_holdings(query, issuer_id):
    """Current holdings: held, frozen, pledged, reserved and available, a page at a time."""
    require_read(issuer_id)
    page = queries.holdings_page(
        db.session,
        issuer_id,
        query.get("after"),
        query["limit"],
        query.get("holder_id"),
        query.get("class_code"),
    )
    return paged("holdings", page)


@blp.route("/access-log")
@access(ISSUER_WRITE)
@blp.arguments(AccessLogQuery, location="query")
@blp.response(200, AccessLogSchema)
def access_log(query, issuer_id):
    """Reads of this register's personal data by regulators, auditors and operators, latest
    first, a page at a time, for the issuer to see; by member and by day if asked."""
    require_write(issuer_id)
    days = DayRange(query.get("since"), query.get("until"))
    page = access_reads.accesses_page(
        db.session,
        issuer_id,
        query.get("after"),
        query["limit"],
        query.get("holder_id"),
        days.since,
        days.before,
    )
    return paged("accesses", page)
