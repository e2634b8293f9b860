"""The access log over the API, narrowed as on its page: by member (their own reads and reads
of the whole register) and by whole days in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.helpers import bearer, record_reads, seed_register

DAYS = [datetime(2026, 3, day, 9, 30, tzinfo=UTC) for day in (2, 3, 4)]


@pytest.fixture
def reads(app, client, new_issuer, make_token) -> dict:
    """A regulator reads holder A on 2 March, the whole register on 3 March, B on 4 March."""
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=10)
    record_reads(app, issuer_id, *zip(DAYS, (a, None, b), ["review"] * 3, strict=True))
    return {
        "url": f"/api/v1/issuers/{issuer_id}/access-log",
        "a": a,
        "b": b,
        "headers": bearer(make_token("secretary", issuer_id)),
    }


def _days_read(client, reads, **query) -> list[int]:
    response = client.get(reads["url"], query_string=query, headers=reads["headers"])
    assert response.status_code == 200, response.get_json()
    return [int(item["accessed_at"][8:10]) for item in response.get_json()["accesses"]]


def test_unfiltered_it_lists_every_read_latest_first(client, reads):
    assert _days_read(client, reads) == [4, 3, 2]


def test_a_members_reads_include_reads_of_the_whole_register(client, reads):
    assert _days_read(client, reads, holder_id=reads["a"]) == [3, 2]
    assert _days_read(client, reads, holder_id=reads["b"]) == [4, 3]


def test_days_are_whole_and_both_ends_count(client, reads):
    assert _days_read(client, reads, since="2026-03-03") == [4, 3]
    assert _days_read(client, reads, until="2026-03-03") == [3, 2]
    assert _days_read(client, reads, since="2026-03-03", until="2026-03-03") == [3]
    assert _days_read(client, reads, since="2026-03-05") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "2026-03-04", "until": "2026-03-02"}, "until"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-02-30"}, "until"),
        ({"holder_id": ""}, "holder_id"),
    ],
)
def test_a_bad_filter_is_refused_with_its_field_named(client, reads, query, field):
    response = client.get(reads["url"], query_string=query, headers=reads["headers"])
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] and body["message"]
    assert field in str(body)
