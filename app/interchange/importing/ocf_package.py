"""Reading an Open Cap Table Format package: the manifest and the files it lists, from a folder
or a zip. Each listed file's MD5 is checked against the manifest, each file's envelope against
its file schema and each object against the schema of its `object_type` (so a problem names
the object's id). Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import posixpath
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from jsonschema.exceptions import ValidationError, best_match

from app import strict_json
from app.interchange.importing.ocf_schema import (
    file_item_types,
    object_schemas,
    schema_id,
    validator,
)
from app.interchange.importing.plan import Problem, Progress

MANIFEST_TYPE = "OCF_MANIFEST_FILE"
# manifest list -> the file type its files must have
MANIFEST_LISTS = {
    "stock_plans_files": "OCF_STOCK_PLANS_FILE",
    "stock_legend_templates_files": "OCF_STOCK_LEGEND_TEMPLATES_FILE",
    "stock_classes_files": "OCF_STOCK_CLASSES_FILE",
    "vesting_terms_files": "OCF_VESTING_TERMS_FILE",
    "valuations_files": "OCF_VALUATIONS_FILE",
    "transactions_files": "OCF_TRANSACTIONS_FILE",
    "stakeholders_files": "OCF_STAKEHOLDERS_FILE",
    "financings_files": "OCF_FINANCINGS_FILE",
    "documents_files": "OCF_DOCUMENTS_FILE",
}
FILE_SCHEMAS = {
    MANIFEST_TYPE: "OCFManifestFile",
    "OCF_STAKEHOLDERS_FILE": "StakeholdersFile",
    "OCF_STOCK_CLASSES_FILE": "StockClassesFile",
    "OCF_STOCK_LEGEND_TEMPLATES_FILE": "StockLegendTemplatesFile",
    "OCF_STOCK_PLANS_FILE": "StockPlansFile",
    "OCF_TRANSACTIONS_FILE": "TransactionsFile",
    "OCF_VALUATIONS_FILE": "ValuationsFile",
    "OCF_VESTING_TERMS_FILE": "VestingTermsFile",
    "OCF_FINANCINGS_FILE": "FinancingsFile",
    "OCF_DOCUMENTS_FILE": "DocumentsFile",
}
# OCF 1.2.0 defines TX_ISSUER_AUTHORIZED_SHARES_ADJUSTMENT, and its own samples use it, but its
# TransactionsFile schema forgets to list it (upstream issue #543): accept it all the same.
EXTRA_ITEM_TYPES = {"OCF_TRANSACTIONS_FILE": frozenset({"TX_ISSUER_AUTHORIZED_SHARES_ADJUSTMENT"})}
MAX_PACKAGE_BYTES = 256 * 1024 * 1024  # uncompressed; guards against zip bombs
# Stored, deflated, bzip2 and LZMA: what the zipfile module decompresses.
ZIP_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
# What zipfile raises on an archive or a member it cannot read (its central directory or local
# headers lie, a CRC fails, the data stops short or does not decompress).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    zlib.error,
    lzma.LZMAError,
)
MESSAGE_LIMIT = 300
UTF8_BOM = b"\xef\xbb\xbf"


def file_schema(file_type: str) -> str:
    return schema_id(f"files/{FILE_SCHEMAS[file_type]}.schema.json")


@dataclass(frozen=True)
class OcfObject:
    file: str
    position: int  # 1-based, within its file's items
    data: Mapping[str, Any]

    @property
    def id(self) -> str | None:
        value = self.data.get("id") if isinstance(self.data, Mapping) else None
        return value if isinstance(value, str) and value else None

    @property
    def where(self) -> str:
        return self.id or f"{self.file} item {self.position}"

    @property
    def object_type(self) -> str:
        return self.data["object_type"]


@dataclass
class OcfPackage:
    manifest: Mapping[str, Any] | None = None
    objects: list[OcfObject] = field(default_factory=list)  # the valid ones, in file order
    problems: list[Problem] = field(default_factory=list)
    invalid_ids: set[str] = field(default_factory=set)  # already reported; do not chase
    checked: int = 0  # objects validated so far

    def problem(self, where: str, code: str, message: str) -> None:
        self.problems.append(Problem(where, code, message))


class Container(Protocol):
    def names(self) -> list[str]: ...

    def read(self, name: str) -> bytes | None: ...


class FolderContainer:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def names(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.json"))

    def read(self, name: str) -> bytes | None:
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path.read_bytes()


class UnreadableMember(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ZipContainer:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def names(self) -> list[str]:
        return sorted(name for name in self.archive.namelist() if not name.endswith("/"))

    def read(self, name: str) -> bytes | None:
        try:
            return self.archive.read(name)
        except KeyError:
            return None
        except ZIP_ERRORS as error:  # a bad CRC, or sizes that do not match the data
            raise UnreadableMember(
                "corrupt_zip", f"the zip member cannot be read: {error}"
            ) from None


def _zip_problem(archive: zipfile.ZipFile, size: int) -> tuple[str, str] | None:
    """What makes the archive unreadable before anything is decompressed, if anything."""
    members = archive.infolist()
    for member in members:
        if member.flag_bits & 0x1:
            return "encrypted_zip", f"{member.filename} is encrypted; send the package unencrypted"
        if member.compress_type not in ZIP_METHODS:
            return (
                "unsupported_compression",
                f"{member.filename} uses compression method {member.compress_type}; use "
                "deflate (the usual zip) or no compression",
            )
    if sum(member.compress_size for member in members) > size:
        return "corrupt_zip", "the zip's directory claims more compressed data than it holds"
    if sum(member.file_size for member in members) > MAX_PACKAGE_BYTES:
        return "too_large", "the unzipped package exceeds 256 MiB"
    return None


# --- entry points ----------------------------------------------------------------------------


def read_zip(
    data: bytes, *, verify_checksums: bool = True, progress: Progress | None = None
) -> OcfPackage:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS:
        package = OcfPackage()
        package.problem("package", "invalid_zip", "the upload is not a zip archive")
        return package
    with archive:
        problem = _zip_problem(archive, len(data))
        if problem is not None:
            package = OcfPackage()
            package.problem("package", *problem)
            return package
        return read_package(ZipContainer(archive), None, verify_checksums, progress)


def read_path(
    path: Path, *, verify_checksums: bool = True, progress: Progress | None = None
) -> OcfPackage:
    """A zip file, a folder holding a manifest, or the manifest file itself."""
    if path.is_file() and zipfile.is_zipfile(path):
        return read_zip(path.read_bytes(), verify_checksums=verify_checksums, progress=progress)
    if path.is_dir():
        return read_package(FolderContainer(path), None, verify_checksums, progress)
    return read_package(FolderContainer(path.parent), path.name, verify_checksums, progress)


def read_package(
    container: Container,
    manifest_name: str | None,
    verify_checksums: bool,
    progress: Progress | None,
) -> OcfPackage:
    package = OcfPackage()
    manifest_name = manifest_name or _find_manifest(container, package)
    if manifest_name is None:
        return package
    manifest = _load(container, manifest_name, None, package)
    if manifest is None:
        return package
    _validate(package, manifest_name, manifest, file_schema(MANIFEST_TYPE))
    package.manifest = manifest
    seen_ids: set[str] = set()
    for file_type, listed in _listed_files(manifest):
        name = _resolve(manifest_name, listed.get("filepath"), package)
        if name is None:
            continue
        expected_md5 = listed.get("md5") if verify_checksums else None
        document = _load(container, name, expected_md5, package)
        if document is not None:
            _read_items(package, name, file_type, document, seen_ids, progress or Progress())
    return package


def _find_manifest(container: Container, package: OcfPackage) -> str | None:
    candidates = [n for n in container.names() if n.lower().endswith("manifest.ocf.json")]
    if len(candidates) != 1:
        found = ", ".join(candidates) or "none"
        package.problem(
            "package",
            "manifest",
            f"the package must hold exactly one *Manifest.ocf.json file (found {found})",
        )
        return None
    return candidates[0]


def _listed_files(manifest: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for list_name, file_type in MANIFEST_LISTS.items():
        listed = manifest.get(list_name)
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, dict):
                yield file_type, entry


def _resolve(manifest_name: str, filepath: Any, package: OcfPackage) -> str | None:
    if not isinstance(filepath, str) or not filepath:
        return None  # the manifest's schema problems already say so
    name = posixpath.normpath(posixpath.join(posixpath.dirname(manifest_name), filepath))
    if name.startswith("../") or name == ".." or posixpath.isabs(name):
        package.problem(filepath, "unsafe_path", "a listed file must lie inside the package")
        return None
    return name


def _load(
    container: Container, name: str, expected_md5: str | None, package: OcfPackage
) -> Any | None:
    try:
        raw = container.read(name)
    except UnreadableMember as unreadable:
        package.problem(name, unreadable.code, unreadable.message)
        return None
    if raw is None:
        package.problem(name, "missing_file", "the manifest lists this file; the package lacks it")
        return None
    if expected_md5 is not None and hashlib.md5(raw).hexdigest() != str(expected_md5).lower():
        package.problem(
            name,
            "checksum_mismatch",
            f"MD5 {hashlib.md5(raw).hexdigest()} differs from the manifest's {expected_md5}",
        )
    try:
        return strict_json.loads(raw.removeprefix(UTF8_BOM))
    except strict_json.JsonRefused as refused:
        where = f" at {refused.where}" if refused.where else ""
        package.problem(name, refused.code, f"{refused.message}{where}")
        return None


def _describe(error: ValidationError) -> str:
    # For oneOf/anyOf the interesting part is the closest alternative's own complaint.
    detail = best_match(error.context) if error.context else error
    path = "/".join(str(part) for part in detail.absolute_path) or "(top level)"
    message = f"{path}: {detail.message}"
    return message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 1] + "…"


def _validate(package: OcfPackage, where: str, instance: Any, schema_uri: str) -> bool:
    errors = sorted(validator(schema_uri).iter_errors(instance), key=lambda e: e.json_path)
    for error in errors:
        package.problem(where, "schema_violation", _describe(error))
    return not errors


def _read_items(
    package: OcfPackage,
    name: str,
    file_type: str,
    document: Any,
    seen_ids: set[str],
    progress: Progress,
) -> None:
    if not isinstance(document, dict) or document.get("file_type") != file_type:
        found = document.get("file_type") if isinstance(document, dict) else None
        package.problem(name, "wrong_file_type", f"expected a {file_type}, found {found}")
        return
    items = document.get("items")
    envelope = {**document, "items": []} if isinstance(items, list) else document
    if not _validate(package, name, envelope, file_schema(file_type)) or not items:
        return
    allowed = file_item_types(file_schema(file_type)) | EXTRA_ITEM_TYPES.get(file_type, set())
    for position, item in enumerate(items, start=1):
        _read_item(package, OcfObject(name, position, item), allowed, seen_ids)
        package.checked += 1
        progress.step("OCF objects validated", package.checked)


def _read_item(
    package: OcfPackage, item: OcfObject, allowed: frozenset[str], seen_ids: set[str]
) -> None:
    if not isinstance(item.data, dict):
        package.problem(item.where, "schema_violation", "an item must be a JSON object")
        return
    if item.id in seen_ids:
        package.problem(item.id, "duplicate_id", "another object in the package has this id")
        _set_aside(package, item)
        return
    if item.id is not None:
        seen_ids.add(item.id)
    object_type = item.data.get("object_type")
    if object_type not in allowed:
        package.problem(
            item.where,
            "unexpected_object",
            f"object_type {object_type} does not belong in {item.file}",
        )
        valid = False
    else:
        valid = _validate(package, item.where, item.data, object_schemas()[object_type])
    if valid:
        package.objects.append(item)
    else:
        _set_aside(package, item)


def _set_aside(package: OcfPackage, item: OcfObject) -> None:
    """An invalid object (already reported) is left out; so are the securities it names,
    so that what depends on them is not reported as unknown as well."""
    data = item.data
    references = [item.id, data.get("security_id"), data.get("balance_security_id")]
    resulting = data.get("resulting_security_ids")
    references += resulting if isinstance(resulting, list) else []
    package.invalid_ids.update(r for r in references if isinstance(r, str) and r)
