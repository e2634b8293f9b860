"""The transfer workflow's projections: instructions, their transitions, per-class settings.

All three are functions of the issuer's log (`transfer.*` entries): `log verify` rebuilds them
by replay and compares, like the register's tables.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKeyConstraint, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.models.log import ISSUER_ID
from app.models.register import CLASS_CODE, DECIMAL_TEXT, HOLDER_ID

INSTRUCTION_ID = String(36)


class TransferInstruction(Base):
    """One instruction to transfer shares, from receipt to its end state."""

    __tablename__ = "transfer_instructions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "class_code"], ["share_classes.issuer_id", "share_classes.code"]
        ),
        # Named here: the naming convention would give both the same name.
        ForeignKeyConstraint(
            ["issuer_id", "from_holder_id"],
            ["holders.issuer_id", "holders.holder_id"],
            name="fk_transfer_instructions_from_holder",
        ),
        ForeignKeyConstraint(
            ["issuer_id", "to_holder_id"],
            ["holders.issuer_id", "holders.holder_id"],
            name="fk_transfer_instructions_to_holder",
        ),
        # Order of receipt on one holding: the earlier pending instructions on the same shares.
        Index(
            "ix_transfer_instructions_holding",
            "issuer_id",
            "class_code",
            "from_holder_id",
            "state",
            "instructed_index",
        ),
        Index("ix_transfer_instructions_state", "issuer_id", "state", "instructed_index"),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    instruction_id: Mapped[str] = mapped_column(INSTRUCTION_ID, primary_key=True)
    class_code: Mapped[str] = mapped_column(CLASS_CODE)
    quantity: Mapped[int] = mapped_column(BigInteger)
    from_holder_id: Mapped[str] = mapped_column(HOLDER_ID)
    to_holder_id: Mapped[str] = mapped_column(HOLDER_ID)
    # Price and currency, or a description such as "gift" (or neither).
    consideration: Mapped[str | None] = mapped_column(DECIMAL_TEXT)
    currency: Mapped[str | None] = mapped_column(String(3))
    consideration_text: Mapped[str | None] = mapped_column(String(200))
    risk_acknowledged: Mapped[bool] = mapped_column()
    approval_required: Mapped[bool] = mapped_column()
    state: Mapped[str] = mapped_column(String(16))
    # Order of receipt: the log index of `transfer.instructed` (a total order per issuer).
    instructed_index: Mapped[int] = mapped_column(BigInteger)
    instructed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accept_by: Mapped[datetime] = mapped_column(UTCDateTime())
    decide_by: Mapped[datetime] = mapped_column(UTCDateTime())
    last_log_index: Mapped[int] = mapped_column(BigInteger)


class InstructionTransition(Base):
    """One step in an instruction's life, with the log entry that made it."""

    __tablename__ = "instruction_transitions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "instruction_id"],
            ["transfer_instructions.issuer_id", "transfer_instructions.instruction_id"],
        ),
        Index("ix_instruction_transitions_instruction", "issuer_id", "instruction_id"),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    log_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    instruction_id: Mapped[str] = mapped_column(INSTRUCTION_ID)
    state: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Rejections and expiries say why: [{"code": ..., "text": ...}].
    reasons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON(none_as_null=True))


class TransferSettings(Base):
    """A class's workflow settings; a class without a row uses the defaults."""

    __tablename__ = "transfer_settings"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "class_code"], ["share_classes.issuer_id", "share_classes.code"]
        ),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    class_code: Mapped[str] = mapped_column(CLASS_CODE, primary_key=True)
    approval_required: Mapped[bool] = mapped_column()
    acceptance_days: Mapped[int] = mapped_column(Integer)
    last_log_index: Mapped[int] = mapped_column(BigInteger)
    # Right of first refusal: an accepted transfer to a non-member is first offered to the
    # class's holders for this many days (entries from before the setting mean off).
    pre_emption: Mapped[bool] = mapped_column(default=False, server_default=false())
    pre_emption_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")


class PreEmptionOffer(Base):
    """The offer an accepted instruction makes to the class's holders before it may proceed."""

    __tablename__ = "pre_emption_offers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "instruction_id"],
            ["transfer_instructions.issuer_id", "transfer_instructions.instruction_id"],
        ),
        Index("ix_pre_emption_offers_state", "state", "close_by"),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    instruction_id: Mapped[str] = mapped_column(INSTRUCTION_ID, primary_key=True)
    class_code: Mapped[str] = mapped_column(CLASS_CODE)
    quantity: Mapped[int] = mapped_column(BigInteger)  # offered: the instructed quantity
    consideration: Mapped[str | None] = mapped_column(DECIMAL_TEXT)  # for the whole quantity
    currency: Mapped[str | None] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(16))  # open or closed
    opened_index: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    close_by: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_index: Mapped[int | None] = mapped_column(BigInteger)
    taken_up: Mapped[int] = mapped_column(BigInteger)  # so far; at the close, the final total
    last_log_index: Mapped[int] = mapped_column(BigInteger)


class PreEmptionOfferee(Base):
    """One existing holder's part of an offer: its pro-rata entitlement and its answer."""

    __tablename__ = "pre_emption_offerees"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "instruction_id"],
            ["pre_emption_offers.issuer_id", "pre_emption_offers.instruction_id"],
        ),
        ForeignKeyConstraint(
            ["issuer_id", "holder_id"],
            ["holders.issuer_id", "holders.holder_id"],
            name="fk_pre_emption_offerees_holder",
        ),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    instruction_id: Mapped[str] = mapped_column(INSTRUCTION_ID, primary_key=True)
    holder_id: Mapped[str] = mapped_column(HOLDER_ID, primary_key=True)
    holding: Mapped[int] = mapped_column(BigInteger)  # held when the offer opened: the basis
    entitlement: Mapped[int] = mapped_column(BigInteger)
    answer: Mapped[str] = mapped_column(String(16))  # pending, taken_up or waived
    taken: Mapped[int] = mapped_column(BigInteger)
    answered_index: Mapped[int | None] = mapped_column(BigInteger)


class TransferRules(Base):
    """A class's current transfer rules (`rules.changed`); a class without a row has none."""

    __tablename__ = "transfer_rules"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "class_code"], ["share_classes.issuer_id", "share_classes.code"]
        ),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    class_code: Mapped[str] = mapped_column(CLASS_CODE, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[dict] = mapped_column(JSON)
    last_log_index: Mapped[int] = mapped_column(BigInteger)


class TransferRulesVersion(Base):
    """Every version of a class's rules, with the entry that made it: the rules' history."""

    __tablename__ = "transfer_rules_versions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "class_code"], ["share_classes.issuer_id", "share_classes.code"]
        ),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    class_code: Mapped[str] = mapped_column(CLASS_CODE, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    log_index: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rules: Mapped[dict] = mapped_column(JSON)


class IssuanceLockup(Base):
    """Shares allotted with a lock-up (`shares.issued` with `locked_until`): that many of the
    holder's shares of the class cannot be transferred before the date."""

    __tablename__ = "issuance_lockups"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "class_code"], ["share_classes.issuer_id", "share_classes.code"]
        ),
        ForeignKeyConstraint(
            ["issuer_id", "holder_id"],
            ["holders.issuer_id", "holders.holder_id"],
            name="fk_issuance_lockups_holder",
        ),
        Index("ix_issuance_lockups_holding", "issuer_id", "class_code", "holder_id"),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    log_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    class_code: Mapped[str] = mapped_column(CLASS_CODE)
    holder_id: Mapped[str] = mapped_column(HOLDER_ID)
    quantity: Mapped[int] = mapped_column(BigInteger)
    locked_until: Mapped[date] = mapped_column(Date)
