"""What each OCF stock transaction does to the plan (see `ocf_stock` for the walk): checked
against the securities it consumes and creates, then handed to the plan as register steps."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING

from app.interchange.formats.ocf_reorganisations import read_terms_comment, share_out
from app.interchange.importing import values
from app.interchange.importing.ocf_package import OcfObject
from app.interchange.importing.plan import FRACTION_POLICY
from app.register.errors import InvalidInput
from app.register.fraction_terms import parse_terms
from app.register.ratios import Ratio, allot
from app.register.requests import FractionTerms

if TYPE_CHECKING:
    from app.interchange.importing.ocf_stock import Security, StockBook


def transfer(book: StockBook, item: OcfObject, security: Security) -> None:
    taken = book.partial(item, security, "quantity")
    results = taken and book.results(item, item.data["resulting_security_ids"])
    if not results:
        return book.abandon(item, security)
    quantity, balance = taken
    moved = sum(issued.quantity for issued in results)
    if moved != quantity:
        book.plan.problem(
            item.where,
            "quantity_mismatch",
            f"the resulting securities hold {moved:,} shares; the transfer moves {quantity:,}",
        )
        return book.abandon(item, security)
    if any(issued.code != security.code for issued in results):
        book.plan.problem(item.where, "class_mismatch", "a transfer cannot change the class")
        return book.abandon(item, security)
    source = book.holder(security.stakeholder, item)
    targets = [book.holder(issued.stakeholder, item) for issued in results]
    if None in targets:
        return book.abandon(item, security)
    for issued, target in zip(results, targets, strict=True):
        if target != source:
            reference = f"OCF {item.object_type} {item.where}"
            book.plan.transfer(
                item.where, security.code, source, target, issued.quantity, reference
            )
    book.close(item, security, [*results, *balance])


def reissue(book: StockBook, item: OcfObject, security: Security) -> None:
    results = book.results(item, item.data["resulting_security_ids"])
    if results is None or not book.same_holder(item, security, results, same_class=True):
        return book.abandon(item, security)
    total = sum(issued.quantity for issued in results)
    if total != security.quantity:
        book.plan.problem(
            item.where,
            "quantity_mismatch",
            f"the resulting securities hold {total:,} shares; {security.id} holds "
            f"{security.quantity:,}",
        )
        return book.abandon(item, security)
    book.plan.counts["reissuances"] += 1
    book.close(item, security, results)


def accept(book: StockBook, item: OcfObject, _security: Security) -> None:
    book.plan.counts["acceptances"] += 1


def cancel(book: StockBook, item: OcfObject, security: Security) -> None:
    taken = book.partial(item, security, "quantity")
    reason = book.checked(item, lambda: values.text(item.data["reason_text"], "reason", 500))
    if taken is None or not reason:
        return book.abandon(item, security)
    quantity, balance = taken
    key = book.holder(security.stakeholder, item)
    book.plan.cancel(item.where, security.code, key, quantity, reason)
    book.close(item, security, balance)


def retract(book: StockBook, item: OcfObject, security: Security) -> None:
    # A retracted issuance was never accepted: its shares go, as a cancellation.
    why = book.checked(item, lambda: values.text(item.data["reason_text"], "reason", 480))
    if not why:
        return book.abandon(item, security)
    key = book.holder(security.stakeholder, item)
    book.plan.cancel(item.where, security.code, key, security.quantity, f"retracted: {why}")
    book.close(item, security, [])


def repurchase(book: StockBook, item: OcfObject, security: Security) -> None:
    taken = book.partial(item, security, "quantity")
    price = book.checked(item, lambda: values.money(item.data["price"]["amount"], "price"))
    if taken is None or price is None:
        return book.abandon(item, security)
    quantity, balance = taken
    key = book.holder(security.stakeholder, item)
    currency = item.data["price"]["currency"]
    book.plan.repurchase(item.where, security.code, key, quantity, price, currency)
    book.close(item, security, balance)


def convert(book: StockBook, item: OcfObject, security: Security) -> None:
    taken = book.partial(item, security, "quantity_converted")
    results = None if taken is None else book.results(item, item.data["resulting_security_ids"])
    if results is None or not book.same_holder(item, security, results, same_class=False):
        return book.abandon(item, security)
    quantity, balance = taken
    key = book.holder(security.stakeholder, item)
    if not results:
        # Shares that converted into no whole share (a fraction, paid in cash or rounded
        # away): they leave the class, as a cancellation.
        reason = f"converted into no whole share (OCF {item.object_type} {item.where})"
        book.plan.cancel(item.where, security.code, key, quantity, reason[:500])
        return book.close(item, security, balance)
    targets = {issued.code for issued in results}
    if len(targets) != 1:
        book.plan.problem(item.where, "class_mismatch", "a conversion into several classes")
        return book.abandon(item, security)
    ratio = book.ratio(item, Fraction(sum(i.quantity for i in results), quantity))
    if ratio is None:
        return book.abandon(item, security)
    book.plan.convert(item.where, key, security.code, targets.pop(), quantity, ratio)
    book.close(item, security, [*results, *balance])


# --- class transactions ---------------------------------------------------------------------


def class_transaction(book: StockBook, item: OcfObject) -> bool:
    """Plan a class transaction; False if it could not be (then what reflects it is moot)."""
    code = book.code(item.data["stock_class_id"], item)
    if code is None:
        return False
    if item.object_type == "TX_STOCK_CLASS_AUTHORIZED_SHARES_ADJUSTMENT":
        stated = read_terms_comment(item.data.get("comments")) or {}
        if "authorised" in stated and stated["authorised"] is None:
            book.plan.set_authorised(item.where, code, None)  # a ShareLedger export's "no limit"
            return True
        authorised = book.quantity(item, "new_shares_authorized", minimum=0)  # 0 is a limit
        if authorised is not None:
            book.plan.set_authorised(item.where, code, authorised)
        return authorised is not None
    return split_class(book, item, code)


def _split_terms(book: StockBook, item: OcfObject, ratio: Ratio) -> FractionTerms | None:
    """How the split settles fractions: as a ShareLedger export's comments say, else (a package
    from elsewhere, which OCF lets say nothing of rounding) every security must come out whole
    and the register's default policy is moot. None if the stated terms are invalid."""
    stated = read_terms_comment(item.data.get("comments"))
    if stated is None:
        return FractionTerms(str(ratio), FRACTION_POLICY)
    price = stated.get("cash_in_lieu_price")
    try:
        terms = FractionTerms(
            str(ratio),
            str(stated.get("fraction_policy")),
            None if price is None else Decimal(str(price)),
            stated.get("currency"),
        )
        parse_terms(terms, allow_unchanged=False)
    except (InvalidInput, InvalidOperation) as error:
        book.plan.problem(item.where, "invalid_terms", f"the split's terms: {error}")
        return None
    return terms


def _round_holdings(book: StockBook, code: str, ratio: Ratio, policy: str) -> None:
    """Each holder's securities of the class after a split whose terms say how the register
    rounded each holding: shared out as the export shared them (`share_out`)."""
    by_holder: dict[str, list[Security]] = {}
    for security in book.open_securities(code):
        by_holder.setdefault(security.stakeholder, []).append(security)
    for securities in by_holder.values():
        whole = allot(sum(security.quantity for security in securities), ratio, policy).whole
        exact = {security.id: security.quantity * ratio.factor for security in securities}
        shares = share_out(exact, whole)
        for security in securities:
            security.quantity = shares[security.id]


def split_class(book: StockBook, item: OcfObject, code: str) -> bool:
    """A split (or, below 1:1, a consolidation) of every holding of the class. A package from
    elsewhere says nothing of rounding, so each open security of the class must come out
    whole; a ShareLedger export states its terms, and its securities are rounded by holding."""
    ratio_terms = item.data["split_ratio"]
    numerator, denominator = Decimal(ratio_terms["numerator"]), Decimal(ratio_terms["denominator"])
    if numerator <= 0 or denominator <= 0 or numerator == denominator:
        book.plan.problem(item.where, "invalid_ratio", "a split ratio is positive, not 1:1")
        return False
    ratio = book.ratio(item, Fraction(numerator) / Fraction(denominator))
    terms = ratio and _split_terms(book, item, ratio)
    if terms is None:
        return False
    whole = True
    if read_terms_comment(item.data.get("comments")) is not None:
        _round_holdings(book, code, ratio, terms.fraction_policy)
    else:
        for security in book.open_securities(code):
            scaled = security.quantity * ratio.factor
            if scaled.denominator != 1:
                book.plan.problem(
                    item.where,
                    "fractional_result",
                    f"security {security.id} ({security.quantity:,} shares) would hold "
                    f"{float(scaled):,.4f} shares after the split",
                )
                whole = False
            security.quantity = int(scaled)
    book.plan.reorganise(item.where, code, ratio, terms)
    return whole


HANDLERS: dict[str, Callable[[StockBook, OcfObject, Security], None]] = {
    "TX_STOCK_TRANSFER": transfer,
    "TX_STOCK_REISSUANCE": reissue,
    "TX_STOCK_ACCEPTANCE": accept,
    "TX_STOCK_CANCELLATION": cancel,
    "TX_STOCK_RETRACTION": retract,
    "TX_STOCK_REPURCHASE": repurchase,
    "TX_STOCK_CONVERSION": convert,
}
