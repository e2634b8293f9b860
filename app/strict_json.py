"""JSON as the service accepts it from outside: RFC 8259 and nothing the log cannot carry.

The standard library's parser accepts what a register must not: NaN and Infinity, integers of
any length (converting a 5,000-digit one raises ValueError; one of a million digits takes
seconds), nesting as deep as the C stack allows, and escaped lone surrogates ("\\ud800"),
which RFC 8785 cannot encode when the value reaches the log. `loads` refuses each of them with
a `JsonRefused` that names a machine code, so that an HTTP body and a file in an import get
the same answer. No Flask here: the API and the importers both use it.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Nothing the register takes nests deeper than a handful of levels; OCF files reach about ten.
MAX_DEPTH = 64
# A share count fits in 19 digits; more than this many can only be an attack or a mistake.
MAX_INTEGER_DIGITS = 40

# Codes (a body that is not JSON, too deep, a number too long, text the log cannot carry).
INVALID_JSON = "invalid_json"
TOO_DEEP = "too_deep"
NUMBER_TOO_LONG = "number_too_long"
INVALID_TEXT = "invalid_text"

# An escaped surrogate, lone or paired (a false alarm only costs a walk over the value).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTAINERS = (dict, list)  # what the decoder makes of objects and arrays, exactly these types


class JsonRefused(ValueError):
    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.where = where  # the path of the offending value, e.g. "allocations/3/reference"


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise JsonRefused(
            NUMBER_TOO_LONG, f"an integer has {len(text)} digits; at most {MAX_INTEGER_DIGITS}"
        )
    return int(text)


def _constant(name: str) -> Any:
    raise JsonRefused(INVALID_JSON, f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_int=_integer, parse_constant=_constant)


def loads(data: bytes | str) -> Any:
    """The JSON value of `data` (UTF-8 bytes, a BOM refused as RFC 8259 allows), or
    JsonRefused."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise JsonRefused(INVALID_JSON, f"the text is not UTF-8: {error.reason}") from None
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        raise _too_deep() from None
    except json.JSONDecodeError as error:
        raise JsonRefused(INVALID_JSON, f"not valid JSON: {error}") from None
    if _depth_exceeds(value, MAX_DEPTH):
        raise _too_deep()
    if _SURROGATE_ESCAPE.search(text):
        _refuse_surrogates(value)
    return value


def _too_deep() -> JsonRefused:
    return JsonRefused(TOO_DEEP, f"the JSON nests deeper than {MAX_DEPTH} levels")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` (a scalar is depth 0, `[]` depth 1),
    a level at a time and without recursion."""
    level = [value] if type(value) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for container in level:
            children = container.values() if type(container) is dict else container
            below += [child for child in children if type(child) in _CONTAINERS]
        level = below
    return False


def _refuse_surrogates(value: Any) -> None:
    """Walk the (depth-bounded) value; the first string holding a surrogate is refused."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                _check_text(where, key)
                pending.append((f"{where}/{key}", child))
        elif isinstance(item, list):
            pending.extend((f"{where}/{index}", child) for index, child in enumerate(item))
        else:
            _check_text(where, item)


def _check_text(where: str, item: Any) -> None:
    if isinstance(item, str) and _SURROGATE.search(item):
        raise JsonRefused(
            INVALID_TEXT,
            "the text holds a lone UTF-16 surrogate (such as \\ud800), which is not a character",
            where.lstrip("/") or None,
        )
