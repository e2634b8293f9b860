"""Importing a register of members from an Open Cap Table Format 1.2.0 package (a folder, a
manifest or a zip), through the CLI and the API, all or nothing."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.interchange.importing.ocf_import import holder_details
from app.interchange.importing.ocf_schema import SCHEMA_DIR, ocf_registry, schema_id, validator
from app.interchange.importing.ocf_stock import STOCK_TRANSACTIONS
from app.models.register import HolderDetails
from tests.support.helpers import bearer
from tests.support.register_driver import Driver
from tests.support.vectors import vectors_folder
from tests.test_import_csv import holdings_by_name

VECTORS = vectors_folder("ocf-1.2.0")
SAMPLES = VECTORS / "samples"


@pytest.fixture(autouse=True)
def _require_vectors() -> None:
    # Missing vectors are a broken checkout, not a reason to pass quietly.
    if not SAMPLES.is_dir():
        pytest.fail(f"no OCF vectors at {VECTORS} (set SHARELEDGER_VECTORS)")


PERSON_X = "stakeholder-sample-individual-all-fields"
FUND_III = "stakeholder-sample-institution-all-fields"
PERSON_Y = "d6c49a5a-257d-4b41-9f1d-073a77dfe719"  # no address, no tax id
COMMON = "8d8371e8-d41d-4a49-9f42-b91758fd155d"  # "CS-" prefix -> CS
SEED = "cc775778-7d6e-4f8a-93cf-4df2242d7d6d"  # "PS-" prefix -> PS, no par value


def _issuance(tx_id, date, security, stakeholder, stock_class, quantity, price="1.00"):
    return {
        "object_type": "TX_STOCK_ISSUANCE",
        "id": tx_id,
        "date": date,
        "security_id": security,
        "custom_id": security,
        "stakeholder_id": stakeholder,
        "stock_class_id": stock_class,
        "quantity": quantity,
        "share_price": {"amount": price, "currency": "USD"},
        "stock_legend_ids": [],
        "security_law_exemptions": [],
    }


def _tx(object_type, tx_id, date, **fields):
    return {"object_type": object_type, "id": tx_id, "date": date, **fields}


def stock_history() -> list[dict]:
    """The ACME sample's own stakeholders and classes, with a coherent stock history.

    By hand (X = Person X, F = XYZ Holdings Fund III):
      2021-01-04 issue 1,000,000 CS to X (CS-1) and 2,000,000 PS to F (PS-1)
      2021-01-05 X accepts CS-1                                     (no register change)
      2021-06-01 X transfers 250,000 CS to F (CS-2), keeps 750,000 (CS-3)
      2021-07-01 CS-3 reissued as CS-4 (500,000) and CS-5 (250,000)  (no register change)
      2021-08-01 50,000 of CS-5 cancelled, 200,000 left (CS-6)        X: CS 700,000
      2021-09-01 50,000 of CS-2 repurchased, 200,000 left (CS-7)      F: CS 200,000
      2021-10-01 F converts 500,000 PS into 500,000 CS (CS-8), keeps 1,500,000 PS (PS-2)
                                                                    F: CS 700,000, PS 1,500,000
      2022-01-10 CS splits 2:1 (CS-4 reissued as CS-9, 1,000,000)    X: CS 1,400,000
                                                                    F: CS 1,400,000
                 CS authorised 1,000,000,000 -> 2,000,000,000 with the split
      2022-12-16 PS authorised 10,000,000 -> 9,365,000
      2023-01-05 issue 100,000 PS to X (PS-3); retracted on 2023-01-06 X: PS 0
    Totals: CS 2,800,000 issued; PS 1,500,000 issued.
    """
    return [
        _issuance("imp-iss-cs-1", "2021-01-04", "CS-1", PERSON_X, COMMON, "1000000.00", "0.0001"),
        _issuance("imp-iss-ps-1", "2021-01-04", "PS-1", FUND_III, SEED, "2000000"),
        _tx("TX_STOCK_ACCEPTANCE", "imp-acc-cs-1", "2021-01-05", security_id="CS-1"),
        _tx(
            "TX_STOCK_TRANSFER",
            "imp-tr-1",
            "2021-06-01",
            security_id="CS-1",
            quantity="250000",
            resulting_security_ids=["CS-2"],
            balance_security_id="CS-3",
        ),
        _issuance("imp-iss-cs-2", "2021-06-01", "CS-2", FUND_III, COMMON, "250000", "0.0001"),
        _issuance("imp-iss-cs-3", "2021-06-01", "CS-3", PERSON_X, COMMON, "750000", "0.0001"),
        _tx(
            "TX_STOCK_REISSUANCE",
            "imp-reiss-1",
            "2021-07-01",
            security_id="CS-3",
            resulting_security_ids=["CS-4", "CS-5"],
        ),
        _issuance("imp-iss-cs-4", "2021-07-01", "CS-4", PERSON_X, COMMON, "500000", "0.0001"),
        _issuance("imp-iss-cs-5", "2021-07-01", "CS-5", PERSON_X, COMMON, "250000", "0.0001"),
        _tx(
            "TX_STOCK_CANCELLATION",
            "imp-cancel-1",
            "2021-08-01",
            security_id="CS-5",
            quantity="50000",
            reason_text="Forfeited",
            balance_security_id="CS-6",
        ),
        _issuance("imp-iss-cs-6", "2021-08-01", "CS-6", PERSON_X, COMMON, "200000", "0.0001"),
        _tx(
            "TX_STOCK_REPURCHASE",
            "imp-repurchase-1",
            "2021-09-01",
            security_id="CS-2",
            quantity="50000",
            price={"amount": "0.50", "currency": "USD"},
            balance_security_id="CS-7",
        ),
        _issuance("imp-iss-cs-7", "2021-09-01", "CS-7", FUND_III, COMMON, "200000", "0.0001"),
        _tx(
            "TX_STOCK_CONVERSION",
            "imp-convert-1",
            "2021-10-01",
            security_id="PS-1",
            quantity_converted="500000",
            resulting_security_ids=["CS-8"],
            balance_security_id="PS-2",
        ),
        _issuance("imp-iss-cs-8", "2021-10-01", "CS-8", FUND_III, COMMON, "500000", "0.0001"),
        _issuance("imp-iss-ps-2", "2021-10-01", "PS-2", FUND_III, SEED, "1500000"),
        _tx(
            "TX_STOCK_CLASS_SPLIT",
            "imp-split-cs",
            "2022-01-10",
            stock_class_id=COMMON,
            split_ratio={"numerator": "2", "denominator": "1"},
        ),
        # Same day, and its id sorts before the split's: it still waits for the split.
        _tx(
            "TX_STOCK_REISSUANCE",
            "imp-reiss-split-4",
            "2022-01-10",
            security_id="CS-4",
            resulting_security_ids=["CS-9"],
            split_transaction_id="imp-split-cs",
        ),
        _issuance("imp-iss-cs-9", "2022-01-10", "CS-9", PERSON_X, COMMON, "1000000", "0.0001"),
        _tx(
            "TX_STOCK_CLASS_AUTHORIZED_SHARES_ADJUSTMENT",
            "imp-adjust-ps",
            "2022-12-16",
            stock_class_id=SEED,
            new_shares_authorized="9365000",
        ),
        _issuance("imp-iss-ps-3", "2023-01-05", "PS-3", PERSON_X, SEED, "100000"),
        _tx(
            "TX_STOCK_RETRACTION",
            "imp-retract-ps-3",
            "2023-01-06",
            security_id="PS-3",
            reason_text="Never accepted",
        ),
    ]


def write_package(
    folder: Path, edit: Callable[[dict[str, dict]], None] | None = None, after=None
) -> Path:
    """The sample package with the sample's stock transactions replaced by `stock_history()`
    (the other transactions, options, warrants and the like, stay), MD5s recomputed. `edit`
    may change the files (by name) before the checksums; `after` after them."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((SAMPLES / "Manifest.ocf.json").read_text())
    listed_files = [
        listed for name, value in manifest.items() if name.endswith("_files") for listed in value
    ]
    files = {
        Path(listed["filepath"]).name: json.loads((SAMPLES / listed["filepath"]).read_text())
        for listed in listed_files
    }
    transactions = files["Transactions.ocf.json"]
    transactions["items"] = [
        item for item in transactions["items"] if item["object_type"] not in STOCK_TRANSACTIONS
    ] + stock_history()
    if edit:
        edit(files)
    for name, content in files.items():
        (folder / name).write_text(json.dumps(content, indent=2))
    for listed in listed_files:
        listed["md5"] = hashlib.md5((folder / listed["filepath"]).read_bytes()).hexdigest()
    (folder / "Manifest.ocf.json").write_text(json.dumps(manifest, indent=2))
    if after:
        after(folder)
    return folder / "Manifest.ocf.json"


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"acme/{path.name}")
    return buffer.getvalue()


def _post(client, issuer_id, data: bytes, headers, **query):
    params = "&".join(f"{name}={value}" for name, value in {"format": "ocf", **query}.items())
    return client.post(
        f"/api/v1/issuers/{issuer_id}/imports?{params}",
        data=data,
        headers={**headers, "Content-Type": "application/zip"},
    )


def _register(app, issuer_id):
    """(holder name, class) -> held, and class code -> (authorised, issued)."""
    return holdings_by_name(app, issuer_id), Driver(app).register(issuer_id).classes


EXPECTED_HOLDINGS = {
    ("Person X", "CS"): 1_400_000,
    ("Person X", "PS"): 0,
    ("XYZ Holdings Fund III", "CS"): 1_400_000,
    ("XYZ Holdings Fund III", "PS"): 1_500_000,
}
EXPECTED_CLASSES = {"CS": (2_000_000_000, 2_800_000), "PS": (9_365_000, 1_500_000)}
EXPECTED_COUNTS = {
    "acceptances": 1,
    "authorised_changes": 1,
    "cancellations": 2,
    "classes": 2,
    "conversions": 1,
    "holders": 2,
    "issuances": 3,
    "reissuances": 2,
    "repurchases": 1,
    "splits": 1,
    "transfers": 1,
    "log_entries": 14,
}


def test_the_app_ships_the_ocf_schemas_unchanged_and_resolves_them_offline():
    shipped = {p.relative_to(SCHEMA_DIR): p.read_bytes() for p in SCHEMA_DIR.rglob("*.json")}
    vectors = VECTORS / "schema"
    assert shipped == {p.relative_to(vectors): p.read_bytes() for p in vectors.rglob("*.json")}
    assert (SCHEMA_DIR.parent / "LICENSE.md").read_bytes() == (VECTORS / "LICENSE.md").read_bytes()
    registry = ocf_registry()
    assert len([uri for uri in registry if uri.startswith(schema_id(""))]) == len(shipped)
    manifest = json.loads((SAMPLES / "Manifest.ocf.json").read_text())
    assert (
        list(validator(schema_id("files/OCFManifestFile.schema.json")).iter_errors(manifest)) == []
    )
    # The same registry builder serves a schema folder elsewhere (e.g. the vectors).
    assert len(ocf_registry(VECTORS / "schema")) >= 168


def test_a_package_imports_stock_positions_computed_by_hand(app, runner, new_issuer, tmp_path):
    issuer_id = new_issuer()["id"]
    driver = Driver(app)
    size = driver.trace(issuer_id).tree_size
    manifest = write_package(tmp_path / "acme")
    result = runner.invoke(
        args=["register", "import", "--issuer", issuer_id, "--json", str(manifest)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"] == EXPECTED_COUNTS and report["problems"] == []
    holdings, classes = _register(app, issuer_id)
    assert holdings == EXPECTED_HOLDINGS
    assert classes == EXPECTED_CLASSES
    assert driver.kinds_since(issuer_id, size) == [
        "class.created",
        "class.created",
        "holder.registered",
        "shares.issued",
        "holder.registered",
        "shares.issued",
        "transfer.settled",
        "shares.cancelled",
        "shares.repurchased",
        "shares.converted",
        "class.split",
        "class.amended",
        "shares.issued",
        "shares.cancelled",
    ]
    skipped = {entry["where"]: entry["reason"] for entry in report["skipped"]}
    assert skipped["test-warrant-issuance-minimal"].startswith("skipped (not share register data)")
    assert (
        "TX_ISSUER_AUTHORIZED_SHARES_ADJUSTMENT"
        in skipped["test-issuer-level-share-adjustment-minimal"]
    )
    assert skipped[PERSON_Y] == "skipped: holds no stock, so is not a member"
    assert PERSON_X not in skipped
    with app.app_context():
        details = {
            row.name: row
            for row in db.session.scalars(
                select(HolderDetails).where(HolderDetails.issuer_id == issuer_id)
            )
        }
    person_x, fund = details["Person X"], details["XYZ Holdings Fund III"]
    assert (person_x.holder_type, person_x.identifier, person_x.country) == (
        "person",
        "256-33-1234",
        "US",
    )
    assert person_x.address == "123 Abc St., Cityville, TX, 12345"  # the LEGAL address
    assert person_x.email == "personal@test.email"
    assert (fund.holder_type, fund.email) == ("entity", "toddfundmanager@test.email")
    driver.replay(issuer_id)
    driver.verify_log(issuer_id)


def test_a_zipped_package_imports_through_the_api(app, client, new_issuer, make_token, tmp_path):
    issuer_id = new_issuer()["id"]
    headers = bearer(make_token("secretary", issuer_id))
    write_package(tmp_path / "acme")
    data = zipped(tmp_path / "acme")
    driver = Driver(app)
    before = driver.trace(issuer_id)
    dry = _post(client, issuer_id, data, headers, dry_run="true")
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["counts"] == EXPECTED_COUNTS
    assert driver.trace(issuer_id) == before
    done = _post(client, issuer_id, data, headers)
    assert done.status_code == 201, done.get_json()
    assert _register(app, issuer_id) == (EXPECTED_HOLDINGS, EXPECTED_CLASSES)
    driver.replay(issuer_id)
    # A second import of the same package meets its classes, whose authorised numbers its
    # own history has since changed: a conflict, reported by class id; nothing imported.
    again = _post(client, issuer_id, data, headers)
    assert again.status_code == 422
    problems = again.get_json()["problems"]
    assert {(p["where"], p["code"]) for p in problems} == {
        (COMMON, "class_conflict"),
        (SEED, "class_conflict"),
    }
    assert "authorised 1000000000 (the register has 2000000000)" in problems[0]["message"]


def _break(files: dict[str, dict]) -> None:
    items = files["Transactions.ocf.json"]["items"]
    by_id = {item["id"]: item for item in items}
    by_id["imp-iss-ps-1"]["quantity"] = "lots"  # schema violation
    by_id["imp-tr-1"]["quantity"] = "2000000"  # more than CS-1 holds
    by_id["imp-iss-ps-3"]["stakeholder_id"] = PERSON_Y  # a member needs an address


def _tamper(folder: Path) -> None:
    path = folder / "Valuations.ocf.json"
    path.write_text(path.read_text() + "\n")


BROKEN = [
    ("acme/Valuations.ocf.json", "checksum_mismatch"),  # its path in the zip
    ("imp-iss-ps-1", "schema_violation"),
    ("imp-tr-1", "insufficient_available"),
    (PERSON_Y, "missing_value"),  # no address; no tax id is not a problem
]


def test_a_broken_package_reports_every_problem_by_object_id(
    app, client, runner, new_issuer, operator_headers, tmp_path
):
    issuer_id = new_issuer()["id"]
    manifest = write_package(tmp_path / "acme", _break, _tamper)
    driver = Driver(app)
    before = driver.trace(issuer_id)

    response = _post(client, issuer_id, zipped(tmp_path / "acme"), operator_headers)
    assert response.status_code == 422
    report = response.get_json()
    assert report["code"] == "import_rejected" and not report["imported"]
    assert sorted((p["where"], p["code"]) for p in report["problems"]) == sorted(BROKEN)
    messages = {p["where"]: p["message"] for p in report["problems"]}
    assert "2,000,000 is more than the 1,000,000 shares of security CS-1" in messages["imp-tr-1"]
    assert messages["imp-iss-ps-1"].startswith("quantity: 'lots' does not match")

    result = runner.invoke(args=["register", "import", "--issuer", issuer_id, str(manifest)])
    assert result.exit_code == 1
    assert "imp-tr-1: insufficient_available" in result.stdout
    assert driver.trace(issuer_id) == before


def test_the_ocf_samples_as_published_are_not_a_coherent_register(
    app, runner, new_issuer, tmp_path
):
    """The OCF 1.2.0 samples illustrate each object type on its own: their MD5s are dummies
    (the manifest says so), and their stock transactions name a stakeholder, a class and
    securities the package does not hold. The dry run says exactly that, by object id; the
    sample's stakeholders and classes themselves are fine, and the rest is skipped."""
    issuer_id = new_issuer()["id"]
    driver = Driver(app)
    before = driver.trace(issuer_id)
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder)
    command_line = ["register", "import", "--issuer", issuer_id, "--dry-run", "--json"]
    result = runner.invoke(args=[*command_line, str(folder)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    problems = {(p["where"], p["code"]) for p in report["problems"]}
    listed = [
        n for n in json.loads((SAMPLES / "Manifest.ocf.json").read_text()) if n.endswith("_files")
    ]
    checksums = {(p, c) for p, c in problems if c == "checksum_mismatch"}
    assert len(checksums) == sum(1 for n in listed if n != "documents_files")
    assert {
        ("test-stock-issuance-minimal", "unknown_stakeholder"),
        ("test-stock-issuance-minimal", "unknown_class"),
        ("test-stock-issuance-minimal-RSA", "duplicate_security"),
        ("decrease-authorized-series-a-preferred-after-financing", "unknown_class"),
    } <= problems
    assert not {code for _, code in problems} & {"schema_violation", "unexpected_object"}
    skipped = {entry["where"] for entry in report["skipped"]}
    assert {
        "test-warrant-issuance-minimal",
        "test-issuer-level-share-adjustment-minimal",
    } <= skipped
    assert report["counts"]["classes"] == 2

    without_checksums = runner.invoke(args=[*command_line, "--no-checksums", str(folder)])
    rest = {(p["where"], p["code"]) for p in json.loads(without_checksums.stdout)["problems"]}
    assert rest == problems - checksums
    assert driver.trace(issuer_id) == before


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"not a zip", "invalid_zip"), (b"", "invalid_zip")],
)
def test_an_upload_that_is_no_package_is_reported(client, new_issuer, operator_headers, data, code):
    issuer_id = new_issuer()["id"]
    response = _post(client, issuer_id, data, operator_headers)
    assert response.status_code == 422
    assert [(p["where"], p["code"]) for p in response.get_json()["problems"]] == [("package", code)]


def test_a_zip_without_a_manifest_or_missing_a_listed_file(
    client, new_issuer, operator_headers, tmp_path
):
    issuer_id = new_issuer()["id"]
    write_package(tmp_path / "acme", after=lambda folder: (folder / "StockPlans.ocf.json").unlink())
    response = _post(client, issuer_id, zipped(tmp_path / "acme"), operator_headers)
    assert [(p["where"], p["code"]) for p in response.get_json()["problems"]] == [
        ("acme/StockPlans.ocf.json", "missing_file")
    ]
    (tmp_path / "acme" / "Manifest.ocf.json").unlink()
    response = _post(client, issuer_id, zipped(tmp_path / "acme"), operator_headers)
    assert [(p["where"], p["code"]) for p in response.get_json()["problems"]] == [
        ("package", "manifest")
    ]


def _edit(changes: dict[str, dict]) -> Callable[[dict[str, dict]], None]:
    """Change fields of transactions (by id)."""

    def edit(files: dict[str, dict]) -> None:
        for item in files["Transactions.ocf.json"]["items"]:
            item.update(changes.get(item["id"], {}))

    return edit


def _drop(*ids: str) -> Callable[[dict[str, dict]], None]:
    def edit(files: dict[str, dict]) -> None:
        items = files["Transactions.ocf.json"]["items"]
        items[:] = [item for item in items if item["id"] not in ids]

    return edit


def _add(*items: dict) -> Callable[[dict[str, dict]], None]:
    def edit(files: dict[str, dict]) -> None:
        files["Transactions.ocf.json"]["items"].extend(items)

    return edit


def _list_in_manifest(filepath: str) -> Callable[[Path], None]:
    def after(folder: Path) -> None:
        manifest = json.loads((folder / "Manifest.ocf.json").read_text())
        manifest["documents_files"] = [{"filepath": filepath, "md5": "0" * 32}]
        (folder / "Manifest.ocf.json").write_text(json.dumps(manifest))

    return after


SECOND_TRANSFER = _tx(
    "TX_STOCK_TRANSFER",
    "imp-tr-again",
    "2021-06-02",
    security_id="CS-1",
    quantity="1",
    resulting_security_ids=["CS-10"],
)
STRAY = {"object_type": "STAKEHOLDER", "id": "stray", "name": {"legal_name": "S"},
         "stakeholder_type": "INDIVIDUAL"}  # fmt: skip
ODD_SPLIT = {
    "imp-split-cs": {"split_ratio": {"numerator": "3", "denominator": "2"}},
    "imp-iss-cs-9": {"quantity": "750000"},
    "imp-cancel-1": {"quantity": "50001"},
    "imp-iss-cs-6": {"quantity": "199999"},
}


def _case(name: str, expected: list, edit=None, after=None):
    return pytest.param(edit, after, expected, id=name)


INCONSISTENCIES = [
    _case("security used twice", [("imp-tr-again", "security_closed")], _add(SECOND_TRANSFER)),
    _case(
        "dated before its security",
        [("imp-acc-cs-1", "out_of_order")],
        _edit({"imp-acc-cs-1": {"date": "2020-12-31"}}),
    ),
    _case(
        "wrong balance",
        [("imp-tr-1", "balance_mismatch")],
        _edit({"imp-iss-cs-3": {"quantity": "700000"}}),
    ),
    _case(
        "results do not add up",
        [("imp-tr-1", "quantity_mismatch")],
        _edit({"imp-iss-cs-2": {"quantity": "200000"}}),
    ),
    _case(
        "reissued to someone else",
        [("imp-reiss-1", "holder_mismatch")],
        _edit({"imp-iss-cs-5": {"stakeholder_id": FUND_III}}),
    ),
    _case(
        "converted for someone else",
        [("imp-convert-1", "holder_mismatch")],
        _edit({"imp-iss-cs-8": {"stakeholder_id": PERSON_X}}),
    ),
    _case(
        "transfer changes the class",
        [("imp-tr-1", "class_mismatch")],
        _edit({"imp-iss-cs-2": {"stock_class_id": SEED}}),
    ),
    _case("balance never issued", [("imp-tr-1", "unknown_security")], _drop("imp-iss-cs-3")),
    _case("split leaves fractions", [("imp-split-cs", "fractional_result")], _edit(ODD_SPLIT)),
    _case(
        "1:1 split",
        [("imp-split-cs", "invalid_ratio")],
        _edit({"imp-split-cs": {"split_ratio": {"numerator": "1", "denominator": "1"}}}),
    ),
    _case(
        "unknown split",
        [("imp-reiss-split-4", "unknown_transaction")],
        _edit({"imp-reiss-split-4": {"split_transaction_id": "nope"}}),
    ),
    _case(
        "unknown class",
        [("imp-iss-ps-3", "unknown_class")],
        _edit({"imp-iss-ps-3": {"stock_class_id": "nope"}}),
    ),
    _case(
        "fractional quantity",
        [("imp-iss-ps-1", "not_whole_number")],
        _edit({"imp-iss-ps-1": {"quantity": "2000000.50"}}),
    ),
    _case(
        "authorised below issued",
        [("imp-adjust-ps", "authorised_below_issued"), ("imp-iss-ps-3", "authorised_exceeded")],
        _edit({"imp-adjust-ps": {"new_shares_authorized": "1000000"}}),
    ),
    _case(
        "duplicate id",
        [("imp-acc-cs-1", "duplicate_id")],
        _add(_tx("TX_STOCK_ACCEPTANCE", "imp-acc-cs-1", "2021-01-06", security_id="CS-1")),
    ),
    _case("stakeholder among transactions", [("stray", "unexpected_object")], _add(STRAY)),
    _case(
        "split terms the register does not know",
        [("imp-split-cs", "invalid_terms")],
        _edit({"imp-split-cs": {"comments": ['ShareLedger terms: {"fraction_policy": "up"}']}}),
    ),
    _case(
        "path outside the package",
        [("../outside.ocf.json", "unsafe_path")],
        after=_list_in_manifest("../outside.ocf.json"),
    ),
]


@pytest.mark.parametrize(("edit", "after", "expected"), INCONSISTENCIES)
def test_each_inconsistency_is_reported_once_by_object_id(
    runner, new_issuer, tmp_path, edit, after, expected
):
    issuer_id = new_issuer()["id"]
    manifest = write_package(tmp_path / "acme", edit, after)
    command_line = ["register", "import", "--issuer", issuer_id, "--dry-run", "--json"]
    result = runner.invoke(args=[*command_line, str(manifest)])
    assert result.exit_code == 1, result.output
    problems = json.loads(result.stdout)["problems"]
    assert [(p["where"], p["code"]) for p in problems] == expected, problems


def test_a_consolidation_imports_too(app, runner, new_issuer, tmp_path):
    issuer_id = new_issuer()["id"]
    edit = _edit(
        {
            "imp-split-cs": {"split_ratio": {"numerator": "1", "denominator": "2"}},
            "imp-iss-cs-9": {"quantity": "250000"},
        }
    )
    write_package(tmp_path / "acme", edit)
    package = tmp_path / "acme.zip"  # the CLI takes a zip as well as a folder or a manifest
    package.write_bytes(zipped(tmp_path / "acme"))
    result = runner.invoke(args=["register", "import", "--issuer", issuer_id, str(package)])
    assert result.exit_code == 0, result.output
    assert "consolidations: 1" in result.stdout
    holdings, classes = _register(app, issuer_id)
    assert holdings[("Person X", "CS")] == 350_000
    assert holdings[("XYZ Holdings Fund III", "CS")] == 350_000
    assert classes["CS"] == (500_000_000, 700_000)
    Driver(app).replay(issuer_id)


def test_a_member_without_a_tax_id_is_recorded_under_their_stakeholder_id():
    person = {"id": "sh-1", "name": {"legal_name": "Ann Example"}, "stakeholder_type":
              "INDIVIDUAL", "addresses": [{"address_type": "LEGAL", "street_suite": "1 High St",
                                           "country": "GB"}]}  # fmt: skip
    details, problems = holder_details(person)
    assert (details["identifier"], problems) == ("ocf:sh-1", [])
    long_id = "x" * 80
    details, _ = holder_details({**person, "id": long_id})
    assert details["identifier"].startswith("ocf:") and len(details["identifier"]) <= 64
    assert details["identifier"] != holder_details({**person, "id": "y" * 80})[0]["identifier"]
    tax_id = [{"tax_id": "123-45-6789", "country": "US"}]
    assert holder_details({**person, "tax_ids": tax_id})[0]["identifier"] == "123-45-6789"
