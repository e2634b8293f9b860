"""Which log entries concern a holder: the list the investor's browser checks its proofs and
its completeness against (app/web/static/verify.js)."""

from __future__ import annotations

from app.extensions import db
from app.ledger import log
from app.register import holder_entries, holders, queries, restrictions, transfers
from app.register.requests import AmendHolder, ChangeFreeze, RegisterPledge, ReleasePledge
from tests.support.actions import last_command_entry
from tests.support.helpers import seed_register, submit, transfer_request


def _last_index(issuer_id: str) -> int:
    """The index of the entry the last service recorded (not of the notices after it)."""
    return last_command_entry(db.session, issuer_id)["index"]


def _notices_of(issuer_id: str, holder_id: str) -> set[int]:
    """The substantial-holding notices of a holder's share of the votes."""
    size = log.signed_size(db.session, issuer_id)
    return {
        entry.index
        for entry in log.read_entries(db.session, issuer_id, 0, size)
        if entry.envelope["kind"] == "notice.threshold_crossed"
        and entry.envelope["data"]["holder_id"] == holder_id
    }


def test_every_entry_that_concerns_a_holder_is_listed(app, new_issuer):
    issuer_id = new_issuer(disclosure_profile="standard")["id"]  # with its notices
    ada, brunel = seed_register(app, issuer_id, 500)
    with app.app_context():
        expected = {
            entry.index
            for entry in log.read_entries(db.session, issuer_id, 0, _last_index(issuer_id) + 1)
            if ada in str(entry.envelope["data"])
        }
        steps = [
            (holders.amend_holder, AmendHolder(ada, address="1 New Street, London")),
            (holders.amend_holder, AmendHolder(ada, email="ada@elsewhere.test")),
            (transfers.lodge_transfer, transfer_request(ada, brunel, 100)),
            (restrictions.freeze, ChangeFreeze("ORD", ada, 10, "court order 1")),
            (holders.amend_holder, AmendHolder(brunel, address="2 Temple Meads, Bristol")),
            (restrictions.register_pledge, RegisterPledge("ORD", ada, 50, "Bank plc facility 9")),
        ]
        for service, request in steps:
            pledge = submit(issuer_id, service, request)  # the last step's result
            if service is not holders.amend_holder or request.holder_id == ada:
                expected.add(_last_index(issuer_id))
        # The release names only the pledge, yet it changes Ada's holding.
        submit(issuer_id, restrictions.release_pledge, ReleasePledge(pledge.pledge_id))
        expected.add(_last_index(issuer_id))
        submit(issuer_id, holders.amend_holder, AmendHolder(brunel, email="b@example.test"))

        expected |= _notices_of(issuer_id, ada)  # the allotment's and the transfer's
        assert len(_notices_of(issuer_id, ada)) == 2

        holder = queries.get_holder(db.session, issuer_id, ada)
        assert holder_entries.entry_indexes(db.session, holder) == sorted(expected)
