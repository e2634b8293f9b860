"""The transfer workflow: instructions that the transferee accepts, the company approves and
the register settles, with reservations, order of receipt, deadlines and pre-emption.

Importing the package installs its appliers in the register's table and its reservation
release for forced transfers (the register does not import this package; the app imports it
at start, see `app.register_extensions`)."""

from app.register.transfers import install_check
from app.transfers.appliers import install_appliers
from app.transfers.checks import check_lodged
from app.transfers.forced import install_release
from app.transfers.pre_emption_appliers import install_pre_emption_appliers

install_appliers()
install_pre_emption_appliers()
install_check(check_lodged)
install_release()
