"""Bad input gets a 4xx with a machine code and a human message, never a 500, and every
refusal leaves the log as it was."""

from __future__ import annotations

import json

import marshmallow as ma
import pytest
from werkzeug.exceptions import BadRequest, UnprocessableEntity

from app import strict_json
from app.errors import handle_http_exception
from app.extensions import db
from app.ledger import log
from app.register.limits import MAX_SHARES
from tests.support.helpers import HOLDER_A, HOLDER_B, ORDINARY, bearer, issuer_fields

JSON = "application/json"


@pytest.fixture
def register(client, new_issuer, make_token):
    """An issuer with an ORD class (authorised 1,000) and two holders, A holding 100."""
    issuer = new_issuer()
    headers = bearer(make_token("secretary", issuer["id"]))
    base = f"/api/v1/issuers/{issuer['id']}"
    ok = client.post(f"{base}/classes", json={**ORDINARY, "authorised": 1000}, headers=headers)
    assert ok.status_code == 201, ok.get_json()
    ids = [
        client.post(f"{base}/holders", json=details, headers=headers).get_json()["holder_id"]
        for details in (HOLDER_A, HOLDER_B)
    ]
    allocation = {"class": "ORD", "holder_id": ids[0], "quantity": 100}
    ok = client.post(f"{base}/issuances", json={"allocations": [allocation]}, headers=headers)
    assert ok.status_code == 201, ok.get_json()
    return {"issuer_id": issuer["id"], "base": base, "headers": headers, "a": ids[0], "b": ids[1]}


def json_with(fields: dict, **raw: str) -> str:
    """`fields` as JSON, with each of `raw` written as the given JSON text ("1e2", "true")."""
    text = json.dumps({**fields, **{name: f"<raw {name}>" for name in raw}})
    for name, value in raw.items():
        text = text.replace(f'"<raw {name}>"', value)
    return text


def batch(*allocations: str) -> str:
    return '{"allocations": [' + ", ".join(allocations) + "]}"


def _size(app, issuer_id: str) -> int:
    with app.app_context():
        return log.signed_size(db.session, issuer_id)


def refused(app, client, register, path: str, body: str | bytes, headers=None, method="post"):
    """Send `body` as JSON to the register's `path`; the answer, checked to be a coded 4xx
    that wrote nothing."""
    before = _size(app, register["issuer_id"])
    send = getattr(client, method)
    answer = send(
        f"{register['base']}{path}",
        data=body,
        content_type=JSON,
        headers=register["headers"] if headers is None else headers,
    )
    assert 400 <= answer.status_code < 500, answer.get_data(as_text=True)[:500]
    error = answer.get_json()
    assert error["code"] and error["message"], error
    assert _size(app, register["issuer_id"]) == before
    return answer


# --- JSON that is not JSON, or not JSON the register can carry ------------------------------


@pytest.mark.parametrize(
    "body", ['{"class":', "{'class': 'ORD'}", "[1, 2", "NaN", '{"quantity": Infinity}', "\ufeff{}"]
)
def test_malformed_json_answers_400_invalid_json(app, client, register, body):
    answer = refused(app, client, register, "/transfers", body.encode())
    assert (answer.status_code, answer.get_json()["code"]) == (400, "invalid_json")


def test_a_body_that_is_not_utf8_answers_400_invalid_json(app, client, register):
    answer = refused(app, client, register, "/holders", b'{"name": "\xff"}')
    assert (answer.status_code, answer.get_json()["code"]) == (400, "invalid_json")


def test_without_a_token_a_write_answers_401_before_its_body_is_read(app, client, register):
    for body in ['{"class":', json.dumps({"class": "ORD", "quantity": 1.5}), "[" * 100_000]:
        answer = refused(app, client, register, "/transfers", body, headers={})
        assert (answer.status_code, answer.get_json()["code"]) == (401, "unauthorized")
    bad_token = bearer("slt_not-a-token")
    answer = refused(app, client, register, "/classes", '{"code":', headers=bad_token)
    assert answer.status_code == 401


def test_json_nested_100000_deep_answers_400_too_deep(app, client, register):
    for depth in (100_000, 65):
        body = '{"allocations": ' + "[" * depth + "]" * depth + "}"
        answer = refused(app, client, register, "/issuances", body)
        assert (answer.status_code, answer.get_json()["code"]) == (400, "too_deep")


def test_json_64_deep_is_parsed_and_refused_by_the_schema(app, client, register):
    body = '{"allocations": ' + "[" * 63 + "]" * 63 + "}"
    answer = refused(app, client, register, "/issuances", body)
    assert (answer.status_code, answer.get_json()["code"]) == (422, "invalid_input")


def test_a_5000_digit_integer_answers_400_number_too_long(app, client, register):
    allocation = json_with({"class": "ORD", "holder_id": register["a"]}, quantity="9" * 5000)
    answer = refused(app, client, register, "/issuances", batch(allocation))
    assert (answer.status_code, answer.get_json()["code"]) == (400, "number_too_long")


def test_an_integer_past_the_register_s_limit_answers_422(app, client, register):
    for quantity in (MAX_SHARES + 1, 10**39):
        allocation = json.dumps({"class": "ORD", "holder_id": register["a"], "quantity": quantity})
        answer = refused(app, client, register, "/issuances", batch(allocation))
        assert answer.status_code == 422
        assert answer.get_json()["errors"]["allocations"]["0"]["quantity"]


@pytest.mark.parametrize("field", ["name", "address", "identifier"])
def test_a_lone_surrogate_in_a_text_field_answers_422_invalid_text(app, client, register, field):
    body = json.dumps({**HOLDER_A, "identifier": "GB-NEW-1", field: "Ada \ud800 Lovelace"})
    assert "\\ud800" in body
    answer = refused(app, client, register, "/holders", body)
    error = answer.get_json()
    assert (answer.status_code, error["code"]) == (422, "invalid_text")
    assert list(error["errors"]) == [field]


def test_a_lone_surrogate_anywhere_in_a_body_is_refused(app, client, register):
    body = json.dumps(
        {
            "class": "ORD",
            "from_holder_id": register["a"],
            "to_holder_id": "\udfff",
            "quantity": 1,
            "instrument_reference": "stock transfer form 1",
        }
    )
    answer = refused(app, client, register, "/transfers", body)
    assert (answer.status_code, answer.get_json()["code"]) == (422, "invalid_text")
    joint = json.dumps({**HOLDER_A, "identifier": "GB-NEW-2", "joint_holders": ["x\ud834"]})
    answer = refused(app, client, register, "/holders", joint)
    assert answer.get_json()["errors"] == {"joint_holders/0": [answer.get_json()["message"]]}


def test_a_surrogate_pair_is_one_character_and_is_accepted(client, register):
    body = json.dumps({**HOLDER_A, "identifier": "GB-NEW-3", "name": "Ada \U0001f600"})
    assert "\\ud83d\\ude00" in body
    answer = client.post(
        f"{register['base']}/holders", data=body, content_type=JSON, headers=register["headers"]
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["details"]["name"] == "Ada \U0001f600"


# --- quantities are JSON integers, strictly -------------------------------------------------


@pytest.mark.parametrize("quantity", ["1.5", '"1"', "1e2", "true", "5.0", "null", "[1]"])
def test_a_quantity_that_is_not_a_json_integer_is_refused(app, client, register, quantity):
    allocation = json_with({"class": "ORD", "holder_id": register["a"]}, quantity=quantity)
    answer = refused(app, client, register, "/issuances", batch(allocation))
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["allocations"]["0"]["quantity"]
    transfer = {
        "class": "ORD",
        "from_holder_id": register["a"],
        "to_holder_id": register["b"],
        "instrument_reference": "stock transfer form 7",
    }
    answer = refused(app, client, register, "/transfers", json_with(transfer, quantity=quantity))
    assert answer.status_code == 422
    assert list(answer.get_json()["errors"]) == ["quantity"]
    freeze = {"class": "ORD", "holder_id": register["a"], "reason": "court order 2026/1"}
    answer = refused(app, client, register, "/freezes", json_with(freeze, quantity=quantity))
    assert answer.status_code == 422 and "quantity" in answer.get_json()["errors"]


# --- countries ------------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["XX", "ZZ", "EU", "UK", "gb", "GBR", ""])
def test_a_country_outside_iso_3166_is_refused(app, client, register, country):
    body = json.dumps({**HOLDER_A, "identifier": "GB-NEW-4", "country": country})
    answer = refused(app, client, register, "/holders", body)
    assert answer.status_code == 422 and list(answer.get_json()["errors"]) == ["country"]
    amend = refused(
        app, client, register, f"/holders/{register['a']}", json.dumps({"country": country}),
        method="patch",
    )  # fmt: skip
    assert amend.status_code == 422 and list(amend.get_json()["errors"]) == ["country"]


@pytest.mark.parametrize("country", ["GB", "CN", "DE", "XK"])
def test_an_iso_3166_country_is_accepted(client, register, country):
    body = {**HOLDER_A, "identifier": f"ID-{country}", "country": country}
    answer = client.post(f"{register['base']}/holders", json=body, headers=register["headers"])
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["details"]["country"] == country


def test_an_issuer_s_jurisdiction_is_a_real_country_or_subdivision(client, operator_headers):
    for jurisdiction in ("XX", "US-XX", "GB-ZZZ"):
        answer = client.post(
            "/api/v1/issuers",
            json=issuer_fields(jurisdiction=jurisdiction),
            headers=operator_headers,
        )
        assert answer.status_code == 422, answer.get_json()
        assert list(answer.get_json()["errors"]) == ["jurisdiction"]
    for jurisdiction in ("GB", "US-DE", "CN-SH"):
        answer = client.post(
            "/api/v1/issuers",
            json=issuer_fields(jurisdiction=jurisdiction),
            headers=operator_headers,
        )
        assert answer.status_code == 201, answer.get_json()


# --- splits ---------------------------------------------------------------------------------


def test_a_split_without_a_fraction_policy_answers_422(app, client, register):
    answer = refused(app, client, register, "/classes/ORD/splits", '{"ratio": "2:1"}')
    assert answer.status_code == 422
    assert list(answer.get_json()["errors"]) == ["fraction_policy"]


def test_a_split_whose_authorised_number_would_pass_2_63_answers_422(app, client, register):
    near_the_limit = {"authorised": MAX_SHARES - 1, "par_value": "0"}
    amended = client.patch(
        f"{register['base']}/classes/ORD", json=near_the_limit, headers=register["headers"]
    )
    assert amended.status_code == 200, amended.get_json()
    body = json.dumps({"ratio": "2:1", "fraction_policy": "round_half_up"})
    answer = refused(app, client, register, "/classes/ORD/splits", body)
    error = answer.get_json()
    assert (answer.status_code, error["code"]) == (422, "too_many_shares")
    assert list(error["errors"]) == ["ratio"]
    share_class = client.get(f"{register['base']}/classes/ORD", headers=register["headers"])
    assert share_class.get_json()["authorised"] == MAX_SHARES - 1


def test_a_split_whose_issued_number_would_pass_2_63_answers_422(app, client, register):
    unlimited = {"authorised": None, "par_value": "0"}
    amended = client.patch(
        f"{register['base']}/classes/ORD", json=unlimited, headers=register["headers"]
    )
    assert amended.status_code == 200, amended.get_json()
    allocation = {"class": "ORD", "holder_id": register["b"], "quantity": 2**62}
    issued = client.post(
        f"{register['base']}/issuances",
        json={"allocations": [allocation]},
        headers=register["headers"],
    )
    assert issued.status_code == 201, issued.get_json()
    body = json.dumps({"ratio": "2:1", "fraction_policy": "round_half_up"})
    answer = refused(app, client, register, "/classes/ORD/splits", body)
    assert (answer.status_code, answer.get_json()["code"]) == (422, "too_many_shares")


def test_repeated_splits_stop_at_the_limit_with_422_never_500(app, client, register):
    amended = client.patch(
        f"{register['base']}/classes/ORD", json={"par_value": "0"}, headers=register["headers"]
    )
    assert amended.status_code == 200
    body = {"ratio": "1000:1", "fraction_policy": "round_half_up"}
    statuses = []
    for _ in range(6):  # authorised 1,000 -> 10^18 in five; the sixth would pass 2^63
        answer = client.post(
            f"{register['base']}/classes/ORD/splits", json=body, headers=register["headers"]
        )
        statuses.append(answer.status_code)
    assert statuses == [201] * 5 + [422]
    assert answer.get_json()["code"] == "too_many_shares"


# --- query parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-13-01T00:00:00Z"]
)
def test_a_moment_outside_the_calendar_in_utc_answers_400(client, register, as_of):
    answer = client.get(
        f"{register['base']}/snapshot", query_string={"as_of": as_of}, headers=register["headers"]
    )
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["code"] == "invalid_parameters"
    assert list(answer.get_json()["errors"]) == ["as_of"]


def test_a_moment_with_an_offset_is_read_in_utc(client, register):
    answer = client.get(
        f"{register['base']}/snapshot",
        query_string={"as_of": "9999-12-31T23:59:59+01:00"},
        headers=register["headers"],
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]


# --- size ------------------------------------------------------------------------------------


def test_a_body_over_the_json_limit_answers_413_before_it_is_read(app, client, register):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = json.dumps({**HOLDER_A, "address": "x" * 2000})
    answer = refused(app, client, register, "/holders", body)
    assert (answer.status_code, answer.get_json()["code"]) == (413, "too_large")
    answer = refused(app, client, register, "/holders", "[" * 2000)  # not parsed at all
    assert answer.status_code == 413


def test_an_upload_has_its_own_limit(app, client, register):
    app.config["MAX_CONTENT_LENGTH"] = 100
    app.config["UPLOAD_MAX_CONTENT_LENGTH"] = 10_000
    csv = "holder_key,name,address,identifier,country,holder_type,class_code,quantity\r\n"
    row = "k1,Grace Hopper,1 Navy Way,US-1,US,person,ORD,5\r\n"
    url = f"{register['base']}/imports?format=csv&dry_run=true"
    headers = {**register["headers"], "Content-Type": "text/csv"}
    answer = client.post(url, data=csv + row, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    answer = client.post(url, data=csv + row * 300, headers=headers)
    assert (answer.status_code, answer.get_json()["code"]) == (413, "too_large")


def test_a_csv_field_past_the_csv_module_s_limit_is_a_problem_not_a_500(client, register):
    url = f"{register['base']}/imports?format=csv&dry_run=true"
    headers = {**register["headers"], "Content-Type": "text/csv"}
    answer = client.post(url, data='"' + "x" * 200_000 + '"\r\n', headers=headers)
    assert answer.status_code == 422
    assert [problem["code"] for problem in answer.get_json()["problems"]] == ["malformed"]


# --- the error handler, for every shape of validation messages -------------------------------


def _handled(app, error: BadRequest | UnprocessableEntity, messages=None):
    if messages is not None:
        error.data = {"messages": messages}
    with app.test_request_context("/api/v1/issuers"):
        return handle_http_exception(error)


@pytest.mark.parametrize(
    ("messages", "errors"),
    [
        ({"json": {"_schema": ["Invalid input type."]}}, {"_schema": ["Invalid input type."]}),
        # a list's rows are keyed by int; JSON keys are strings
        ({"json": {"rows": {3: {"quantity": ["bad"]}}}}, {"rows": {"3": {"quantity": ["bad"]}}}),
        ({"json": {"a": ["x"]}, "query": {"b": ["y"]}}, {"json": {"a": ["x"]}, "query": {"b": ["y"]}}),  # noqa: E501
    ],
)  # fmt: skip
def test_validation_messages_of_every_shape_answer_422(app, messages, errors):
    answer = _handled(app, UnprocessableEntity(), messages)
    body = answer.get_json()
    assert (answer.status_code, body["code"], body["errors"]) == (422, "invalid_input", errors)
    assert body["message"].startswith("invalid request: ")


def test_a_list_of_messages_is_summarised_not_a_500(app):
    body = _handled(app, UnprocessableEntity(), {"json": ["first", {"nested": ["second"]}]})
    assert body.get_json()["code"] == "invalid_input"
    assert body.get_json()["message"] == "invalid request: _schema: first; nested: second"


def test_webargs_answer_to_an_unparsable_body_is_400_invalid_json(app):
    answer = _handled(app, BadRequest(), {"json": ["Invalid JSON body."]})
    assert (answer.status_code, answer.get_json()["code"]) == (400, "invalid_json")


def test_an_http_error_without_messages_is_named_by_its_code(app):
    answer = _handled(app, BadRequest())
    assert (answer.status_code, answer.get_json()["code"]) == (400, "bad_request")


# --- the pieces on their own ----------------------------------------------------------------


def test_strict_json_counts_nesting_not_brackets_in_text():
    nested: list = []
    for _ in range(63):
        nested = [nested]
    assert strict_json.loads("[" * 64 + "]" * 64) == nested
    assert strict_json.loads('{"a": "' + "[" * 1000 + '"}') == {"a": "[" * 1000}
    for deep in ("[" * 65 + "]" * 65, '{"a":' * 65 + "1" + "}" * 65):
        with pytest.raises(strict_json.JsonRefused) as refused:
            strict_json.loads(deep)
        assert refused.value.code == strict_json.TOO_DEEP


def test_strict_json_takes_integers_up_to_40_digits():
    assert strict_json.loads("9" * 40) == int("9" * 40)
    assert strict_json.loads("-" + "9" * 40) == -int("9" * 40)
    with pytest.raises(strict_json.JsonRefused) as refused:
        strict_json.loads("9" * 41)
    assert refused.value.code == strict_json.NUMBER_TOO_LONG


def test_the_text_field_refuses_a_lone_surrogate_whatever_loads_it():
    from app.api.register_schemas import HolderDetailsSchema

    with pytest.raises(ma.ValidationError) as refused:
        HolderDetailsSchema().load({**HOLDER_A, "name": "Ada \ud800"})
    assert list(refused.value.messages) == ["name"]
