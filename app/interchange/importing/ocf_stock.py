"""Replaying OCF stock transactions onto a plan, security by security.

OCF tracks securities: every stock issuance creates one (`security_id`), and a transfer,
cancellation, repurchase, conversion or reissuance consumes one and creates its results, each
described by its own TX_STOCK_ISSUANCE (`resulting_security_ids`, `balance_security_id`). The
register tracks holdings per (class, holder) instead, so:

- an issuance that creates a result of another transaction is not an allotment: it only
  describes where the parent transaction's shares went;
- a transfer becomes one settled transfer per resulting security held by someone else;
- a reissuance (e.g. new certificates, or after a split) changes no holding and is checked only;
- an acceptance changes nothing; a cancellation, repurchase, conversion or class split goes
  through the register's capital and reorganisation services; a retraction (an issuance the
  holder never accepted) cancels the security's shares.

Transactions run in date order, then by id; one that names a security created later the same
day (or a reissuance that reflects a split not yet replayed) waits for it. A security whose
creation failed is "unresolvable": what depends on it is not reported again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from app.interchange.importing import ocf_moves as moves
from app.interchange.importing import values
from app.interchange.importing.ocf_package import OcfObject
from app.interchange.importing.plan import Plan, Progress
from app.interchange.importing.values import BadValue
from app.register.ratios import Ratio, RatioError, parse_ratio

if TYPE_CHECKING:
    from app.interchange.importing.ocf_import import Members

ISSUANCE = "TX_STOCK_ISSUANCE"
SECURITY_TRANSACTIONS = (
    "TX_STOCK_TRANSFER",
    "TX_STOCK_CANCELLATION",
    "TX_STOCK_REPURCHASE",
    "TX_STOCK_CONVERSION",
    "TX_STOCK_REISSUANCE",
    "TX_STOCK_ACCEPTANCE",
    "TX_STOCK_RETRACTION",
)
CLASS_TRANSACTIONS = ("TX_STOCK_CLASS_SPLIT", "TX_STOCK_CLASS_AUTHORIZED_SHARES_ADJUSTMENT")
STOCK_TRANSACTIONS = frozenset((ISSUANCE, *SECURITY_TRANSACTIONS, *CLASS_TRANSACTIONS))


@dataclass
class Security:
    id: str
    stakeholder: str
    code: str
    quantity: int
    created_by: str
    date: str
    closed_by: str | None = None


@dataclass(frozen=True)
class Issued:
    """A TX_STOCK_ISSUANCE, checked."""

    item: OcfObject
    security_id: str
    stakeholder: str
    code: str
    quantity: int
    price: Decimal
    currency: str
    reference: str


def _outputs(item: OcfObject) -> list[str]:
    data = item.data
    balance = [data["balance_security_id"]] if data.get("balance_security_id") else []
    return [*data.get("resulting_security_ids", []), *balance]


class StockBook:
    def __init__(
        self,
        plan: Plan,
        members: Members,
        class_codes: dict[str, str],
        unresolvable: set[str],
        progress: Progress,
    ) -> None:
        self.plan = plan
        self.members = members
        self.class_codes = class_codes
        self.unresolvable = set(unresolvable)
        self.progress = progress
        self.securities: dict[str, Security] = {}
        self.issuances: dict[str, list[OcfObject]] = {}
        self.derived: dict[str, str] = {}  # security id -> the transaction it results from
        self.waiting: dict[str, list[OcfObject]] = {}
        self.claimed: set[str] = set()  # security ids created (or attempted) so far
        self.splits: set[str] = set()  # ids of the package's class splits
        self.processed: set[str] = set()  # ids of the transactions replayed so far

    # --- the walk ------------------------------------------------------------------------

    def run(self, transactions: list[OcfObject]) -> None:
        for item in transactions:
            if item.object_type == ISSUANCE:
                self.issuances.setdefault(item.data["security_id"], []).append(item)
            if item.object_type == "TX_STOCK_CLASS_SPLIT":
                self.splits.add(item.where)
            for security_id in _outputs(item):
                parent = self.derived.setdefault(security_id, item.where)
                if parent != item.where:
                    self.plan.problem(
                        item.where,
                        "duplicate_security",
                        f"security {security_id} also results from {parent}",
                    )
        ordered = sorted(transactions, key=lambda t: (t.data["date"], t.where))
        for done, item in enumerate(ordered, start=1):
            self._dispatch(item)
            self.progress.step("OCF transactions replayed", done, len(ordered))
        for security_id, items in self.waiting.items():
            for item in items:
                self.plan.problem(
                    item.where,
                    "unknown_security",
                    f"security {security_id} is never created (see the problems above)",
                )

    def _wait(self, for_id: str, item: OcfObject) -> None:
        self.waiting.setdefault(for_id, []).append(item)

    def _release(self, for_id: str) -> None:
        for item in self.waiting.pop(for_id, []):
            self._dispatch(item)

    def _dispatch(self, item: OcfObject) -> None:
        kind = item.object_type
        if kind == ISSUANCE:
            if item.data["security_id"] not in self.derived:
                self._issue(item)
        elif kind in CLASS_TRANSACTIONS:
            planned = moves.class_transaction(self, item)
            self.processed.add(item.where)
            if planned:
                self._release(item.where)
            else:
                for waiting in self.waiting.pop(item.where, []):
                    self._poison([waiting.data["security_id"], *_outputs(waiting)])
        else:
            self._with_security(item)

    def _with_security(self, item: OcfObject) -> None:
        security_id = item.data["security_id"]
        security = self.securities.get(security_id)
        split_id = item.data.get("split_transaction_id")
        if security_id in self.unresolvable:
            self._poison(_outputs(item))
        elif split_id and split_id not in self.processed:
            # A reissuance after a split reflects it: replay it once the split is.
            if split_id in self.splits:
                self._wait(split_id, item)
            else:
                self._fail(item, "unknown_transaction", f"no TX_STOCK_CLASS_SPLIT {split_id}")
        elif security is None and (security_id in self.issuances or security_id in self.derived):
            self._wait(security_id, item)
        elif security is None:
            self._fail(item, "unknown_security", f"no TX_STOCK_ISSUANCE creates {security_id}")
        elif item.data["date"] < security.date:
            self._fail(
                item,
                "out_of_order",
                f"dated {item.data['date']}, before {security.created_by} created "
                f"{security_id} on {security.date}",
            )
        elif security.closed_by is not None:
            self._fail(
                item,
                "security_closed",
                f"{security_id} was already used up by {security.closed_by}",
            )
        else:
            moves.HANDLERS[item.object_type](self, item, security)

    def _fail(self, item: OcfObject, code: str, message: str) -> None:
        self.plan.problem(item.where, code, message)
        self._poison(_outputs(item))

    def _poison(self, security_ids: Iterable[str]) -> None:
        """These securities will never exist (already reported): neither will anything that
        waits for them, nor what that would have created."""
        pending = list(security_ids)
        while pending:
            security_id = pending.pop()
            self.unresolvable.add(security_id)
            for item in self.waiting.pop(security_id, []):
                pending.extend(_outputs(item))

    def _open(self, issued: Issued, created_by: str, date: str) -> None:
        self.securities[issued.security_id] = Security(
            issued.security_id, issued.stakeholder, issued.code, issued.quantity, created_by, date
        )
        self._release(issued.security_id)

    # --- reading issuances -------------------------------------------------------------------

    def checked(self, item: OcfObject, check: Callable[[], Any]) -> Any:
        try:
            return check()
        except BadValue as error:
            self.plan.bad_value(item.where, error)
            return None

    def quantity(self, item: OcfObject, name: str = "quantity", minimum: int = 1) -> int | None:
        return self.checked(item, lambda: values.whole_number(item.data[name], name, minimum))

    def _reference(self, stakeholder_id: str, item: OcfObject) -> bool:
        if self.members.known(stakeholder_id):
            return True
        if stakeholder_id not in self.unresolvable:
            self.plan.problem(item.where, "unknown_stakeholder", f"no stakeholder {stakeholder_id}")
        return False

    def code(self, class_id: str, item: OcfObject) -> str | None:
        code = self.class_codes.get(class_id)
        if code is None and class_id not in self.unresolvable:
            self.plan.problem(item.where, "unknown_class", f"no stock class {class_id}")
        return code

    def _issued(self, item: OcfObject) -> Issued | None:
        data = item.data
        known = self._reference(data["stakeholder_id"], item)
        code = self.code(data["stock_class_id"], item)
        quantity = self.quantity(item)
        price = self.checked(item, lambda: values.money(data["share_price"]["amount"], "price"))
        reference = self.checked(
            item, lambda: values.text(data.get("custom_id") or data["security_id"], "id", 200)
        )
        if not known or None in (code, quantity, price, reference):
            return None
        currency = data["share_price"]["currency"]
        return Issued(
            item,
            data["security_id"],
            data["stakeholder_id"],
            code,
            quantity,
            price,
            currency,
            reference,
        )

    def _issue(self, item: OcfObject) -> None:
        security_id = item.data["security_id"]
        if security_id in self.claimed:
            self._fail(item, "duplicate_security", f"security {security_id} is issued twice")
            return
        self.claimed.add(security_id)
        issued = self._issued(item)
        key = issued and self.members.key(issued.stakeholder, item.data["date"])
        if key is None:
            self._poison([security_id])
            return
        self.plan.issue(
            item.where,
            issued.code,
            key,
            issued.quantity,
            price=issued.price,
            currency=issued.currency,
            reference=issued.reference,
        )
        self._open(issued, item.where, item.data["date"])

    def results(self, item: OcfObject, security_ids: Iterable[str]) -> list[Issued] | None:
        """The issuances that describe a transaction's resulting securities."""
        results: list[Issued] = []
        for security_id in security_ids:
            found = self.issuances.get(security_id, [])
            if len(found) != 1 or security_id in self.claimed:
                how = "no" if not found else "more than one"
                self.plan.problem(
                    item.where,
                    "unknown_security" if not found else "duplicate_security",
                    f"{how} TX_STOCK_ISSUANCE describes resulting security {security_id}",
                )
                return None
            self.claimed.add(security_id)
            issued = self._issued(found[0])
            if issued is None:
                return None
            results.append(issued)
        return results

    # --- what each transaction does ---------------------------------------------------------

    def abandon(self, item: OcfObject, security: Security) -> None:
        """A transaction that cannot be planned (already reported): what it touches is not
        chased any further."""
        self._poison([security.id, *_outputs(item)])

    def close(self, item: OcfObject, security: Security, created: list[Issued]) -> None:
        security.closed_by = item.where
        for issued in created:
            self._open(issued, item.where, item.data["date"])

    def holder(self, stakeholder_id: str, item: OcfObject) -> str | None:
        return self.members.key(stakeholder_id, item.data["date"])

    def partial(
        self, item: OcfObject, security: Security, name: str
    ) -> tuple[int, list[Issued]] | None:
        """The quantity a transaction takes from a security, and the issuance describing the
        balance left (if any), checked against each other."""
        quantity = self.quantity(item, name)
        if quantity is None:
            return None
        if quantity > security.quantity:
            self.plan.problem(
                item.where,
                "insufficient_available",
                f"{name} {quantity:,} is more than the {security.quantity:,} shares of "
                f"security {security.id}",
            )
            return None
        balance_id = item.data.get("balance_security_id")
        balance = self.results(item, [balance_id] if balance_id else [])
        if balance is None:
            return None
        rest = (security.stakeholder, security.code, security.quantity - quantity)
        for issued in balance:
            if (issued.stakeholder, issued.code, issued.quantity) != rest:
                self.plan.problem(
                    item.where,
                    "balance_mismatch",
                    f"balance security {issued.security_id} should be {rest[2]:,} {rest[1]} "
                    f"shares of {rest[0]}",
                )
                return None
        return quantity, balance

    def same_holder(
        self, item: OcfObject, security: Security, results: list[Issued], same_class: bool
    ) -> bool:
        for issued in results:
            if issued.stakeholder != security.stakeholder:
                self.plan.problem(
                    item.where,
                    "holder_mismatch",
                    f"resulting security {issued.security_id} belongs to {issued.stakeholder}, "
                    f"not to {security.stakeholder}",
                )
                return False
            if (issued.code == security.code) != same_class:
                self.plan.problem(
                    item.where,
                    "class_mismatch",
                    f"resulting security {issued.security_id} is of class {issued.code}",
                )
                return False
        return True

    def open_securities(self, code: str) -> list[Security]:
        """The securities of a class not yet used up (nor unresolvable), oldest first."""
        return [
            security
            for security in self.securities.values()
            if security.code == code
            and security.closed_by is None
            and security.id not in self.unresolvable
        ]

    def ratio(self, item: OcfObject, factor: Fraction) -> Ratio | None:
        try:
            return parse_ratio(f"{factor.numerator}:{factor.denominator}", allow_unchanged=True)
        except RatioError as error:
            self.plan.problem(item.where, "invalid_ratio", str(error))
            return None
