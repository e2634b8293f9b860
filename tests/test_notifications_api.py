"""A login's notifications over the API (`/api/v1/me/notifications`) and on the page
(`/notifications`, the header's unread count): listing, unread count, marking read; follows;
and access: one login never sees nor marks another's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.auth.tokens import create_token
from app.extensions import db
from app.ledger.log import utc_now
from app.register import appliers as register_appliers
from app.register.errors import InvalidInput
from app.register.projection import ignore
from app.transfers import workflow
from tests.support import logins
from tests.support.helpers import Clock, bearer, set_clock
from tests.support.logins import make_login
from tests.support.notifications import Firm, make_firm

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(app) -> Clock:
    return set_clock(app, START)


@pytest.fixture
def firm(app, clock, new_issuer) -> Firm:
    return make_firm(app, new_issuer(legal_name="Inbox Widgets plc")["id"])


def personal_token(app, user_id: int) -> dict[str, str]:
    """The headers of a personal token of the login (with the login's role, issuer, holder)."""
    from app.models.user import User

    with app.app_context(), db.write() as session:
        user = session.get(User, user_id)
        _, secret = create_token(
            session,
            role=user.role,
            label="personal",
            issuer_id=user.issuer_id,
            holder_id=user.holder_id,
            user_id=user.id,
            now=utc_now(),
        )
    return bearer(secret)


def two_notifications_for_b(firm: Firm) -> None:
    firm.instruct(10)
    firm.instruct(20)


def test_the_list_is_newest_first_with_the_unread_count(client, app, firm):
    two_notifications_for_b(firm)
    response = client.get("/api/v1/me/notifications", headers=personal_token(app, firm.logins["b"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["unread"] == 2
    assert [item["log_index"] for item in body["notifications"]] == sorted(
        (row.log_index for row in firm.rows("b")), reverse=True
    )
    first = body["notifications"][0]
    assert first["subject"] == "A transfer to you awaits your acceptance"
    assert "20 ORD shares in Inbox Widgets plc" in first["body"]
    assert (first["issuer_id"], first["read_at"], first["state"]) == (
        firm.issuer_id,
        None,
        "pending",
    )
    assert body["next_after"] is None


def test_pages_follow_one_another(client, app, firm):
    two_notifications_for_b(firm)
    headers = personal_token(app, firm.logins["b"])
    first = client.get("/api/v1/me/notifications?limit=1", headers=headers).get_json()
    assert len(first["notifications"]) == 1 and first["next_after"]
    second = client.get(first["next"], headers=headers).get_json()
    assert len(second["notifications"]) == 1 and second["next_after"] is None
    assert first["notifications"][0]["id"] != second["notifications"][0]["id"]


def test_marking_read_lowers_the_unread_count(client, app, firm, clock):
    two_notifications_for_b(firm)
    headers = personal_token(app, firm.logins["b"])
    newest = client.get("/api/v1/me/notifications", headers=headers).get_json()["notifications"][0]
    marked = client.post(f"/api/v1/me/notifications/{newest['id']}/read", headers=headers)
    assert marked.status_code == 200, marked.get_json()
    assert marked.get_json()["read_at"].startswith("2026-05-04T09:00:00")
    listing = client.get("/api/v1/me/notifications", headers=headers).get_json()
    assert listing["unread"] == 1
    unread = client.get("/api/v1/me/notifications?unread=true", headers=headers).get_json()
    assert [item["id"] for item in unread["notifications"]] != [newest["id"]]
    assert len(unread["notifications"]) == 1
    everything = client.post("/api/v1/me/notifications/read", headers=headers)
    assert everything.get_json() == {"marked": 1, "unread": 0}


def test_one_login_never_sees_nor_marks_anothers_notifications(client, app, firm):
    two_notifications_for_b(firm)
    (theirs,) = firm.rows("b")[:1]
    headers = personal_token(app, firm.logins["a"])
    listing = client.get("/api/v1/me/notifications", headers=headers).get_json()
    assert listing == {"notifications": [], "unread": 0, "next_after": None, "next": None}
    refused = client.post(f"/api/v1/me/notifications/{theirs.id}/read", headers=headers)
    assert refused.status_code == 404
    assert refused.get_json()["code"] == "not_found"
    assert firm.rows("b")[0].read_at is None
    marked_all = client.post("/api/v1/me/notifications/read", headers=headers)
    assert marked_all.get_json()["marked"] == 0
    assert {row.read_at for row in firm.rows("b")} == {None}


def test_a_token_of_no_login_has_no_notifications(client, make_token, firm):
    headers = bearer(make_token("secretary", firm.issuer_id))
    response = client.get("/api/v1/me/notifications", headers=headers)
    assert response.status_code == 403
    assert response.get_json()["code"] == "not_a_personal_token"


def test_without_a_token_the_answer_is_401(client):
    assert client.get("/api/v1/me/notifications").status_code == 401
    assert client.post("/api/v1/me/notifications/read").status_code == 401
    assert client.post("/api/v1/me/follows/anything").status_code == 401


def test_a_personal_token_must_match_its_login(app, firm):
    with app.app_context(), db.write() as session, pytest.raises(InvalidInput):
        create_token(
            session,
            role="operator",
            label="escalation",
            issuer_id=None,
            user_id=firm.logins["b"],
            now=utc_now(),
        )


def test_the_cli_makes_personal_tokens(app, runner, client, firm):
    two_notifications_for_b(firm)
    with app.app_context():
        from app.models.user import User

        user = db.session.get(User, firm.logins["b"])
        args = ["--role", "investor", "--issuer", firm.issuer_id, "--holder", user.holder_id]
        email = user.email
    result = runner.invoke(args=["tokens", "create", "--label", "me", *args, "--user", email])
    assert result.exit_code == 0, result.output
    headers = bearer(result.output.strip().splitlines()[-1])
    assert client.get("/api/v1/me/notifications", headers=headers).get_json()["unread"] == 2
    unknown = runner.invoke(args=["tokens", "create", "--label", "x", *args, "--user", "no@x.y"])
    assert unknown.exit_code != 0 and "no login no@x.y" in unknown.output


def test_follows_are_listed_and_undone(client, app, firm, monkeypatch):
    follower = make_login(app, "reader@example.test", "regulator")
    headers = personal_token(app, follower)
    followed = client.post(f"/api/v1/me/follows/{firm.issuer_id}", headers=headers)
    assert followed.status_code == 201, followed.get_json()
    assert followed.get_json()["issuer_id"] == firm.issuer_id
    again = client.post(f"/api/v1/me/follows/{firm.issuer_id}", headers=headers)
    assert again.status_code == 201
    listing = client.get("/api/v1/me/follows", headers=headers).get_json()
    assert [item["issuer_id"] for item in listing["follows"]] == [firm.issuer_id]
    # A follower hears of a public disclosure.
    monkeypatch.setitem(register_appliers._APPLIERS, "disclosure.published", ignore)
    data = {"disclosure_id": "e" * 32, "title": "Interim results", "audience": "public"}
    with app.app_context():
        from app.commands import command

        with command("test", firm.issuer_id) as ctx:
            ctx.record("disclosure.published", data)
    inbox = client.get("/api/v1/me/notifications", headers=headers).get_json()
    assert [item["subject"] for item in inbox["notifications"]] == [
        "Inbox Widgets plc published: Interim results"
    ]
    gone = client.delete(f"/api/v1/me/follows/{firm.issuer_id}", headers=headers)
    assert gone.status_code == 204
    assert client.get("/api/v1/me/follows", headers=headers).get_json() == {"follows": []}


def test_following_an_unknown_issuer_is_404(client, app):
    headers = personal_token(app, make_login(app, "reader@example.test", "regulator"))
    response = client.post("/api/v1/me/follows/no-such-issuer", headers=headers)
    assert response.status_code == 404
    assert client.get("/api/v1/me/follows", headers=headers).get_json() == {"follows": []}


# --- the page --------------------------------------------------------------------------------


def log_in(client, app, user_id: int) -> None:
    from app.models.user import User

    with app.app_context():
        email = db.session.get(User, user_id).email
    logins.log_in(client, email)


def test_the_page_lists_notifications_and_the_header_counts_unread(client, app, firm):
    two_notifications_for_b(firm)
    log_in(client, app, firm.logins["b"])
    page = client.get("/notifications").get_data(as_text=True)
    assert '<span id="unread-count">2</span> unread' in page
    assert "<caption>Your notifications (newest first)</caption>" in page
    assert page.count("<strong>A transfer to you awaits your acceptance</strong>") == 2
    # Any page's header shows the count.
    assert '<span id="unread-count">2</span> unread' in client.get("/me/").get_data(as_text=True)


def test_the_page_marks_one_and_then_all_read(client, app, firm):
    two_notifications_for_b(firm)
    log_in(client, app, firm.logins["b"])
    newest = firm.rows("b")[-1]
    response = client.post(f"/notifications/{newest.id}/read")
    assert response.status_code == 302
    assert '<span id="unread-count">1</span> unread' in client.get("/notifications").get_data(
        as_text=True
    )
    client.post("/notifications/read")
    page = client.get("/notifications").get_data(as_text=True)
    assert 'id="unread-count"' not in page
    assert {row.read_at for row in firm.rows("b")} == {START}


def test_the_page_shows_only_the_users_own(client, app, firm):
    two_notifications_for_b(firm)
    log_in(client, app, firm.logins["a"])
    page = client.get("/notifications").get_data(as_text=True)
    assert "You have no notifications." in page
    client.post(f"/notifications/{firm.rows('b')[0].id}/read")
    assert firm.rows("b")[0].read_at is None


def test_the_page_needs_a_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_secretary_sees_the_decision_notification_on_the_page(client, app, firm):
    tid = firm.instruct(10)
    firm.step(workflow.accept, tid, party=firm.b)
    log_in(client, app, firm.logins["sec2"])
    page = client.get("/notifications").get_data(as_text=True)
    assert "A transfer awaits the company&#39;s decision" in page
    assert f'href="/issuers/{firm.issuer_id}/approvals"' in page
