"""An issuer's register exported as an OCF package and imported into a fresh issuer: the
positions must come back, class by class and holder by holder.

The package carries what a register of members shows (no identifiers), so the importer records
each member's identifier as "ocf:" and their stakeholder id: that is how an imported holder is
matched with the one exported. The classes must come back with the same authorised and issued
numbers and par value. Frozen, pledged and reserved quantities, pending transfers, pledges,
distributions and members' identifiers, emails and dates of ceasing have no OCF equivalent in
the export and are not carried; only the shares held are compared.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from app.commands import command
from app.extensions import db
from app.interchange.importing import ImportRejected, import_register, read_source
from app.interchange.importing.ocf_package import file_schema
from app.interchange.importing.ocf_schema import validator
from app.models.register import HolderDetails
from app.register import queries
from tests.support.helpers import ACTOR, STATED_PURPOSE, bearer
from tests.support.register_driver import Driver
from tests.support.vectors import vectors_folder

IMPORTED_IDENTIFIER = "ocf:"


def reference_schemas() -> Path:
    """The reference OCF 1.2.0 schemas (not the app's bundled copy)."""
    return vectors_folder("ocf-1.2.0") / "schema"


def export_package(app: Flask, issuer_id: str, token: str) -> bytes:
    response = app.test_client().get(
        f"/api/v1/issuers/{issuer_id}/snapshot",
        query_string={"format": "ocf"},
        headers={**bearer(token), **STATED_PURPOSE},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data()


def schema_problems(package: bytes) -> list[str]:
    """Every schema violation in every file of the package, against the reference schemas."""
    schemas = reference_schemas()
    assert schemas.is_dir(), f"no OCF schemas at {schemas} (set SHARELEDGER_VECTORS)"
    problems = []
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        for name in archive.namelist():
            document = json.loads(archive.read(name))
            checker = validator(file_schema(document["file_type"]), schemas)
            problems += [f"{name}: {error.message}" for error in checker.iter_errors(document)]
    return problems


def import_package(app: Flask, issuer_id: str, package: bytes) -> dict:
    """The import's report, whether it imported or was rejected (then nothing was written)."""
    try:
        with app.app_context(), command(ACTOR, issuer_id) as ctx:
            report = import_register(ctx, read_source("ocf", package), dry_run=False)
    except ImportRejected as rejected:
        report = rejected.report
    return report.as_dict()


def held(app: Flask, issuer_id: str) -> Counter:
    """(class, holder_id) -> shares held, for the holdings that hold any."""
    holdings = Driver(app).register(issuer_id).holdings
    return Counter({key: quantities[0] for key, quantities in holdings.items() if quantities[0]})


def held_by_source(app: Flask, issuer_id: str) -> Counter:
    """As `held`, each imported holder named by the stakeholder id its identifier records."""
    with app.app_context():
        identifiers = dict(
            db.session.execute(
                select(HolderDetails.holder_id, HolderDetails.identifier).where(
                    HolderDetails.issuer_id == issuer_id
                )
            ).all()
        )
    positions = Counter()
    for (code, holder_id), quantity in held(app, issuer_id).items():
        identifier = identifiers[holder_id]
        assert identifier.startswith(IMPORTED_IDENTIFIER), identifier
        positions[code, identifier.removeprefix(IMPORTED_IDENTIFIER)] += quantity
    return positions


def class_terms(app: Flask, issuer_id: str) -> dict[str, tuple]:
    """code -> (authorised, issued, par value, currency)."""
    with app.app_context():
        return {
            share_class.code: (
                share_class.authorised,
                share_class.issued,
                Decimal(share_class.par_value),
                share_class.currency,
            )
            for share_class in queries.list_classes(db.session, issuer_id)
        }


def assert_round_trips(app: Flask, issuer_id: str, token: str) -> dict:
    """Export, check the package against the schemas, import it into a fresh issuer and
    compare the positions; the report of the import, for more checks."""
    package = export_package(app, issuer_id, token)
    assert schema_problems(package) == []
    driver = Driver(app)
    fresh = driver.new_issuer()
    report = import_package(app, fresh, package)
    assert report["problems"] == [], report["problems"][:5]
    assert held_by_source(app, fresh) == held(app, issuer_id)
    assert class_terms(app, fresh) == class_terms(app, issuer_id)
    driver.replay(fresh)
    return report
