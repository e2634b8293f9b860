"""Validate everything, then apply in one transaction.

An importer reads its file and describes the register it holds to a `Plan`: classes to create,
holders to register, allocations, transfers, changes to authorised numbers. The plan checks each
step against a simulation of the register (the issuer's current classes, then every step before
it) and collects EVERY problem with where it comes from (a CSV line, an OCF object id). Only a
plan without problems is applied, step by step, through the register's own services, inside the
caller's command: each change is an ordinary log entry, and any failure leaves nothing behind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.interchange.importing.values import BadValue
from app.models.register import ShareClass
from app.register import holders, queries
from app.register.errors import DomainError
from app.register.ratios import ROUND_HALF_UP, Ratio, allot, scale_down
from app.register.reorganisation import scaled_par_value
from app.register.requests import FractionTerms

# Fractions cannot arise from what an importer checks first; the service still needs a policy.
FRACTION_POLICY = ROUND_HALF_UP


@dataclass(frozen=True)
class Problem:
    where: str
    code: str
    message: str


@dataclass(frozen=True)
class Skipped:
    where: str
    reason: str


@dataclass
class Report:
    format: str
    dry_run: bool
    problems: list[Problem]
    skipped: list[Skipped]
    counts: dict[str, int]
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        if self.problems:
            return f"{len(self.problems)} problem(s) found; nothing was imported"
        entries = self.counts.get("log_entries", 0)
        if self.imported:
            return f"imported: {entries} log entries recorded"
        return f"dry run: the import would record {entries} log entries; nothing was written"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "format": self.format,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "message": self.message,
            "problems": [asdict(problem) for problem in self.problems],
            "skipped": [asdict(skipped) for skipped in self.skipped],
            "counts": dict(self.counts),
        }


class ImportRejected(DomainError):
    """The file has problems: nothing was (or will be) imported. Carries the whole report."""

    code = "import_rejected"

    def __init__(self, report: Report) -> None:
        super().__init__(report.message)
        self.report = report


class Progress:
    """Reports how far a long import has got: one line every `every` rows or objects."""

    def __init__(self, emit: Callable[[str], None] | None = None, every: int = 10_000) -> None:
        self.emit = emit
        self.every = max(1, every)

    def step(self, stage: str, done: int, total: int | None = None) -> None:
        if self.emit is None or not (done % self.every == 0 or done == total):
            return
        self.emit(f"{stage}: {done:,}" + (f" of {total:,}" if total is not None else ""))


@dataclass
class ClassState:
    code: str
    name: str
    votes_per_share: int
    par_value: Decimal
    currency: str
    authorised: int | None
    issued: int
    over_authorised: bool = False

    @classmethod
    def of(cls, share_class: ShareClass) -> ClassState:
        return cls(
            code=share_class.code,
            name=share_class.name,
            votes_per_share=share_class.votes_per_share,
            par_value=Decimal(share_class.par_value),
            currency=share_class.currency,
            authorised=share_class.authorised,
            issued=share_class.issued,
        )


CLASS_ATTRIBUTES = ("name", "votes_per_share", "par_value", "currency", "authorised")


@dataclass(frozen=True)
class Step:
    """One log entry to record: `kind` names the service, `args` its input."""

    kind: str
    where: str
    args: Mapping[str, Any] = field(default_factory=dict)


class Plan:
    def __init__(self, session: Session, issuer_id: str, format_name: str) -> None:
        self.issuer_id = issuer_id
        self.format = format_name
        self.problems: list[Problem] = []
        self.skipped: list[Skipped] = []
        self.steps: list[Step] = []
        self.counts: Counter[str] = Counter()
        self._classes = {c.code: ClassState.of(c) for c in queries.list_classes(session, issuer_id)}
        self._existing_codes = frozenset(self._classes)
        self._holders: set[str] = set()
        self._identifiers = {
            identifier: "already on the register"
            for identifier in holders.live_members_by_identifier(session, issuer_id)
        }
        self._held: Counter[tuple[str, str]] = Counter()
        self._references: set[str] = set()

    # --- what went wrong, what was left out --------------------------------------------

    def problem(self, where: str, code: str, message: str) -> None:
        self.problems.append(Problem(where, code, message))

    def bad_value(self, where: str, error: BadValue) -> None:
        self.problem(where, error.code, error.message)

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append(Skipped(where, reason))

    def report(self, dry_run: bool) -> Report:
        counts = {name: count for name, count in sorted(self.counts.items()) if count}
        counts["log_entries"] = len(self.steps)
        return Report(self.format, dry_run, list(self.problems), list(self.skipped), counts)

    # --- the register as the plan has it so far ----------------------------------------

    def share_class(self, code: str) -> ClassState | None:
        return self._classes.get(code)

    def class_exists(self, code: str) -> bool:
        return code in self._existing_codes

    def has_holder(self, key: str) -> bool:
        return key in self._holders

    def held(self, code: str, key: str) -> int:
        return self._held[(code, key)]

    # --- steps -------------------------------------------------------------------------

    def _add(self, kind: str, where: str, counted: str | None, **args: Any) -> None:
        self.steps.append(Step(kind, where, args))
        if counted:
            self.counts[counted] += 1

    def define_class(self, where: str, code: str, attributes: Mapping[str, Any]) -> bool:
        """Create the class, or, when the issuer has it already, check that every given
        attribute agrees. New classes default to 1 vote, no par value, no authorised limit."""
        current = self._classes.get(code)
        if current is not None:
            differing = [
                f"{name} {attributes[name]} (the register has {getattr(current, name)})"
                for name in CLASS_ATTRIBUTES
                if name in attributes and attributes[name] != getattr(current, name)
            ]
            if differing:
                self.problem(
                    where,
                    "class_conflict",
                    f"class {code} exists with other attributes: {'; '.join(differing)}",
                )
                return False
            return True
        fields = {"votes_per_share": 1, "par_value": Decimal(0), "authorised": None}
        fields.update(attributes)
        self._classes[code] = ClassState(code=code, issued=0, **fields)
        self._add("class", where, "classes", code=code, **fields)
        return True

    def register_holder(
        self, where: str, key: str, details: Mapping[str, Any], registered_on: date | None
    ) -> bool:
        identifier = details["identifier"]
        earlier = self._identifiers.get(identifier)
        if earlier is not None:
            code = "holder_exists" if earlier == "already on the register" else "duplicate_holder"
            self.problem(where, code, f"a holder with identifier {identifier} is {earlier}")
            return False
        self._identifiers[identifier] = f"already in this import ({where})"
        self._holders.add(key)
        self._add("holder", where, "holders", key=key, details=dict(details), on=registered_on)
        return True

    def issue(
        self,
        where: str,
        code: str,
        key: str,
        quantity: int,
        price: Decimal | None = None,
        currency: str | None = None,
        reference: str | None = None,
    ) -> None:
        share_class = self._classes[code]
        share_class.issued += quantity
        self._check_authorised(where, share_class)
        self._held[(code, key)] += quantity
        allocation = {"class": code, "key": key, "quantity": quantity, "reference": reference}
        if price is not None:
            allocation.update(price_per_share=price, currency=currency)
        self._add("issue", where, "issuances", **allocation)

    def _check_authorised(self, where: str, share_class: ClassState) -> None:
        # Reported where the total first goes over, not again for every later allocation.
        over = share_class.authorised is not None and share_class.issued > share_class.authorised
        if over and not share_class.over_authorised:
            self.problem(
                where,
                "authorised_exceeded",
                f"this takes class {share_class.code} to {share_class.issued:,} shares issued, "
                f"over the {share_class.authorised:,} authorised",
            )
        share_class.over_authorised = over

    def transfer(
        self, where: str, code: str, source: str, target: str, quantity: int, reference: str
    ) -> None:
        have = self._held[(code, source)]
        if have < quantity:
            self.problem(
                where,
                "insufficient_available",
                f"the transferor holds {have:,} {code} shares; the transfer moves {quantity:,}",
            )
        self._held[(code, source)] -= quantity
        self._held[(code, target)] += quantity
        # One instrument settling several transfers (one OCF transfer to several holders).
        reuse = reference in self._references
        self._references.add(reference)
        self._add(
            "transfer",
            where,
            "transfers",
            code=code,
            source=source,
            target=target,
            quantity=quantity,
            reference=reference,
            reuse=reuse,
        )

    def set_authorised(self, where: str, code: str, authorised: int | None) -> None:
        share_class = self._classes[code]
        if authorised == share_class.authorised:
            return
        if authorised is not None and authorised < share_class.issued:
            self.problem(
                where,
                "authorised_below_issued",
                f"{share_class.issued:,} {code} shares are issued; the authorised number "
                f"cannot become {authorised:,}",
            )
        share_class.authorised = authorised
        share_class.over_authorised = False
        self._add("authorised", where, "authorised_changes", code=code, authorised=authorised)

    def _take(self, where: str, code: str, key: str, quantity: int, what: str) -> None:
        have = self._held[(code, key)]
        if have < quantity:
            self.problem(
                where,
                "insufficient_available",
                f"the holder has {have:,} {code} shares; {what} {quantity:,}",
            )
        self._held[(code, key)] -= quantity

    def cancel(self, where: str, code: str, key: str, quantity: int, reason: str) -> None:
        self._take(where, code, key, quantity, "the cancellation takes")
        self._classes[code].issued -= quantity
        self._add(
            "cancel", where, "cancellations", code=code, key=key, quantity=quantity, reason=reason
        )

    def repurchase(
        self, where: str, code: str, key: str, quantity: int, price: Decimal, currency: str
    ) -> None:
        self._take(where, code, key, quantity, "the repurchase takes")
        self._classes[code].issued -= quantity
        self._add(
            "repurchase",
            where,
            "repurchases",
            code=code,
            key=key,
            quantity=quantity,
            price=price,
            currency=currency,
        )

    def convert(
        self, where: str, key: str, source: str, target: str, quantity: int, ratio: Ratio
    ) -> None:
        """Convert `quantity` shares at `ratio` (new:old), which the caller has checked makes
        whole shares."""
        allotted = allot(quantity, ratio, FRACTION_POLICY).whole
        self._take(where, source, key, quantity, "the conversion takes")
        self._classes[source].issued -= quantity
        self._classes[target].issued += allotted
        self._check_authorised(where, self._classes[target])
        self._held[(target, key)] += allotted
        self._add(
            "convert",
            where,
            "conversions",
            key=key,
            source=source,
            target=target,
            quantity=quantity,
            ratio=ratio,
        )

    def reorganise(
        self, where: str, code: str, ratio: Ratio, terms: FractionTerms | None = None
    ) -> None:
        """Split (ratio above 1:1) or consolidate (below) every holding of a class, settling
        fractions by `terms` (rounding half up if not given); its authorised number scales
        down with it and its par value exactly, as the register's service does."""
        terms = terms or FractionTerms(str(ratio), FRACTION_POLICY)
        share_class = self._classes[code]
        imported = 0
        for (held_code, key), held in self._held.items():
            if held_code == code:
                imported += held
                self._held[(code, key)] = allot(held, ratio, terms.fraction_policy).whole
        scaled = sum(held for (held_code, _), held in self._held.items() if held_code == code)
        others = allot(share_class.issued - imported, ratio, terms.fraction_policy).whole
        share_class.issued = scaled + others
        if share_class.authorised is not None:
            share_class.authorised = scale_down(share_class.authorised, ratio)
        self._check_authorised(where, share_class)
        try:
            share_class.par_value = Decimal(scaled_par_value(str(share_class.par_value), ratio))
        except DomainError as error:
            self.problem(where, error.code, error.message)
        counted = "splits" if ratio.new > ratio.old else "consolidations"
        self._add("reorganise", where, counted, code=code, terms=terms)

    def holds_any(self, key: str) -> bool:
        return any(held for (_, held_key), held in self._held.items() if held_key == key)

    def cease_and_erase(self, where: str, key: str) -> None:
        """A member whose details were erased where the package comes from ceases and is
        erased here too, once the import leaves them holding nothing."""
        self._add("cease", where, "ceased", key=key)
        self._add("erase", where, "erased", key=key)
