"""The transfer workflow: instructions that the transferee accepts, the company approves and
the register settles, with reservations, order of receipt and deadlines.

Importing the package installs its appliers in the register's table and its reservation
release for forced transfers (the register does not import this package; the app imports it
at start, see `app.register_extensions`)."""

from app.transfers.appliers import install_appliers
from app.transfers.forced import install_release

install_appliers()
install_release()
