"""Disclosures: company information published as versions whose body and files are stored by
SHA-256 and committed to by the log, amended by new versions, withdrawn without deletion.

Importing the package installs its appliers in the register's table (the register does not
import this package; the app imports it at start, see `app.register_extensions`)."""

from app.disclosures.appliers import install_appliers

install_appliers()
