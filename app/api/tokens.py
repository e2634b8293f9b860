"""The operator's API tokens: list them, create one (its secret is in this answer only) and
revoke one. Only an operator token that reaches every issuer may manage tokens, so that no
scoped token can mint a wider one."""

from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from app.api.access import require_role
from app.api.tokens_schemas import (
    CreatedTokenSchema,
    TokenInputSchema,
    TokenListSchema,
    TokenSchema,
)
from app.auth import tokens
from app.errors import ApiError
from app.extensions import db
from app.idempotency.http import answer_never_kept
from app.ledger.log import utc_now
from app.models.user import ApiToken
from app.route_access import OPERATOR, access

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="API tokens")


@blp.before_request
def _require_token_manager() -> None:
    """Before the body is read: only an operator token reaching every issuer gets further."""
    principal = require_role("operator")
    if not principal.sees_all_issuers:
        raise ApiError(403, "forbidden", "only an operator token for every issuer manages tokens")


TOKEN_FIELDS = (
    "id",
    "label",
    "role",
    "issuer_id",
    "holder_id",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
)


def token_view(token: ApiToken) -> dict:
    view = {name: getattr(token, name) for name in TOKEN_FIELDS}
    view["state"] = tokens.token_state(token, utc_now())
    return view


@blp.route("")
@access(OPERATOR)
@blp.response(200, TokenListSchema)
def list_tokens():
    """Every token with its role, scope, dates and state; never a secret (none is stored)."""
    return {"tokens": [token_view(token) for token in tokens.list_tokens(db.session)]}


@answer_never_kept
@blp.route("", methods=["POST"])
@access(OPERATOR)
@blp.arguments(TokenInputSchema)
@blp.response(201, CreatedTokenSchema)
def create_token(request):
    """Create a token; the answer holds its secret, which is never shown again. Retrying with
    an Idempotency-Key is not offered here: keeping the answer would keep the secret."""
    with db.write() as session:
        token, secret = tokens.create_token(session, **asdict(request), now=utc_now())
    return {**token_view(token), "secret": secret}


# Ids are 32-bit integers in the table: a larger one is no token (404), not an overflow.
@blp.route("/<int(max=2147483647):token_id>/revocation", methods=["POST"])
@access(OPERATOR)
@blp.response(200, TokenSchema)
def revoke_token(token_id):
    """Revoke a token: from now on it answers 401 `token_revoked` (again: no change)."""
    with db.write() as session:
        token = tokens.revoke_token(session, token_id, utc_now())
    return token_view(token)
