"""Every list the API serves is paged alike: `limit` (at most the documented maximum), `after`,
and a `next` link; walking the links reads every item exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.commands import command
from app.register import classes, holders, issuance, restrictions, transfers
from app.register.distributions import declare_distribution
from app.register.paging import MAX_PAGE_SIZE
from app.register.requests import (
    CeaseHolder,
    DeclareDistribution,
    EraseHolder,
    IssueShares,
    RegisterPledge,
)
from tests.support.helpers import (
    ACTOR,
    HOLDER_A,
    ORDINARY,
    STATED_PURPOSE,
    Clock,
    allocation,
    bearer,
    class_request,
    holder_request,
    submit,
    transfer_request,
)

DAY_1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY_3 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
# Names that differ only by case, so that ties fall to the holder_id; Zed is erased later.
NAMES = ["ada", "Ada", "Bea", "bea", "Cyd", "Dee", "eve", "Fay", "Gus", "Zed"]


@pytest.fixture
def lists(app, client, new_issuer, make_token):
    """Ten holders of ORD and PREF (20 holdings), a pledge on nine ORD holdings; Zed sells
    out, ceases and is erased after the record date of a distribution on ORD, so the
    entitlement list ends with a holder without a name; seven regulator reads."""
    clock = Clock(DAY_1)
    app.config["LEDGER_CLOCK"] = clock
    issuer_id = new_issuer()["id"]
    with app.app_context():
        with command(ACTOR, issuer_id) as ctx:
            classes.create_class(ctx, class_request())
            classes.create_class(ctx, class_request(ORDINARY, code="PREF", name="Preference"))
            ids = [
                holders.register_holder(
                    ctx, holder_request({**HOLDER_A, "name": name, "identifier": f"ID-{n}"})
                ).holder_id
                for n, name in enumerate(NAMES)
            ]
        allocations = tuple(
            allocation(holder_id, 10 + n, code)
            for n, holder_id in enumerate(ids)
            for code in ("ORD", "PREF")
        )
        submit(issuer_id, issuance.issue_shares, IssueShares(allocations))
        *kept, zed = ids
        with command(ACTOR, issuer_id) as ctx:
            for holder_id in kept:
                pledge = RegisterPledge("ORD", holder_id, 1, "Northern Bank plc, facility 7")
                restrictions.register_pledge(ctx, pledge)
        clock.now = DAY_3
        with command(ACTOR, issuer_id) as ctx:
            for code, quantity in (("ORD", 19), ("PREF", 19)):
                transfers.lodge_transfer(ctx, transfer_request(zed, ids[0], quantity, code))
            holders.cease_holder(ctx, CeaseHolder(zed))
            holders.erase_holder(ctx, EraseHolder(zed))
        request = DeclareDistribution("ORD", Decimal(1), "GBP", record_date=DAY_1.date())
        distribution = submit(issuer_id, declare_distribution, request)
    regulator = {**bearer(make_token("regulator")), **STATED_PURPOSE}
    base = f"/api/v1/issuers/{issuer_id}"
    for _ in range(7):
        assert client.get(f"{base}/holders/{ids[0]}", headers=regulator).status_code == 200
    return {
        "base": base,
        "ids": ids,
        "distribution": f"distributions/{distribution.distribution_id}",
        "headers": bearer(make_token("secretary", issuer_id)),
    }


# list path -> (items' name, how an item is told apart, how many there are)
LISTS = {
    "holders": ("holders", lambda item: item["holder_id"], 10),
    "holdings": ("holdings", lambda item: (item["class"], item["holder_id"]), 20),
    "pledges": ("pledges", lambda item: item["pledge_id"], 9),
    "access-log": ("accesses", lambda item: (item["accessed_at"], item["resource"]), 7),
    "distribution": ("entitlements", lambda item: item["holder_id"], 10),
}


def _path(lists, name: str) -> str:
    return lists["distribution"] if name == "distribution" else name


def _walk(client, lists, name: str, limit: int) -> list[dict]:
    """Every page of a list by its `next` links: the items in the order read."""
    key, _, _ = LISTS[name]
    url = f"{lists['base']}/{_path(lists, name)}?limit={limit}"
    items = []
    while url:
        response = client.get(url, headers=lists["headers"])
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body[key]) <= limit
        items += body[key]
        url = body["next"]
        assert (url is None) == (body["next_after"] is None)
    return items


@pytest.mark.parametrize("name", sorted(LISTS))
@pytest.mark.parametrize("limit", [1, 3, 7])
def test_paging_reads_every_item_exactly_once_in_order(client, lists, name, limit):
    key, identity, count = LISTS[name]
    whole = client.get(
        f"{lists['base']}/{_path(lists, name)}?limit={MAX_PAGE_SIZE}", headers=lists["headers"]
    ).get_json()
    assert whole["next"] is None and whole["next_after"] is None
    walked = _walk(client, lists, name, limit)
    assert len(walked) == count
    assert [identity(item) for item in walked] == [identity(item) for item in whole[key]]
    assert len({identity(item) for item in walked}) == count


def test_the_orders_are_those_documented(client, lists):
    def read(path: str) -> dict:
        return client.get(f"{lists['base']}/{path}", headers=lists["headers"]).get_json()

    holdings = [(h["class"], h["holder_id"]) for h in read("holdings")["holdings"]]
    assert holdings == sorted(holdings)
    lines = read(lists["distribution"])["entitlements"]
    assert lines[-1]["name"] is None  # Zed, erased, last
    named = [(line["name"].lower(), line["holder_id"]) for line in lines[:-1]]
    assert named == sorted(named)
    accesses = [a["accessed_at"] for a in read("access-log")["accesses"]]
    assert accesses == sorted(accesses, reverse=True)


def test_the_next_link_keeps_the_other_parameters(client, lists):
    holder = lists["ids"][3]
    url = f"{lists['base']}/holdings?holder_id={holder}&limit=1"
    body = client.get(url, headers=lists["headers"]).get_json()
    assert f"holder_id={holder}" in body["next"] and "limit=1" in body["next"]
    second = client.get(body["next"], headers=lists["headers"]).get_json()
    assert [(h["class"], h["holder_id"]) for h in second["holdings"]] == [("PREF", holder)]
    assert second["next"] is None


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_limit_above_the_maximum_is_refused(client, lists, name):
    for limit in (MAX_PAGE_SIZE + 1, 0):
        url = f"{lists['base']}/{_path(lists, name)}?limit={limit}"
        response = client.get(url, headers=lists["headers"])
        assert response.status_code == 422, (limit, response.get_json())
        assert response.get_json()["code"] == "invalid_input"
        assert "limit" in response.get_json()["errors"]


@pytest.mark.parametrize("name", sorted(LISTS))
@pytest.mark.parametrize("after", ["no-such-item", "ORD:no-such-holder", ""])
def test_after_an_unknown_key_is_refused_in_words(client, lists, name, after):
    url = f"{lists['base']}/{_path(lists, name)}"
    response = client.get(url, query_string={"after": after}, headers=lists["headers"])
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert "after" in body["errors"]
    if after:
        assert body["code"] == "unknown_after" and repr(after) in body["message"]


def test_the_maximum_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("holders", "holdings", "pledges", "access-log", "distributions/{distribution_id}"):
        (get,) = [
            operation
            for route, item in document["paths"].items()
            if route.startswith("/api/v1/issuers/") and route.endswith(f"/{path}")
            for method, operation in item.items()
            if method == "get"
        ]
        (limit,) = [p for p in get["parameters"] if p["name"] == "limit"]
        assert limit["schema"]["maximum"] == MAX_PAGE_SIZE, path
        assert "after" in {p["name"] for p in get["parameters"]}, path
