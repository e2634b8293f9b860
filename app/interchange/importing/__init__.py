"""Importing an existing register of members: from CSV, or from an Open Cap Table Format
package. Reading a file checks every value and needs no database (`read_source`); then
`import_register`, inside a command, checks the file against the issuer's register and either
records everything as ordinary log entries or, if anything is wrong, records nothing and raises
`ImportRejected` with every problem. A dry run stops after the checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from app.interchange.importing import csv_import, ocf_package
from app.interchange.importing.apply import apply
from app.interchange.importing.ocf_import import OcfSource
from app.interchange.importing.plan import ImportRejected, Plan, Progress, Report
from app.register.context import CommandContext

FORMATS = ("csv", "ocf")

__all__ = ["FORMATS", "ImportRejected", "Progress", "Report", "import_register", "read_source"]


class Source(Protocol):
    format: str

    def plan(self, plan: Plan, progress: Progress) -> None: ...


def read_source(
    format_name: str,
    content: bytes | Path,
    *,
    verify_checksums: bool = True,
    progress: Progress | None = None,
) -> Source:
    """Read a CSV file (bytes or path), or an OCF package (zip bytes, or a path to a zip, a
    folder or a manifest)."""
    progress = progress or Progress()
    if format_name == "csv":
        data = content.read_bytes() if isinstance(content, Path) else content
        return csv_import.read_csv(data, progress)
    if format_name == "ocf":
        if isinstance(content, Path):
            package = ocf_package.read_path(
                content, verify_checksums=verify_checksums, progress=progress
            )
        else:
            package = ocf_package.read_zip(
                content, verify_checksums=verify_checksums, progress=progress
            )
        return OcfSource(package)
    raise ValueError(f"unknown import format {format_name!r}")


def import_register(
    ctx: CommandContext,
    source: Source,
    *,
    dry_run: bool,
    progress: Progress | None = None,
) -> Report:
    """Check the whole source against the issuer's register; unless this is a dry run, record
    it. Raises ImportRejected (nothing written) when there is any problem."""
    progress = progress or Progress()
    plan = Plan(ctx.session, ctx.issuer_id, source.format)
    source.plan(plan, progress)
    report = plan.report(dry_run)
    if not report.ok:
        raise ImportRejected(report)
    if not dry_run:
        apply(ctx, plan, progress)
        report.imported = True
    return report
