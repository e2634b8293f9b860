"""The authorisation matrix's callers and the answer each rule owes each of them.

Every route declares a rule (app.route_access); from the rule and the caller follows one
expected answer: ALLOWED (the request got past access: a success or a refusal of its input,
state or body), 401, 403, 404, or LOGIN (a page sending an anonymous visitor to the login form).
Issuer-scoped routes are always asked about issuer A, with ids of A's register in the path.

Decisions followed (issue 10): a caller who may not see an issuer gets what an unknown issuer
gets (API: 404 `not_found`), one who sees it but may not do this gets 403, no valid token gets
401 before the body is read, revoked and expired tokens get 401.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.user import SUPERVISORY_ROLES
from app.route_access import (
    INVESTOR,
    ISSUER_JOB,
    ISSUER_READ,
    ISSUER_WRITE,
    OPERATOR,
    PARTY_READ,
    PARTY_WRITE,
    PERSONAL,
    PUBLIC,
    SIGNED_IN,
)

ALLOWED = "allowed"
LOGIN = "login"
API = "api"
WEB = "web"
# What a request that got past access may answer: done, or its input, state or body refused.
ALLOWED_API_STATUSES = frozenset({200, 201, 202, 400, 409, 413, 415, 422})
ALLOWED_WEB_STATUSES = frozenset({200, 302, 400, 409, 422})

NEEDS_ACCESS = "needs branch access"
EXPIRED_TOKENS = "expired tokens"
SCOPED_TOKENS = "a regulator token with --issuer is scoped to that issuer"
UNKNOWN_LIKE_FORBIDDEN = "an issuer the caller may not see answers like an unknown one"
ACCESS_BEFORE_BODY = "authentication and authorisation before the body is read"
# What the `access` branch brings: once merged, drop each delivered item from here, and its
# cells stop being expected to fail (they are strict xfails, so a delivered one fails until
# then).
STILL_PENDING: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Caller:
    name: str
    role: str | None = None  # None: anonymous
    issuer: str | None = None  # "A" or "B": the token's or login's issuer (its scope)
    token: str = "valid"  # or "revoked", "expired"

    @property
    def signed_in(self) -> bool:
        return self.role is not None and self.token == "valid"

    def sees(self, issuer: str) -> bool:
        """Supervisors see every issuer, or the one their token is scoped to; secretaries and
        investors their own (an investor's issuer is listed to it, so it sees it)."""
        if not self.signed_in:
            return False
        unscoped_supervisor = self.role in SUPERVISORY_ROLES and self.issuer is None
        return unscoped_supervisor or self.issuer == issuer

    def may_read(self, issuer: str) -> bool:
        return self.sees(issuer) and (self.role in SUPERVISORY_ROLES or self.role == "secretary")

    def may_write(self, issuer: str) -> bool:
        return self.sees(issuer) and self.role in ("operator", "secretary")


ANONYMOUS = Caller("anonymous")
INVESTOR_A = Caller("investor_of_A", "investor", "A")
INVESTOR_B = Caller("investor_of_B", "investor", "B")
SECRETARY_A = Caller("secretary_of_A", "secretary", "A")
SECRETARY_B = Caller("secretary_of_B", "secretary", "B")
REGULATOR = Caller("regulator", "regulator")
REGULATOR_B = Caller("regulator_scoped_to_B", "regulator", "B")
AUDITOR = Caller("auditor", "auditor")
OPERATOR_CALLER = Caller("operator", "operator")
# Operator tokens: the strongest there is, so that a 401 proves the token state alone refuses.
REVOKED = Caller("revoked_token", "operator", token="revoked")
EXPIRED = Caller("expired_token", "operator", token="expired")

API_CALLERS = (
    ANONYMOUS,
    INVESTOR_A,
    INVESTOR_B,
    SECRETARY_A,
    SECRETARY_B,
    REGULATOR,
    REGULATOR_B,
    AUDITOR,
    OPERATOR_CALLER,
    REVOKED,
    EXPIRED,
)
# Pages are reached with a login, not a token: a login has no revoked or expired state of its
# own (logout and session expiry are tests/test_login_security.py's), and logins of
# supervisors carry no issuer scope, so those three callers are the API's only.
WEB_CALLERS = tuple(
    caller for caller in API_CALLERS if caller not in (REGULATOR_B, REVOKED, EXPIRED)
)

ISSUER_RULES = frozenset({ISSUER_READ, ISSUER_WRITE, PARTY_READ, PARTY_WRITE})


def expected(
    rule: str, caller: Caller, surface: str, path_names_ids: bool, method: str = "GET"
) -> frozenset[str | int]:
    """The answers owed to `caller` on a route with `rule`, about issuer A's register (one,
    but for the case below). `path_names_ids`: the route's path names a resource (an
    instruction, an offer) besides the issuer. An investor's pages act within its own issuer
    and holder, so investor A's instruction is unknown to investor B: a page says 404, and a
    form posted about it gets 404 or is refused as every refusal on that page is, in a message
    on the page it returns to (test_the_matrix_wrote_nothing checks that nothing happened)."""
    if rule == PERSONAL and caller.signed_in:
        if surface == API:
            return frozenset({403})  # the matrix's tokens are made for no person
        # Only investor A's login has a notification (the one the path names).
        if path_names_ids and caller is not INVESTOR_A:
            # Someone else's: a page says 404; a posted form changes nothing and goes back.
            return frozenset({404} if method == "GET" else {404, ALLOWED})
        return frozenset({ALLOWED})
    if rule == PUBLIC:
        # A public route may still refuse credentials that are no good (rather than ignore them).
        return frozenset({ALLOWED} if caller.token == "valid" else {ALLOWED, 401})
    if not caller.signed_in:
        return frozenset({LOGIN if surface == WEB else 401})
    if rule == INVESTOR and caller.role == "investor" and caller.issuer != "A" and path_names_ids:
        return frozenset({404} if method == "GET" else {404, ALLOWED})
    return frozenset({_one_answer(rule, caller, surface)})


def _one_answer(rule: str, caller: Caller, surface: str) -> str | int:
    if rule == SIGNED_IN:
        return ALLOWED
    if rule == OPERATOR:
        return ALLOWED if caller.role == "operator" else 403
    if rule == INVESTOR:
        return ALLOWED if caller.role == "investor" else 403
    if rule == ISSUER_JOB:  # the world's job is issuer A's, made by the operator
        return ALLOWED if caller.may_write("A") else 404
    if not caller.sees("A"):
        # The pages refuse an outsider with 403 whether or not the issuer exists, so they
        # too answer unknown and forbidden issuers alike.
        return 404 if surface == API else 403
    if rule in (PARTY_READ, PARTY_WRITE) and caller.role == "investor":
        return ALLOWED
    if rule in (ISSUER_READ, PARTY_READ):
        return ALLOWED if caller.may_read("A") else 403
    return ALLOWED if caller.may_write("A") else 403


def pending_reason(rule: str, caller: Caller, surface: str, reads_body_first: bool) -> str | None:
    """Why a cell fails until the `access` branch is merged (None: it passes today)."""
    if surface != API or rule == PUBLIC:
        return None
    answers = expected(rule, caller, surface, path_names_ids=False)
    if caller.token == "expired":
        pending = EXPIRED_TOKENS
    elif caller is REGULATOR_B and (rule in ISSUER_RULES or rule == SIGNED_IN):
        pending = SCOPED_TOKENS
    elif answers == {404} and rule in ISSUER_RULES:
        pending = UNKNOWN_LIKE_FORBIDDEN
    elif answers == {401} and reads_body_first:
        return None  # app.request_guard answers 401 to a write without a valid token, unread
    elif answers & {401, 403} and reads_body_first:
        pending = ACCESS_BEFORE_BODY
    else:
        return None
    return f"{NEEDS_ACCESS}: {pending}" if pending in STILL_PENDING else None


@dataclass(frozen=True)
class Seen:
    """What a caller may find in an answer, by issuer: everything of the issuers it reads,
    and of an issuer whose investor it is, the holders its holder deals with."""

    names: dict[str, dict[str, str]]  # issuer -> {label: distinctive text (id or name)}
    investor_sees: dict[str, frozenset[str]]  # issuer -> labels its investor may see

    def forbidden(self, caller: Caller, public: bool = False) -> set[str]:
        """What the caller may not find; on a public route (disclosures, the document check)
        the issuer itself is public, its holders are not."""
        hidden = set()
        for issuer, texts in self.names.items():
            if public:
                texts = {k: v for k, v in texts.items() if k not in ("issuer", "issuer name")}
            if caller.signed_in and caller.sees(issuer):
                if caller.role == "investor":
                    hidden |= {
                        text
                        for label, text in texts.items()
                        if label not in self.investor_sees[issuer]
                    }
                continue
            hidden |= set(texts.values())
        return hidden
