"""Applying a checked plan: each step through the register's own service, in the caller's
command (one transaction, so a failure anywhere leaves nothing behind)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from app.interchange.importing.plan import (
    FRACTION_POLICY,
    ImportRejected,
    Plan,
    Problem,
    Progress,
    Step,
)
from app.register import capital, classes, conversion, holders, issuance, reorganisation, transfers
from app.register.context import CommandContext
from app.register.errors import DomainError
from app.register.ratios import parse_ratio
from app.register.requests import (
    Allocation,
    AmendClass,
    CancelShares,
    CeaseHolder,
    ConvertShares,
    CreateClass,
    EraseHolder,
    FractionTerms,
    HolderDetails,
    IssueShares,
    LodgeTransfer,
    RegisterHolder,
    ReorganiseClass,
    RepurchaseShares,
)

ISSUE_BATCH = 1_000  # allocations per issue_shares call, all inside the one command


class _Context:
    def __init__(self, command: CommandContext) -> None:
        self.command = command
        self.holder_ids: dict[str, str] = {}  # import key -> the holder_id the register gave


def apply(command: CommandContext, plan: Plan, progress: Progress) -> None:
    """Record every step. A service that refuses (which the plan should have foreseen) aborts
    the whole import with the refusal as its problem."""
    context = _Context(command)
    done = 0
    for batch in _batches(plan.steps):
        try:
            if batch[0].kind == "issue":
                _issue(context, batch)
            else:
                APPLIERS[batch[0].kind](context, batch[0].args)
        except DomainError as error:
            report = plan.report(dry_run=False)
            report.problems.append(Problem(batch[0].where, error.code, error.message))
            raise ImportRejected(report) from error
        done += len(batch)
        progress.step("log entries recorded", done, len(plan.steps))


def _batches(steps: list[Step]) -> Iterator[list[Step]]:
    """Consecutive allocations go to `issue_shares` together (up to ISSUE_BATCH); every other
    step alone."""
    batch: list[Step] = []
    for step in steps:
        if step.kind == "issue":
            if len(batch) == ISSUE_BATCH:
                yield batch
                batch = []
            batch.append(step)
            continue
        if batch:
            yield batch
            batch = []
        yield [step]
    if batch:
        yield batch


def _issue(context: _Context, batch: list[Step]) -> None:
    allocations = tuple(
        Allocation(
            class_code=step.args["class"],
            holder_id=context.holder_ids[step.args["key"]],
            quantity=step.args["quantity"],
            price_per_share=step.args.get("price_per_share"),
            currency=step.args.get("currency"),
            reference=step.args["reference"],
        )
        for step in batch
    )
    issuance.issue_shares(context.command, IssueShares(allocations))


def _create_class(context: _Context, args: Mapping[str, Any]) -> None:
    classes.create_class(context.command, CreateClass(**args))


def _register_holder(context: _Context, args: Mapping[str, Any]) -> None:
    request = RegisterHolder(HolderDetails.of(args["details"]), args["on"])
    # The plan checked every identifier against the register and the rest of the import.
    holder = holders.register_holder(context.command, request, identifier_checked=True)
    context.holder_ids[args["key"]] = holder.holder_id


def _transfer(context: _Context, args: Mapping[str, Any]) -> None:
    request = LodgeTransfer(
        class_code=args["code"],
        from_holder_id=context.holder_ids[args["source"]],
        to_holder_id=context.holder_ids[args["target"]],
        quantity=args["quantity"],
        instrument_reference=args["reference"],
        instrument_reuse=args["reuse"],
    )
    transfers.lodge_transfer(context.command, request)


def _set_authorised(context: _Context, args: Mapping[str, Any]) -> None:
    request = AmendClass(code=args["code"], authorised=args["authorised"])
    classes.amend_class(context.command, request)


def _cancel(context: _Context, args: Mapping[str, Any]) -> None:
    request = CancelShares(
        class_code=args["code"],
        holder_id=context.holder_ids[args["key"]],
        quantity=args["quantity"],
        reason=args["reason"],
    )
    capital.cancel_shares(context.command, request)


def _repurchase(context: _Context, args: Mapping[str, Any]) -> None:
    request = RepurchaseShares(
        class_code=args["code"],
        holder_id=context.holder_ids[args["key"]],
        quantity=args["quantity"],
        price_per_share=args["price"],
        currency=args["currency"],
    )
    capital.repurchase_shares(context.command, request)


def _convert(context: _Context, args: Mapping[str, Any]) -> None:
    request = ConvertShares(
        holder_id=context.holder_ids[args["key"]],
        from_class=args["source"],
        to_class=args["target"],
        quantity=args["quantity"],
        terms=FractionTerms(str(args["ratio"]), FRACTION_POLICY),
    )
    conversion.convert_shares(context.command, request)


def _reorganise(context: _Context, args: Mapping[str, Any]) -> None:
    terms = args["terms"]
    ratio = parse_ratio(terms.ratio)
    service = (
        reorganisation.split_class if ratio.new > ratio.old else reorganisation.consolidate_class
    )
    service(context.command, ReorganiseClass(args["code"], terms))


def _cease(context: _Context, args: Mapping[str, Any]) -> None:
    holders.cease_holder(context.command, CeaseHolder(context.holder_ids[args["key"]]))


def _erase(context: _Context, args: Mapping[str, Any]) -> None:
    holders.erase_holder(context.command, EraseHolder(context.holder_ids[args["key"]]))


APPLIERS: dict[str, Callable[[_Context, Mapping[str, Any]], None]] = {
    "class": _create_class,
    "holder": _register_holder,
    "transfer": _transfer,
    "authorised": _set_authorised,
    "cancel": _cancel,
    "repurchase": _repurchase,
    "convert": _convert,
    "reorganise": _reorganise,
    "cease": _cease,
    "erase": _erase,
}
