"""A register of members from an Open Cap Table Format (1.2.0) package.

The register of members covers stock only. Stock classes become share classes (with the par
value worked back from the class's splits: OCF states it as of the package's end); stakeholders
who receive stock become holders (registered on the date of their first stock; one without a
tax id is recorded under "ocf:" and their stakeholder id, and one a ShareLedger export says was
erased is registered without details, then ceased and erased once they hold nothing); stock
transactions replay in date order (then by id) through `ocf_stock`. Everything else in a cap
table (options, warrants, convertibles, plans, vesting, valuations, legends, financings,
documents) is listed as skipped, not as a problem.

Class codes are derived deterministically: from `default_id_prefix` ("CS-" -> "CS"), else from
the name ("Series Seed Preferred" -> "SERIES-SEED-PREFERRED"); a code already taken by an
earlier class of the same package gets "-2", "-3"... A class the issuer already has under that
code is reused if its attributes agree, and a conflict otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from app.interchange.formats.ocf_transactions import ERASED_STAKEHOLDER
from app.interchange.importing import values
from app.interchange.importing.ocf_package import OcfObject, OcfPackage
from app.interchange.importing.ocf_stock import STOCK_TRANSACTIONS, StockBook
from app.interchange.importing.plan import Plan, Progress
from app.interchange.importing.values import LIMITS, BadValue
from app.register.reorganisation import PAR_VALUE_PLACES

UNLIMITED = ("UNLIMITED", "NOT APPLICABLE")
IMPORTED_IDENTIFIER = "ocf:"
HOLDER_TYPES = {"INDIVIDUAL": "person", "INSTITUTION": "entity"}
NOT_REGISTER_DATA = "not share register data"
WHY_SKIPPED = {
    "TX_ISSUER_AUTHORIZED_SHARES_ADJUSTMENT": (
        "the register keeps authorised numbers per class, not for the issuer as a whole"
    ),
    "TX_STOCK_CLASS_CONVERSION_RATIO_ADJUSTMENT": "conversion terms are " + NOT_REGISTER_DATA,
}


class OcfSource:
    format = "ocf"

    def __init__(self, package: OcfPackage) -> None:
        self.package = package

    def plan(self, plan: Plan, progress: Progress) -> None:
        package = self.package
        plan.problems.extend(package.problems)
        if package.manifest is not None and isinstance(package.manifest.get("issuer"), dict):
            issuer = package.manifest["issuer"]
            plan.skip(
                str(issuer.get("id", "issuer")),
                "the issuer's own details are not imported: the issuer is already registered",
            )
        stakeholders, stock_classes, transactions = _sorted_out(plan, package.objects)
        class_codes, failed = _plan_classes(plan, stock_classes, _split_factors(transactions))
        book = StockBook(
            plan,
            members=Members(plan, stakeholders),
            class_codes=class_codes,
            unresolvable=package.invalid_ids | failed,
            progress=progress,
        )
        book.run(transactions)
        for key in book.members.erased:
            if not plan.holds_any(key):
                plan.cease_and_erase(key, key)
        for stakeholder_id in stakeholders:
            if not book.members.seen(stakeholder_id):
                plan.skip(stakeholder_id, "skipped: holds no stock, so is not a member")


def _sorted_out(
    plan: Plan, objects: list[OcfObject]
) -> tuple[dict[str, Mapping[str, Any]], list[OcfObject], list[OcfObject]]:
    """Stakeholders (by id), stock classes and stock transactions; the rest is skipped."""
    stakeholders: dict[str, Mapping[str, Any]] = {}
    stock_classes: list[OcfObject] = []
    transactions: list[OcfObject] = []
    for item in objects:
        if item.object_type == "STAKEHOLDER":
            stakeholders[item.id] = item.data
        elif item.object_type == "STOCK_CLASS":
            stock_classes.append(item)
        elif item.object_type in STOCK_TRANSACTIONS:
            transactions.append(item)
        else:
            reason = WHY_SKIPPED.get(item.object_type, NOT_REGISTER_DATA)
            plan.skip(item.where, f"skipped ({reason}): {item.object_type}")
    return stakeholders, stock_classes, transactions


# --- stock classes --------------------------------------------------------------------------


def _package_currency(stock_classes: list[OcfObject]) -> str | None:
    for item in stock_classes:
        for money in (item.data.get("par_value"), item.data.get("price_per_share")):
            if money:
                return money["currency"]
    return None


def _unique_code(wanted: str, taken: set[str]) -> str:
    code, n = wanted, 2
    while code in taken:
        suffix = f"-{n}"
        code, n = wanted[: 32 - len(suffix)] + suffix, n + 1
    taken.add(code)
    return code


def _split_factors(transactions: list[OcfObject]) -> dict[str, Fraction]:
    """Per stock class id, what its splits multiply a share by (new shares per old one)."""
    factors: dict[str, Fraction] = {}
    for item in transactions:
        if item.object_type == "TX_STOCK_CLASS_SPLIT":
            ratio = item.data["split_ratio"]
            try:
                factor = Fraction(ratio["numerator"]) / Fraction(ratio["denominator"])
            except (ValueError, ZeroDivisionError):
                continue  # reported when the split replays
            class_id = item.data["stock_class_id"]
            factors[class_id] = factors.get(class_id, Fraction(1)) * factor
    return factors


def _par_value_at_creation(par: Decimal, factor: Fraction) -> Decimal:
    """A class's par value before the package's splits: the class object states it as of the
    package's end, and each split divides it by its ratio (as the register's split does)."""
    if factor == 1:
        return par
    before = Fraction(par) * factor
    exponent = par.as_tuple().exponent
    kept = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    for places in range(kept, PAR_VALUE_PLACES + 1):
        if (before * 10**places).denominator == 1:
            return Decimal(before.numerator * 10**places // before.denominator).scaleb(-places)
    raise BadValue(
        "par_value_not_exact",
        f"the par value {par} is not a decimal of at most {PAR_VALUE_PLACES} places before the "
        "class's splits",
    )


def _class_attributes(
    data: Mapping[str, Any], default_currency: str | None, factor: Fraction
) -> dict[str, Any]:
    authorised = data["initial_shares_authorized"]
    par = data.get("par_value")
    currency = (par or data.get("price_per_share") or {}).get("currency") or default_currency
    if currency is None:
        raise BadValue(
            "missing_value",
            "no currency: the class has no par value or price, nor does any other class",
        )
    return {
        "name": values.text(data["name"], "name", LIMITS["class_name"]),
        "votes_per_share": values.whole_number(data["votes_per_share"], "votes_per_share", 0),
        "par_value": _par_value_at_creation(values.money(par["amount"], "par_value"), factor)
        if par
        else Decimal(0),
        "currency": values.currency(currency),
        "authorised": None
        if authorised in UNLIMITED
        else values.whole_number(authorised, "initial_shares_authorized", 0),
    }


def _plan_classes(
    plan: Plan, stock_classes: list[OcfObject], factors: dict[str, Fraction]
) -> tuple[dict[str, str], set[str]]:
    """OCF class id -> class code for the classes that could be planned, and the ids of those
    that could not (already reported)."""
    default_currency = _package_currency(stock_classes)
    taken: set[str] = set()
    codes: dict[str, str] = {}
    failed: set[str] = set()
    for item in stock_classes:
        data = item.data
        code = _unique_code(
            values.derived_class_code(data.get("default_id_prefix"), data["name"]), taken
        )
        try:
            factor = factors.get(item.id, Fraction(1))
            attributes = _class_attributes(data, default_currency, factor)
        except BadValue as error:
            plan.bad_value(item.where, error)
            failed.add(item.id)
            continue
        if plan.define_class(item.where, code, attributes):
            codes[item.id] = code
        else:
            failed.add(item.id)
    return codes, failed


# --- stakeholders ---------------------------------------------------------------------------


def _legal_address_first(stakeholder: Mapping[str, Any]) -> Mapping[str, Any] | None:
    addresses = stakeholder.get("addresses") or []
    legal = [a for a in addresses if a.get("address_type") == "LEGAL"]
    return (legal or addresses or [None])[0]


def _first_email(stakeholder: Mapping[str, Any]) -> str | None:
    for contact in (stakeholder.get("contact_info"), stakeholder.get("primary_contact")):
        emails = (contact or {}).get("emails") or []
        if emails:
            return emails[0]["email_address"]
    return None


def imported_identifier(stakeholder_id: str) -> str:
    """The identifier of a member whose package gives no tax id (a ShareLedger export never
    does): the stakeholder id they had there, so that the secretary can tell them apart and a
    second import of the package finds them (a long id by its SHA-256)."""
    identifier = IMPORTED_IDENTIFIER + stakeholder_id
    if len(identifier) > LIMITS["identifier"]:
        digest = hashlib.sha256(stakeholder_id.encode("utf-8")).hexdigest()[:32]
        identifier = IMPORTED_IDENTIFIER + digest
    return identifier


def erased(stakeholder: Mapping[str, Any]) -> bool:
    """A stakeholder whose register details a ShareLedger export says were erased."""
    return ERASED_STAKEHOLDER in (stakeholder.get("comments") or [])


def holder_details(stakeholder: Mapping[str, Any]) -> tuple[dict[str, Any], list[BadValue]]:
    """The register-of-members details of a stakeholder, and what is wrong with them."""
    problems: list[BadValue] = []

    def checked(function, *args):
        try:
            return function(*args)
        except BadValue as error:
            problems.append(error)
            return None

    address = _legal_address_first(stakeholder)
    tax_ids = stakeholder.get("tax_ids") or []
    email = _first_email(stakeholder)
    details = {
        "name": checked(values.text, stakeholder["name"]["legal_name"], "name", LIMITS["name"]),
        "address": None,
        "identifier": None,
        "country": None,
        "holder_type": HOLDER_TYPES[stakeholder["stakeholder_type"]],
        "email": checked(values.email, email) if email else None,
        "joint_holders": [],
    }
    if erased(stakeholder):
        # Nothing is known of them but their part in the history; their details go again
        # once the import leaves them holding nothing (OcfSource.plan).
        details.update(address="", country="")
    elif address is None:
        problems.append(BadValue("missing_value", "no address: a member's address is required"))
    else:
        parts = [address.get(p) for p in ("street_suite", "city", "country_subdivision")]
        details["address"] = checked(values.address, [*parts, address.get("postal_code")])
        details["country"] = checked(values.country, address["country"])
        if details["address"] == "":
            problems.append(BadValue("missing_value", "the address has no street or city"))
    identifier = tax_ids[0]["tax_id"] if tax_ids else imported_identifier(stakeholder["id"])
    details["identifier"] = checked(values.text, identifier, "tax id", LIMITS["identifier"])
    return details, problems


class Members:
    """Registers each stakeholder as a holder the first time stock reaches them."""

    def __init__(self, plan: Plan, stakeholders: Mapping[str, Mapping[str, Any]]) -> None:
        self.plan = plan
        self.stakeholders = stakeholders
        self._registered: dict[str, bool] = {}
        self.erased: list[str] = []  # keys of the erased stakeholders registered

    def known(self, stakeholder_id: str) -> bool:
        return stakeholder_id in self.stakeholders

    def seen(self, stakeholder_id: str) -> bool:
        return stakeholder_id in self._registered

    def key(self, stakeholder_id: str, on: str) -> str | None:
        """The holder key of a stakeholder (its id), registering them on `on` if new; None
        if their details have problems (reported once, at the stakeholder's id)."""
        if stakeholder_id not in self._registered:
            details, problems = holder_details(self.stakeholders[stakeholder_id])
            for error in problems:
                self.plan.bad_value(stakeholder_id, error)
            self._registered[stakeholder_id] = not problems and self.plan.register_holder(
                stakeholder_id, stakeholder_id, details, values.iso_date(on, "date")
            )
            if self._registered[stakeholder_id] and erased(self.stakeholders[stakeholder_id]):
                self.erased.append(stakeholder_id)
        return stakeholder_id if self._registered[stakeholder_id] else None
