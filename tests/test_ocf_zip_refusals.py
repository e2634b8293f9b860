"""An OCF upload that is a broken or hostile zip, or holds JSON the register cannot carry, is
refused with 422 and a problem code, and writes nothing: never a 500."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from tests.support.register_driver import Driver
from tests.test_import_ocf import _post, write_package, zipped

CENTRAL = b"PK\x01\x02"  # a central directory header; its fields at these offsets
LOCAL = b"PK\x03\x04"  # a local file header
CENTRAL_FLAGS, CENTRAL_METHOD, CENTRAL_COMPRESSED, CENTRAL_SIZE = 8, 10, 20, 24
LOCAL_FLAGS, LOCAL_METHOD = 6, 8


@pytest.fixture
def package(tmp_path) -> bytes:
    """A valid package (the import test's), stored uncompressed."""
    write_package(tmp_path / "acme")
    return zipped(tmp_path / "acme")


@pytest.fixture
def upload(app, client, new_issuer, operator_headers):
    """upload(zip bytes) -> the problems (where, code) of the refused import; checks the
    answer is 422 import_rejected and that nothing was written."""
    issuer_id = new_issuer()["id"]
    driver = Driver(app)

    def send(data: bytes) -> list[tuple[str, str]]:
        before = driver.trace(issuer_id)
        answer = _post(client, issuer_id, data, operator_headers)
        assert answer.status_code == 422, answer.get_data(as_text=True)[:500]
        report = answer.get_json()
        assert report["code"] == "import_rejected" and not report["imported"]
        assert all(problem["message"] for problem in report["problems"])
        assert driver.trace(issuer_id) == before
        return [(problem["where"], problem["code"]) for problem in report["problems"]]

    return send


def _patch(data: bytes, signature: bytes, offset: int, fmt: str, value: int, nth: int = 0) -> bytes:
    """`data` with a field of the `nth` header of `signature` set to `value`."""
    start = -1
    for _ in range(nth + 1):
        start = data.index(signature, start + 1)
    field = start + offset
    return data[:field] + struct.pack(fmt, value) + data[field + struct.calcsize(fmt) :]


def _single(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def test_the_untouched_package_is_accepted(client, new_issuer, operator_headers, package):
    answer = _post(client, new_issuer()["id"], package, operator_headers, dry_run="true")
    assert answer.status_code == 200, answer.get_json()


def test_a_member_with_a_bad_crc_is_refused(upload, package):
    # One character of a stored member changes (the JSON stays valid); its CRC no longer fits.
    position = package.index(b'"OCF_STAKEHOLDERS_FILE"')
    corrupt = package[:position] + package[position:].replace(b"Person X", b"Person Y", 1)
    assert corrupt != package
    problems = upload(corrupt)  # and the transactions naming its stakeholders are reported
    assert problems[0] == ("acme/Stakeholders.ocf.json", "corrupt_zip")


def test_an_encrypted_member_is_refused(upload, package):
    encrypted = _patch(package, CENTRAL, CENTRAL_FLAGS, "<H", 0x1, nth=2)
    encrypted = _patch(encrypted, LOCAL, LOCAL_FLAGS, "<H", 0x1, nth=2)
    assert upload(encrypted) == [("package", "encrypted_zip")]


@pytest.mark.parametrize("method", [99, 6, 97])  # AES, implode, WavPack
def test_an_unknown_compression_method_is_refused(upload, package, method):
    unknown = _patch(package, CENTRAL, CENTRAL_METHOD, "<H", method, nth=1)
    unknown = _patch(unknown, LOCAL, LOCAL_METHOD, "<H", method, nth=1)
    assert upload(unknown) == [("package", "unsupported_compression")]


def test_a_directory_claiming_more_compressed_data_than_the_upload_holds(upload, package):
    lying = _patch(package, CENTRAL, CENTRAL_COMPRESSED, "<I", 2**31, nth=0)
    assert upload(lying) == [("package", "corrupt_zip")]


def test_a_directory_understating_a_member_s_size_is_refused(upload, package):
    """A zip bomb's trick: a small size in the directory. Reading stops at the size claimed,
    so the member fails its CRC instead of filling memory."""
    names = zipfile.ZipFile(io.BytesIO(package)).namelist()
    position = names.index("acme/Stakeholders.ocf.json")
    lying = _patch(package, CENTRAL, CENTRAL_SIZE, "<I", 100, nth=position)
    assert upload(lying)[0] == ("acme/Stakeholders.ocf.json", "corrupt_zip")


def test_a_directory_claiming_a_huge_unzipped_size_is_refused(upload, package):
    lying = _patch(package, CENTRAL, CENTRAL_SIZE, "<I", 2**32 - 1, nth=0)
    assert upload(lying) == [("package", "too_large")]


def test_a_truncated_zip_is_refused(upload, package):
    assert upload(package[: len(package) // 2]) == [("package", "invalid_zip")]


def test_a_manifest_nested_200000_deep_is_refused(upload):
    deep = b'{"file_type": "OCF_MANIFEST_FILE", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    assert upload(_single("acme/Manifest.ocf.json", deep)) == [
        ("acme/Manifest.ocf.json", "too_deep")
    ]


@pytest.mark.parametrize(
    ("value", "code"),
    [(b'"Person \\ud800"', "invalid_text"), (b"NaN", "invalid_json"),
     (b"9" * 5000, "number_too_long")],
)  # fmt: skip
def test_a_file_with_json_the_log_cannot_carry_is_refused(tmp_path, upload, value, code):
    def rewrite(folder) -> None:  # after the checksums: the MD5 mismatch is reported too
        path = folder / "Stakeholders.ocf.json"
        path.write_bytes(path.read_bytes().replace(b'"Person X"', value, 1))

    write_package(tmp_path / "acme", after=rewrite)
    assert ("acme/Stakeholders.ocf.json", code) in upload(zipped(tmp_path / "acme"))
