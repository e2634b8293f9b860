"""The browser UI: server-rendered pages, no CDN."""

from __future__ import annotations

from flask import Flask

from app.web import (
    approvals,
    can_transfer,
    investor,
    notices,
    offers,
    register_views,
    rules_editor,
    transfers,
    views,
)


def register_web(app: Flask) -> None:
    app.register_blueprint(views.blp)
    app.register_blueprint(investor.blp)
    app.register_blueprint(register_views.blp)
    app.register_blueprint(can_transfer.blp)
    app.register_blueprint(transfers.blp)
    app.register_blueprint(approvals.blp)
    app.register_blueprint(offers.blp)
    app.register_blueprint(rules_editor.blp)
    app.register_blueprint(notices.blp)
