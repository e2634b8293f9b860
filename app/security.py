"""Security headers on every response, and production's cookie settings.

The Content-Security-Policy allows scripts and styles from this site only, none inline: the
templates keep theirs in app/web/static (tests/test_security_headers.py checks every page)."""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# Two years, the HSTS preload list's minimum.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"


def is_production(app: Flask) -> bool:
    return not (app.debug or app.testing or app.config.get("SIGNING_KEY_AUTOCREATE"))


def init_security(app: Flask) -> None:
    production = is_production(app)
    if production:
        app.config.update(
            SESSION_COOKIE_SECURE=True,
            SESSION_COOKIE_SAMESITE="Lax",
            REMEMBER_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SAMESITE="Lax",
        )

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response
