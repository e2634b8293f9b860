"""The register-wide access log, for the issuer's secretary (and the operator, who states a
purpose like any outsider): who outside the company read which member's details or the whole
register, when and why, latest first, a page at a time, filtered by member and by date.

The same reads the API's `access-log` lists (app.register.access_reads.accesses_page), shown with
readers and members by name; a member's filter keeps the reads that could include them (their
own record and reads of the whole register), as on the member page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.auth.actors import actor_names
from app.auth.disclosure import disclose_read
from app.extensions import db
from app.models.access import PersonalDataAccess
from app.register import access_reads, queries
from app.register.access_reads import DayRange
from app.register.members import holder_labels
from app.register.paging import Page, page_or_first
from app.route_access import ISSUER_WRITE, access
from app.web.member_picker import picked_members
from app.web.page_access import secretary_of

blp = Blueprint("access_log_pages", __name__, url_prefix="/issuers")

PAGE_SIZE = 50
STARTED_OVER = "That page of the log is not in this list: here are the latest reads."


class DayField(DateField):
    """A calendar day typed as YYYY-MM-DD (the browser's date picker sends that), refused in
    plain words otherwise."""

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(label, validators=[Optional()], format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                f"“{valuelist[0].strip()[:40]}” is not a date: give one as YYYY-MM-DD, "
                "such as 2026-12-06."
            ) from None


class AccessLogFilter(FlaskForm):
    """Which reads to list (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    member = StringField("Member", validators=[Optional(), Length(max=300)])
    since = DayField("From (UTC)")
    until = DayField("To, inclusive (UTC)")

    def validate_until(self, field: DayField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(
                f"The end date is before the start date ({self.since.data.isoformat()})."
            )


@dataclass(frozen=True)
class Filters(DayRange):
    holder_id: str | None = None

    @property
    def any(self) -> bool:
        return any((self.holder_id, self.since_day, self.until_day))


def _filters(form: AccessLogFilter, issuer_id: str) -> Filters | None:
    """The filters the form asks for, or None with each refusal next to its field."""
    if not form.validate():
        return None
    holder_id = None
    if (form.member.data or "").strip():
        picked = picked_members(form, issuer_id, ("member",))
        if picked is None:
            return None
        holder_id = picked["member"]
    return Filters(since_day=form.since.data, until_day=form.until.data, holder_id=holder_id)


def _page(issuer_id: str, filters: Filters, after: str | None) -> tuple[Page, str | None]:
    """A page of the reads, or the first one with why when `after` names no read listed."""

    def read(after_key: str | None) -> Page[PersonalDataAccess]:
        return access_reads.accesses_page(
            db.session,
            issuer_id,
            after_key,
            PAGE_SIZE,
            filters.holder_id,
            filters.since,
            filters.before,
        )

    page, started_over = page_or_first(read, after)
    return page, STARTED_OVER if started_over else None


@blp.route("/<issuer_id>/access-log")
@access(ISSUER_WRITE)
@login_required
def access_log(issuer_id: str):
    principal = secretary_of(issuer_id)
    issuer = queries.get_issuer(db.session, issuer_id)
    form = AccessLogFilter(request.args)
    filters = _filters(form, issuer_id)
    refused = filters is None
    filters = filters or Filters()
    after = None if refused else request.args.get("after") or None
    page, paging_problem = _page(issuer_id, filters, after)
    wanted = {read.holder_id for read in page.items if read.holder_id} | {filters.holder_id}
    members = holder_labels(db.session, issuer_id, wanted - {None})
    if filters.holder_id is not None:
        # The field names the member as the picker would have.
        form.member.data = members[filters.holder_id]
    disclose_read(principal, issuer_id)  # readers' names and members' names
    page_html = render_template(
        "access_log.html",
        issuer=issuer,
        form=form,
        filters=filters,
        page=page,
        after=after,
        paging_problem=paging_problem,
        readers=actor_names(db.session, {read.actor for read in page.items}),
        members=members,
    )
    return page_html, 400 if refused or paging_problem else 200
