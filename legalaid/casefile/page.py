"""The case page: the case with its casework, and one form per thing a user can add.

Every endpoint that posts from the case page re-renders it through :func:`render_case_page`
when its form is refused, so the message appears beside the field with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from werkzeug.exceptions import NotFound
from wtforms.fields.choices import SelectChoice

from legalaid.access.visible import visible_or_404
from legalaid.audit.service import record_event
from legalaid.casefile.case_forms import CloseForm, OpenForm, ReopenForm, RespondentForm
from legalaid.casefile.casework_forms import (
    TASK_PREFIX,
    HearingForm,
    NoteForm,
    ServiceForm,
    TaskForm,
)
from legalaid.casefile.document_panel import page_documents
from legalaid.casefile.page_rows import case_lists
from legalaid.casefile.referral_forms import ReferralForm
from legalaid.cases.models import Case
from legalaid.cases.scope import visible_cases
from legalaid.clients.models import Client
from legalaid.database import db_session, rollback_request
from legalaid.deadlines.suggestions import suggestions_for
from legalaid.errors import (
    ConflictError,
    DomainError,
    add_rule_errors,
    show_on_form,
)
from legalaid.providers.models import ServiceProvider
from legalaid.web_types import Rendered
from legalaid.webforms import AppForm


def case_or_404(case_id: int) -> Case:
    """The case if the signed-in user may see it; otherwise 404, and the attempt audited."""
    return visible_or_404(
        db_session(), visible_cases(g.user), case_id, action="case.viewed", object_type="case"
    )


def case_page_or_404(case_id: int) -> Case:
    """:func:`case_or_404` with what the page shows of the case itself, in one statement.

    Her client, the client's key populations, the grounds and the respondents are joined
    (a handful of rows each): the page reads no relationship lazily.
    """
    return visible_or_404(
        db_session(),
        visible_cases(g.user).options(
            joinedload(Case.client).joinedload(Client.key_populations),
            joinedload(Case.grounds),
            joinedload(Case.respondents),
            joinedload(Case.assigned_lawyer),
        ),
        case_id,
        action="case.viewed",
        object_type="case",
    )


def case_record_or_404(model: Any, record_id: int, case_id: int) -> Any:
    """A record of a case already checked visible (note, hearing, ...); any other id, 404."""
    row = db_session().scalar(select(model).where(model.id == record_id, model.case_id == case_id))
    if row is None:
        raise NotFound()
    return row


def submit_on_case_page(
    case_id: int,
    form: Any,
    form_name: str,
    change: Callable[[Case, Any], object],
    done: str,
    *,
    default_field: str | None = None,
    refresh_version: Callable[[Case], int] | None = None,
    rules: Callable[[Case, Any], object] | None = None,
) -> Rendered:
    """Apply a form posted from the case page, or show the page again with what went wrong.

    A stale version answers 409 with the typed values kept (``refresh_version`` gives the
    form the current version, so saving again is a knowing overwrite); a domain error is
    shown beside its field, or as a message when it concerns no field of this form.
    ``rules`` (the service's own checks, writing nothing) also run when the form's checks
    fail, so that one submit shows every error of the form.
    """
    case_ = case_or_404(case_id)
    if form.validate_on_submit():
        try:
            change(case_, form)
        except ConflictError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            if refresh_version is not None:
                form.version.data = refresh_version(case_)
            return render_case_page(case_, status=409, conflict=str(error), **{form_name: form})
        except DomainError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            target = default_field if error.field not in form else error.field
            if error.field is None or target is None:
                flash(str(error), "error")
            else:
                show_on_form(form, error, target)
        else:
            flash(done, "success")
            return redirect(url_for("cases.view", case_id=case_id))
    elif rules is not None:
        add_rule_errors(form, lambda: rules(case_, form), default_field or "csrf_token")
    return render_case_page(case_, status=400, **{form_name: form})


def provider_choices(session: Session) -> list[SelectChoice]:
    rows = session.execute(
        select(ServiceProvider.id, ServiceProvider.name)
        .where(ServiceProvider.active.is_(True))
        .order_by(ServiceProvider.name)
    ).all()
    return [SelectChoice(str(row.id), row.name) for row in rows]


#: The forms of the case page, by the name the template knows them by.
_FORMS: dict[str, Callable[[Case], AppForm]] = {
    "service_form": lambda case_: ServiceForm(formdata=None),
    "note_form": lambda case_: NoteForm(formdata=None),
    "hearing_form": lambda case_: HearingForm(formdata=None),
    "task_form": lambda case_: TaskForm(formdata=None, prefix=TASK_PREFIX),
    "referral_form": lambda case_: ReferralForm(formdata=None),
    "respondent_form": lambda case_: RespondentForm(formdata=None),
    "open_form": lambda case_: OpenForm(formdata=None, data={"version": case_.version}),
    "close_form": lambda case_: CloseForm(formdata=None, data={"version": case_.version}),
    "reopen_form": lambda case_: ReopenForm(formdata=None, data={"version": case_.version}),
}


def _page_forms(case_: Case, posted: dict[str, Any]) -> dict[str, Any]:
    """One instance of each form: the posted one where a submit was refused, else empty
    (an empty form is not built only to be replaced)."""
    forms = {
        name: posted[name] if name in posted else build(case_) for name, build in _FORMS.items()
    }
    return {**posted, **forms}


def render_case_page(case_: Case, *, status: int = 200, **forms: Any) -> tuple[str, int]:
    session = db_session()
    context: dict[str, Any] = _page_forms(case_, forms)
    # Every list of the page and the forms' choices: three statements (page_rows.py).
    lists = case_lists(session, case_)
    context.update(
        page_documents(session, case_, documents=lists.documents, form=forms.get("document_form"))
    )
    context["referral_form"].provider_id.choices = lists.providers
    context["task_form"].assignee_id.choices = lists.assignees
    context["hearing_form"].venue.choices = [
        SelectChoice("", _("— not recorded —")),
        *current_app.extensions["legalaid.policies"].venues.vocabulary.choices(),
    ]
    if context["task_form"].assignee_id.data is None:
        context["task_form"].assignee_id.data = str(g.user.id)
    context.update(
        case=case_,
        client=case_.client,
        services=lists.services,
        notes=lists.notes,
        hearings=lists.hearings,
        tasks=lists.tasks,
        suggested_deadlines=suggestions_for(
            session,
            current_app.extensions["legalaid.policies"].deadlines,
            case_,
            services=lists.services,
            hearings=lists.hearings,
        ),
        referrals=lists.referrals,
        checks=lists.checks,
        history=lists.history,
        assignments=lists.assignments,
    )
    record_event(session, "case.viewed", object_type="case", object_id=case_.id)
    return render_template("cases/case.html", **context), status
