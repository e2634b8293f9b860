"""`flask demo` builds realistic registers through the real commands, once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models.register import Holder, Pledge
from app.models.user import User


def test_demo_builds_verifiable_registers_once(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "investor@harbourlights.test" in first.output
    token = first.output.strip().splitlines()[-2].strip()
    assert token.startswith("slt_")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Holder)) >= 50
        assert db.session.scalar(select(func.count()).select_from(Pledge)) == 1
        assert db.session.scalar(select(func.count()).select_from(User)) == 6
    verify = runner.invoke(args=["log", "verify"])
    assert verify.exit_code == 0, verify.output
    assert verify.output.count("register replayed") == 2
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert again.output == first.output  # nothing created twice; same logins printed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 6
