"""The browser UI: server-rendered pages, no CDN."""

from __future__ import annotations

from flask import Flask

from app.auth.disclosure import PurposeMissing, stated_purpose
from app.web import (
    access_log,
    actions,
    approvals,
    batch_progress,
    can_transfer,
    dashboard,
    disclosure_publish,
    disclosures,
    distributions,
    entry_pages,
    investor,
    issuance,
    member_changes,
    members,
    notices,
    notifications,
    offers,
    portfolio,
    register_views,
    rules_editor,
    transfers,
    views,
)
from app.web.formatting import register_filters
from app.web.member_picker import register_picker


def register_web(app: Flask) -> None:
    register_filters(app)
    register_picker(app)
    app.register_error_handler(PurposeMissing, register_views.ask_for_purpose)
    # Links between a supervisor's pages carry the purpose it stated for the first of them.
    app.context_processor(lambda: {"purpose": stated_purpose()})
    app.register_blueprint(views.blp)
    app.register_blueprint(investor.blp)
    app.register_blueprint(portfolio.blp)
    app.register_blueprint(register_views.blp)
    app.register_blueprint(members.blp)
    app.register_blueprint(access_log.blp)
    app.register_blueprint(member_changes.blp)
    app.register_blueprint(dashboard.blp)
    app.register_blueprint(entry_pages.blp)
    app.register_blueprint(issuance.blp)
    app.register_blueprint(batch_progress.blp)
    app.register_blueprint(actions.blp)
    app.register_blueprint(distributions.blp)
    app.register_blueprint(can_transfer.blp)
    app.register_blueprint(transfers.blp)
    app.register_blueprint(approvals.blp)
    app.register_blueprint(offers.blp)
    app.register_blueprint(rules_editor.blp)
    app.register_blueprint(notices.blp)
    app.register_blueprint(disclosures.blp)
    app.register_blueprint(disclosure_publish.blp)
    app.register_blueprint(notifications.blp)
