"""Who may call a route, declared next to it: `@access(ISSUER_READ)` under `@blp.route(...)`.

The declaration does not enforce anything; each view still checks access itself (app.api.access,
the web pages' own checks). It states the rule those checks must add up to, in one word, so that
the OpenAPI document can say which operations need a token (app.api.blueprints) and the
authorisation matrix test can derive, for every route and every kind of caller, the one answer
expected, and fail on a route that declares nothing. Flask-free: it only labels functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

View = TypeVar("View", bound=Callable)

PUBLIC = "public"
SIGNED_IN = "signed_in"
OPERATOR = "operator"
ISSUER_READ = "issuer_read"
ISSUER_WRITE = "issuer_write"
PARTY_READ = "party_read"
PARTY_WRITE = "party_write"
INVESTOR = "investor"
PERSONAL = "personal"
ISSUER_JOB = "issuer_job"

RULES: dict[str, str] = {
    PUBLIC: "anyone, without credentials",
    SIGNED_IN: "any valid token or login; the answer holds only what the caller may see",
    OPERATOR: "the operator only",
    ISSUER_READ: "the issuer's secretary, and supervisors (operator, regulator, auditor) "
    "whose scope includes the issuer",
    ISSUER_WRITE: "the issuer's secretary and the operator",
    PARTY_READ: f"as {ISSUER_READ}, and the issuer's investor for what its holder is party to",
    PARTY_WRITE: f"as {ISSUER_WRITE}, and the issuer's investor acting for its own holder",
    INVESTOR: "a signed-in investor, for its own holder (the pages under /me)",
    ISSUER_JOB: "a job's creator and whoever may change its issuer's register; to anyone else "
    "it answers as an unknown job (404)",
    PERSONAL: "a person: a login, or a token made for one (`tokens create --user`); what they "
    "are told and follow is their own",
}

# Endpoints Flask and flask-smorest add themselves, which no view of ours can be labelled on.
FRAMEWORK_ENDPOINTS: dict[str, str] = {
    "web.static": PUBLIC,
    "api-docs.openapi_json": PUBLIC,
}


def access(rule: str) -> Callable[[View], View]:
    """Declare the route's rule (one of RULES) on its view."""
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}; use one of {', '.join(RULES)}")

    def declare(view: View) -> View:
        view.access_rule = rule
        # flask-smorest keeps a view's documentation in `_apidoc` and hands it to the
        # documentation callbacks; the OpenAPI document reads the rule from there.
        view._apidoc = {**getattr(view, "_apidoc", {}), "access_rule": rule}
        return view

    return declare


def declared_rule(endpoint: str, view: Callable | None) -> str | None:
    """The rule declared for an endpoint, looking through wrappers (None: undeclared)."""
    if endpoint in FRAMEWORK_ENDPOINTS:
        return FRAMEWORK_ENDPOINTS[endpoint]
    while view is not None:
        rule = getattr(view, "access_rule", None)
        if rule is not None:
            return rule
        view = getattr(view, "__wrapped__", None)
    return None
