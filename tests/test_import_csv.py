"""Importing a register of members from CSV (docs/import-csv.md): through the API and the CLI,
all or nothing, with every problem reported by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.commands import command
from app.extensions import db
from app.ledger.log import read_entries
from app.models.register import HolderDetails, HoldingVersion, ShareClass
from app.register import classes, holders
from tests.support.helpers import ACTOR, HOLDER_A, bearer, class_request, holder_request
from tests.support.register_driver import Driver

HEADER = (
    "holder_key,name,address,identifier,country,holder_type,email,joint_holders,registered_on,"
    "class_code,class_name,votes_per_share,par_value,currency,authorised,quantity,"
    "price_per_share,reference"
)
# One holder with two classes (details given once), a company, joint holders; a name typed
# with a combining diaeresis and padded, a lower-case country, an address over two lines.
GOOD = "\n".join(
    [
        HEADER,
        'ada,Ada Lovelace,"12 St James\'s Square\nLondon",GB-NI-QQ123456C,GB,person,'
        "ada@example.test,,2019-04-01,ORD,Ordinary shares,1,0.01,GBP,1000000,1000,0.50,Cert 1",
        "ada,,,,,,,,,PREF,Preference shares,0,1.00,GBP,,200,,",
        'brunel,Brunel Engineering Ltd,"1 Temple Meads, Bristol",GB-CRN-00000042,gb,entity,'
        ",,,ORD,,,,,,5000,,",
        'smiths,  Zoe\u0308 Smith  ,"3 High St, York",GB-NI-AB123456C,GB,person,,'
        '"John Smith; Mary Smith",,ORD,Ordinary shares,1,0.010,GBP,1000000,250,,',
    ]
)


def _post(client, issuer_id, body: bytes | str, headers, **query):
    params = "&".join(f"{name}={value}" for name, value in {"format": "csv", **query}.items())
    data = body.encode() if isinstance(body, str) else body
    return client.post(
        f"/api/v1/issuers/{issuer_id}/imports?{params}",
        data=data,
        headers={**headers, "Content-Type": "text/csv"},
    )


def _details_by_name(app, issuer_id) -> dict[str, HolderDetails]:
    with app.app_context():
        rows = db.session.scalars(
            select(HolderDetails).where(HolderDetails.issuer_id == issuer_id)
        ).all()
        return {row.name: row for row in rows}


def holdings_by_name(app, issuer_id) -> dict[tuple[str, str], int]:
    """(holder name, class) -> shares held, for every holding that has held any."""
    names = {row.holder_id: name for name, row in _details_by_name(app, issuer_id).items()}
    with app.app_context():
        rows = db.session.scalars(
            select(HoldingVersion).where(
                HoldingVersion.issuer_id == issuer_id, HoldingVersion.to_index.is_(None)
            )
        )
        return {(names[row.holder_id], row.class_code): row.held for row in rows}


def test_a_csv_register_imports_as_ordinary_log_entries(app, client, new_issuer, make_token):
    issuer_id = new_issuer()["id"]
    driver = Driver(app)
    size = driver.trace(issuer_id).tree_size
    headers = bearer(make_token("secretary", issuer_id))
    response = _post(client, issuer_id, GOOD, headers)
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert report["ok"] and report["imported"] and not report["dry_run"]
    assert report["problems"] == [] and report["skipped"] == []
    assert report["counts"] == {"classes": 2, "holders": 3, "issuances": 4, "log_entries": 9}

    assert driver.kinds_since(issuer_id, size) == [
        "class.created",
        "class.created",
        "holder.registered",
        "holder.registered",
        "holder.registered",
        "shares.issued",
        "shares.issued",
        "shares.issued",
        "shares.issued",
    ]
    assert holdings_by_name(app, issuer_id) == {
        ("Ada Lovelace", "ORD"): 1000,
        ("Ada Lovelace", "PREF"): 200,
        ("Brunel Engineering Ltd", "ORD"): 5000,
        ("Zoë Smith", "ORD"): 250,
    }
    details = _details_by_name(app, issuer_id)
    assert details["Ada Lovelace"].address == "12 St James's Square, London"
    assert details["Brunel Engineering Ltd"].country == "GB"
    assert details["Brunel Engineering Ltd"].holder_type == "entity"
    assert details["Zoë Smith"].joint_holders == ["John Smith", "Mary Smith"]
    with app.app_context():
        ordinary = db.session.get(ShareClass, (issuer_id, "ORD"))
        preference = db.session.get(ShareClass, (issuer_id, "PREF"))
        assert (ordinary.authorised, ordinary.issued, ordinary.par_value) == (1000000, 6250, "0.01")
        assert (preference.authorised, preference.votes_per_share) == (None, 0)
        ada = holders.get_holder(db.session, issuer_id, details["Ada Lovelace"].holder_id)
        assert ada.registered_on.isoformat() == "2019-04-01"
        first_issue = next(
            entry.envelope["data"]
            for entry in read_entries(db.session, issuer_id, size, size + 9)
            if entry.envelope["kind"] == "shares.issued"
        )
    assert first_issue["price_per_share"] == "0.50" and first_issue["currency"] == "GBP"
    assert first_issue["reference"] == "Cert 1"
    driver.replay(issuer_id)
    driver.verify_log(issuer_id)


def test_utf8_with_a_byte_order_mark_imports_the_same(app, client, new_issuer, operator_headers):
    issuer_id = new_issuer()["id"]
    response = _post(client, issuer_id, b"\xef\xbb\xbf" + GOOD.encode(), operator_headers)
    assert response.status_code == 201, response.get_json()
    assert ("Zoë Smith", "ORD") in holdings_by_name(app, issuer_id)


def test_a_dry_run_reports_and_writes_nothing(app, client, new_issuer, operator_headers):
    issuer_id = new_issuer()["id"]
    driver = Driver(app)
    before = driver.trace(issuer_id)
    response = _post(client, issuer_id, GOOD, operator_headers, dry_run="true")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["ok"] and report["dry_run"] and not report["imported"]
    assert report["counts"]["log_entries"] == 9
    assert driver.trace(issuer_id) == before


def _existing_register(app, issuer_id) -> None:
    """A class OLD and Ada (HOLDER_A) already on the register."""
    with app.app_context(), command(ACTOR, issuer_id) as ctx:
        classes.create_class(ctx, class_request(code="OLD"))
        holders.register_holder(ctx, holder_request(HOLDER_A))


def test_an_existing_class_is_used_when_its_columns_agree(
    app, client, new_issuer, operator_headers
):
    issuer_id = new_issuer()["id"]
    _existing_register(app, issuer_id)
    body = "\n".join(
        [
            "holder_key,name,address,identifier,country,holder_type,class_code,class_name,quantity",
            "b,Brunel Engineering Ltd,1 Temple Meads,GB-CRN-00000042,GB,entity,OLD,,70",
            "c,Charles Babbage,1 Dorset St,GB-NI-CB000001A,GB,person,OLD,Ordinary shares,30",
        ]
    )
    response = _post(client, issuer_id, body, operator_headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["counts"] == {"holders": 2, "issuances": 2, "log_entries": 4}
    holdings = holdings_by_name(app, issuer_id)
    assert holdings[("Brunel Engineering Ltd", "OLD")] == 70
    assert holdings[("Charles Babbage", "OLD")] == 30
    Driver(app).replay(issuer_id)


# Every line from 3 on has exactly one problem (line 2 is fine); they are all reported at once.
BAD_LINES = [
    ("h1,Ann,1 A St,ID-1,GB,person,,,,ORD,Ordinary,1,0.01,GBP,100,60,,", None),
    ("h2,Bob,2 B St,ID-2,GB,person,,,,ORD,,,,,,50,,", "authorised_exceeded"),
    ("h3,Cy,3 C St,ID-3,UK,person,,,,ORD,,,,,,1,,", "invalid_country"),
    ("h4,Di,4 D St,ID-4,GB,company,,,,ORD,,,,,,1,,", "invalid_holder_type"),
    ("h5,Ed,5 E St,ID-5,GB,person,,,,ORD,,,,,,12.5,,", "not_whole_number"),
    ("h6,Flo,6 F St,ID-6,GB,person,,,,ORD,,,,,,0,,", "not_positive"),
    ("h7,Gus,7 G St,ID-7,GB,person,,,,ORD,,,,,,abc,,", "invalid_number"),
    ("h8,Hal,8 H St,ID-8,GB,person,not-an-email,,,ORD,,,,,,1,,", "invalid_email"),
    ("h9,Ivy,9 I St,ID-9,GB,person,,,2020-13-01,ORD,,,,,,1,,", "invalid_date"),
    ("h10,Jo,10 J St,ID-10,GB,person,,,,ord!,,,,,,1,,", "invalid_class_code"),
    ("h1,,,,,,,,,ORD,,,,,,5,,", "duplicate_holding"),
    ("h11,Kit,11 K St,ID-11,GB,person,,,,PREF,Preference,0,1,GBP,,5,,", None),
    ("h12,Lu,12 L St,ID-12,GB,person,,,,PREF,Preferred,,,,,5,,", "class_conflict"),
    ("h13,Max,13 M St,ID-13,GB,person,,,,C,C shares,,,GBP,,1,,", None),
    ("h13,Maxi,,,,,,,,D,D shares,,,GBP,,1,,", "holder_conflict"),
    ("h14,Ned,14 N St,ID-14,GB,person,,,,NEW,,,,,,1,,", "missing_value"),
    ("h15,Olo,15 O St,ID-2,GB,person,,,,ORD,,,,,,1,,", "duplicate_holder"),
    ("h16,,16 P St,ID-16,GB,person,,,,ORD,,,,,,1,,", "missing_value"),
    ("h17,Quin,17 Q St,ID-17,GB,person,,,,ORD,,,,,,1,,,extra", "field_count"),
    ("h18,Ro\x07s,18 R St,ID-18,GB,person,,,,ORD,,,,,,1,,", "control_character"),
    ("h19,Sal,19 S St,ID-19,GB,person,,,,NEG,Negative,,-1,GBP,,1,,", "negative"),
    ("h20,Ty,20 T St,ID-20,GB,person,,,,CUR,Currency,,,pounds,,1,,", "invalid_currency"),
    ("h21,Uma,21 U St,ID-21,GB,person,,A;B;C;D,,ORD,,,,,,1,,", "too_many_joint_holders"),
    (f"h22,Vic,22 V St,{HOLDER_A['identifier']},GB,person,,,,ORD,,,,,,1,,", "holder_exists"),
    ("h23,Wes,23 W St,ID-23,GB,person,,,,OLD,,5,,,,1,,", "class_conflict"),
    ("h24,Xi,24 X St,ID-24,GB,person,,,,ZERO,Zero,,,GBP,0,1,,", "not_positive"),
    (f"h25,{'Y' * 201},25 Y St,ID-25,GB,person,,,,ORD,,,,,,1,,", "too_long"),
    (",Zed,26 Z St,ID-26,GB,person,,,,ORD,,,,,,1,,", "missing_value"),
]
EXPECTED = [
    (f"line {line}", code) for line, (_, code) in enumerate(BAD_LINES, start=2) if code is not None
]


def test_every_problem_is_reported_by_line_and_nothing_is_imported(
    app, client, new_issuer, operator_headers
):
    issuer_id = new_issuer()["id"]
    _existing_register(app, issuer_id)
    driver = Driver(app)
    before = driver.trace(issuer_id)
    body = "\n".join([HEADER, *(line for line, _ in BAD_LINES)])
    for dry_run in ("true", "false"):
        response = _post(client, issuer_id, body, operator_headers, dry_run=dry_run)
        assert response.status_code == 422
        report = response.get_json()
        assert report["code"] == "import_rejected" and not report["ok"]
        assert not report["imported"]
        assert [(p["where"], p["code"]) for p in report["problems"]] == EXPECTED
    assert driver.trace(issuer_id) == before


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "holder_key,name,adress,identifier,country,holder_type,class_code,quantity,quantity",
            [
                ("line 1", "duplicate_column"),
                ("line 1", "unknown_column"),
                ("line 1", "missing_column"),
            ],
        ),
        (HEADER + "\n", [("line 1", "empty")]),
        (
            (HEADER + "\n" + BAD_LINES[0][0] + "\nh2,B\xe9,2 B St").encode("latin-1"),
            [("line 3", "encoding")],
        ),
    ],
    ids=["header", "no rows", "not utf-8"],
)
def test_unreadable_files_are_reported(client, new_issuer, operator_headers, body, expected):
    issuer_id = new_issuer()["id"]
    response = _post(client, issuer_id, body, operator_headers)
    assert response.status_code == 422
    assert [(p["where"], p["code"]) for p in response.get_json()["problems"]] == expected


def test_importing_the_same_file_twice_is_refused(client, new_issuer, operator_headers):
    issuer_id = new_issuer()["id"]
    assert _post(client, issuer_id, GOOD, operator_headers).status_code == 201
    again = _post(client, issuer_id, GOOD, operator_headers)
    assert again.status_code == 422
    # Lines are the file's own: Ada's address spans lines 2 and 3.
    assert [(p["where"], p["code"]) for p in again.get_json()["problems"]] == [
        ("line 2", "holder_exists"),
        ("line 5", "holder_exists"),
        ("line 6", "holder_exists"),
    ]


@pytest.mark.parametrize(
    ("role", "status"), [("regulator", 403), ("other secretary", 404), ("investor", 403)]
)
def test_only_the_issuers_secretary_or_the_operator_may_import(
    client, new_issuer, make_token, role, status
):
    """Who sees the issuer but may not import gets 403; another issuer's secretary, who may
    not see it, gets the unknown issuer's 404."""
    issuer_id, other_id = new_issuer()["id"], new_issuer()["id"]
    token = (
        make_token("secretary", other_id)
        if role == "other secretary"
        else make_token(role, issuer_id if role == "investor" else None)
    )
    response = _post(client, issuer_id, GOOD, bearer(token))
    assert response.status_code == status
    assert _post(client, issuer_id, GOOD, {}).status_code == 401


def test_the_cli_imports_with_progress_on_stderr(app, runner, new_issuer, tmp_path):
    issuer_id = new_issuer()["id"]
    rows = [
        f"h{n},Holder {n},{n} Long Road,ID-{n},GB,person,,,,ORD,Ordinary,1,0.01,GBP,,{n},,"
        for n in range(1, 26)
    ]
    path = tmp_path / "register.csv"
    path.write_text("\n".join([HEADER, *rows]), encoding="utf-8")
    driver = Driver(app)
    before = driver.trace(issuer_id)

    command_line = ["register", "import", "--issuer", issuer_id, "--progress-every", "10"]
    dry = runner.invoke(args=[*command_line, "--dry-run", str(path)])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.stdout and "holders: 25" in dry.stdout
    assert "rows read: 10" in dry.stderr and "rows read: 20" in dry.stderr
    assert driver.trace(issuer_id) == before

    done = runner.invoke(args=[*command_line, "--json", str(path)])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["imported"] and report["counts"]["log_entries"] == 1 + 25 + 25
    assert "log entries recorded: 51 of 51" in done.stderr
    assert holdings_by_name(app, issuer_id)[("Holder 25", "ORD")] == 25
    driver.replay(issuer_id)


def test_the_cli_lists_problems_and_fails(runner, new_issuer, tmp_path):
    issuer_id = new_issuer()["id"]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([HEADER, BAD_LINES[2][0]]), encoding="utf-8")
    result = runner.invoke(args=["register", "import", "--issuer", issuer_id, str(path)])
    assert result.exit_code == 1
    assert "line 2: invalid_country: 'UK'" in result.stdout
    unknown = runner.invoke(args=["register", "import", "--issuer", "nobody", str(path)])
    assert unknown.exit_code == 1 and "no issuer nobody" in unknown.output


def test_the_documented_example_imports_as_documented(app, client, new_issuer, operator_headers):
    docs = (Path(__file__).resolve().parents[1] / "docs" / "import-csv.md").read_text()
    example = docs.split("```csv\n", 1)[1].split("```", 1)[0]
    issuer_id = new_issuer()["id"]
    response = _post(client, issuer_id, example, operator_headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["counts"] == {
        "classes": 2,
        "holders": 3,
        "issuances": 4,
        "log_entries": 9,
    }
    assert _details_by_name(app, issuer_id)["Zoë Smith"].joint_holders == [
        "John Smith",
        "Mary Smith",
    ]
