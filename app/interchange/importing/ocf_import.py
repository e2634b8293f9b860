"""A register of members from an Open Cap Table Format (1.2.0) package.

The register of members covers stock only. Stock classes become share classes; stakeholders
who receive stock become holders (registered on the date of their first stock); stock
transactions replay in date order (then by id) through `ocf_stock`. Everything else in a cap
table (options, warrants, convertibles, plans, vesting, valuations, legends, financings,
documents) is listed as skipped, not as a problem.

Class codes are derived deterministically: from `default_id_prefix` ("CS-" -> "CS"), else from
the name ("Series Seed Preferred" -> "SERIES-SEED-PREFERRED"); a code already taken by an
earlier class of the same package gets "-2", "-3"... A class the issuer already has under that
code is reused if its attributes agree, and a conflict otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.interchange.importing import values
from app.interchange.importing.ocf_package import OcfObject, OcfPackage
from app.interchange.importing.ocf_stock import STOCK_TRANSACTIONS, StockBook
from app.interchange.importing.plan import Plan, Progress
from app.interchange.importing.values import LIMITS, BadValue

UNLIMITED = ("UNLIMITED", "NOT APPLICABLE")
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
        class_codes, failed = _plan_classes(plan, stock_classes)
        book = StockBook(
            plan,
            members=Members(plan, stakeholders),
            class_codes=class_codes,
            unresolvable=package.invalid_ids | failed,
            progress=progress,
        )
        book.run(transactions)
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


def _class_attributes(data: Mapping[str, Any], default_currency: str | None) -> dict[str, Any]:
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
        "par_value": values.money(par["amount"], "par_value") if par else Decimal(0),
        "currency": values.currency(currency),
        "authorised": None
        if authorised in UNLIMITED
        else values.whole_number(authorised, "initial_shares_authorized"),
    }


def _plan_classes(plan: Plan, stock_classes: list[OcfObject]) -> tuple[dict[str, str], set[str]]:
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
            attributes = _class_attributes(data, default_currency)
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
    if address is None:
        problems.append(BadValue("missing_value", "no address: a member's address is required"))
    else:
        parts = [address.get(p) for p in ("street_suite", "city", "country_subdivision")]
        details["address"] = checked(values.address, [*parts, address.get("postal_code")])
        details["country"] = checked(values.country, address["country"])
        if details["address"] == "":
            problems.append(BadValue("missing_value", "the address has no street or city"))
    if tax_ids:
        details["identifier"] = checked(
            values.text, tax_ids[0]["tax_id"], "tax id", LIMITS["identifier"]
        )
    else:
        problems.append(BadValue("missing_value", "no tax id to record as the identifier"))
    return details, problems


class Members:
    """Registers each stakeholder as a holder the first time stock reaches them."""

    def __init__(self, plan: Plan, stakeholders: Mapping[str, Mapping[str, Any]]) -> None:
        self.plan = plan
        self.stakeholders = stakeholders
        self._registered: dict[str, bool] = {}

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
        return stakeholder_id if self._registered[stakeholder_id] else None
