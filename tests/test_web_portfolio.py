"""One investor login, holdings in two issuers: the portfolio shows both; each holding's page
tells its history in words."""

from __future__ import annotations

from app.commands import command
from app.register import holders, transfers
from tests.support.helpers import (
    HOLDER_B,
    holder_request,
    seed_register,
    submit,
    transfer_request,
)
from tests.support.logins import log_in, make_login


def ada_in_two_companies(app, runner, new_issuer) -> tuple[str, str]:
    """Ada holds 39,000 ORD of a brewery (after a transfer of 700 to Brunel) and 1,250 ORD of
    a technology company; her one login is linked to both holders with `flask users link`.
    The two issuers' ids."""
    brewery = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    tech = new_issuer(legal_name="Jade River Technology Co., Ltd.")["id"]
    ada_brewery, brunel = seed_register(app, brewery, shares_for_a=39_700)
    ada_tech, _ = seed_register(app, tech, shares_for_a=1_250)
    with app.app_context():
        submit(brewery, transfers.lodge_transfer, transfer_request(ada_brewery, brunel, 700))
    ada = "ada@example.test"
    make_login(app, ada, "investor", brewery, ada_brewery, display_name="Ada Lovelace")
    link = ["users", "link", "--email", ada, "--issuer", tech, "--holder", ada_tech]
    linked = runner.invoke(args=link)
    assert linked.exit_code == 0, linked.output
    return brewery, tech


def test_an_investor_sees_holdings_in_both_issuers_and_each_history(
    app, client, runner, new_issuer
):
    _, tech = ada_in_two_companies(app, runner, new_issuer)
    log_in(client, "ada@example.test")
    page = client.get("/me/portfolio").get_data(as_text=True)
    assert "Harbour Lights Brewing Ltd" in page and "Jade River Technology Co., Ltd." in page
    assert ">39,000<" in page and ">1,250<" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    mine = client.get("/me/").get_data(as_text=True)
    assert "Test registered a transfer of 700 ORD from Ada Lovelace (No. 1) to Brunel" in mine
    client.post(f"/me/portfolio/{tech}")
    other = client.get("/me/").get_data(as_text=True)
    assert "My holdings in Jade River Technology Co., Ltd." in other
    assert "Test issued 1,250 ORD to Ada Lovelace (No. 1)." in other
    assert "700 ORD" not in other


def test_a_login_cannot_open_an_issuer_it_holds_nothing_in(app, client, runner, new_issuer):
    ada_in_two_companies(app, runner, new_issuer)
    stranger = new_issuer(legal_name="Elsewhere plc")["id"]
    log_in(client, "ada@example.test")
    refused = client.post(f"/me/portfolio/{stranger}", follow_redirects=True)
    assert "This login holds no shares of that issuer." in refused.text
    assert "Harbour Lights" in client.get("/me/").get_data(as_text=True)


def test_linking_refuses_a_holder_not_on_the_register_and_a_second_link(app, runner, new_issuer):
    _, tech = ada_in_two_companies(app, runner, new_issuer)
    missing = runner.invoke(
        args=["users", "link", "--email", "ada@example.test", "--issuer", tech, "--holder", "x"]
    )
    assert missing.exit_code != 0 and "no holder x" in missing.output
    with app.app_context(), command("test", tech) as ctx:
        again = holders.register_holder(ctx, holder_request({**HOLDER_B, "identifier": "B-2"}))
    twice = runner.invoke(
        args=["users", "link", "--email", "ada@example.test", "--issuer", tech, "--holder",
              again.holder_id]
    )  # fmt: skip
    assert twice.exit_code != 0 and "already stands for a holder" in twice.output
