"""One-time tokens for the browser's write forms: a second submission of the same form is
refused and writes nothing.

A form carries a random token in a hidden field (`app.web.forms.OneTimeForm`). Validating the
form marks its token as this request's submission; the next command of the request spends it
in its own transaction, as an idempotency record of the user, the page's path and the token.
A token already spent makes the command refuse, so nothing is written twice. A refused or
failed command rolls back, so its token stays unspent and the corrected form can be sent.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime

from flask import g, has_request_context, request
from sqlalchemy.orm import Session

from app.idempotency import settings, store
from app.register.errors import Refused

_SUBMITTED = "shareledger_submitted_form_token"
ALREADY_SUBMITTED = (
    "This form was already sent and has been carried out once; it was not carried out "
    "again. Check the register below before filling the form in anew."
)


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def expect_submission(token: str) -> None:
    """Mark `token` as the one the request's next command must spend."""
    setattr(g, _SUBMITTED, token)


def claim_submitted_form(session: Session, actor: str, now: datetime) -> None:
    """Spend the request's form token, if any, in `session`'s transaction; Refused
    (`form_already_submitted`) when it was spent before."""
    if not has_request_context():
        return
    token = g.pop(_SUBMITTED, None)
    if token is None:
        return
    scope = store.Scope(actor, request.method, request.path, token)
    fields = json.dumps(sorted(request.form.items(multi=True)))
    fingerprint = hashlib.sha256(fields.encode()).hexdigest()
    if store.claim(session, scope, fingerprint, now, settings.key_ttl()) is not None:
        raise Refused("form_already_submitted", ALREADY_SUBMITTED)
