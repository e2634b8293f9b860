"""The Open Cap Table Format 1.2.0 JSON Schemas, resolved locally (never over the network).

The schemas ship with the app in `ocf-1.2.0/schema` beside this module (with their licence).
`ocf_registry()` is the one place that turns a schema folder into a `referencing.Registry`;
importers and exporters validate through it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMA_DIR = Path(__file__).resolve().parent / "ocf-1.2.0" / "schema"
BASE_URI = "https://schema.opencaptablecoalition.com/v/1.2.0/"


def schema_id(relative_path: str) -> str:
    """The `$id` of a schema by its path inside the schema folder, e.g. `files/X.schema.json`."""
    return BASE_URI + relative_path


@functools.cache
def ocf_registry(schema_dir: Path = SCHEMA_DIR) -> Registry:
    """Every schema under `schema_dir`, registered under its `$id`, so that `$ref`s resolve
    from the folder alone."""
    resources = []
    for path in sorted(schema_dir.rglob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource(contents, specification=DRAFT7)))
    return Registry().with_resources(resources).crawl()


@functools.cache
def validator(schema_uri: str, schema_dir: Path = SCHEMA_DIR) -> Draft7Validator:
    """A draft-07 validator (formats such as dates checked) for the schema with that `$id`."""
    return Draft7Validator(
        {"$ref": schema_uri},
        registry=ocf_registry(schema_dir),
        format_checker=Draft7Validator.FORMAT_CHECKER,
    )


def _contents(schema_uri: str, schema_dir: Path) -> dict:
    return ocf_registry(schema_dir).contents(schema_uri)


def _object_types_of(schema: dict) -> Iterator[str]:
    declared = schema.get("properties", {}).get("object_type", {})
    if "const" in declared:
        yield declared["const"]
    yield from declared.get("enum", ())


@functools.cache
def object_schemas(schema_dir: Path = SCHEMA_DIR) -> dict[str, str]:
    """object_type (e.g. `TX_STOCK_ISSUANCE`) -> the `$id` of the schema that describes it."""
    found: dict[str, str] = {}
    for path in sorted((schema_dir / "objects").rglob("*.schema.json")):
        relative = path.relative_to(schema_dir).as_posix()
        for object_type in _object_types_of(_contents(schema_id(relative), schema_dir)):
            found.setdefault(object_type, schema_id(relative))
    return found


@functools.cache
def file_item_types(file_schema_uri: str, schema_dir: Path = SCHEMA_DIR) -> frozenset[str]:
    """The object types a file of that schema may list in `items`."""
    items = _contents(file_schema_uri, schema_dir)["properties"]["items"]["items"]
    references = [option["$ref"] for option in items.get("oneOf", [items])]
    return frozenset(
        object_type
        for reference in references
        for object_type in _object_types_of(_contents(reference, schema_dir))
    )
