"""The case page: the case with its casework, and one form per thing a user can add.

Every endpoint that posts from the case page re-renders it through :func:`render_case_page`
when its form is refused, so the message appears beside the field with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session, joinedload
from werkzeug.exceptions import NotFound
from wtforms.fields.choices import SelectChoice

from legalaid.access.visible import visible_or_404
from legalaid.accounts.models import User
from legalaid.audit.service import record_event
from legalaid.casefile.case_forms import CloseForm, OpenForm, ReopenForm, RespondentForm
from legalaid.casefile.casework_forms import (
    TASK_PREFIX,
    HearingForm,
    NoteForm,
    ServiceForm,
    TaskForm,
)
from legalaid.casefile.referral_forms import ReferralForm
from legalaid.cases.models import Case, CaseAssignment, CaseStatusChange
from legalaid.cases.scope import visible_cases
from legalaid.casework.models import CaseTask, Hearing, Note, ServiceDelivery
from legalaid.casework.services import task_assignee_condition
from legalaid.clients.models import Client
from legalaid.conflicts.models import ConflictCheck, ConflictHit
from legalaid.database import db_session, rollback_request
from legalaid.deadlines.suggestions import suggestions_for
from legalaid.documents.page import page_documents
from legalaid.errors import (
    ConflictError,
    DomainError,
    add_rule_errors,
    show_on_form,
)
from legalaid.providers.models import ServiceProvider
from legalaid.referrals.models import Referral
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


def _form_choices(session: Session, case_: Case) -> tuple[list[SelectChoice], list[SelectChoice]]:
    """The referral form's active providers and the task form's assignees, in one statement
    (the same rows as :func:`provider_choices` and ``casework.services.task_assignees``)."""
    both = union_all(
        select(literal("provider").label("kind"), ServiceProvider.id, ServiceProvider.name).where(
            ServiceProvider.active.is_(True)
        ),
        select(literal("assignee"), User.id, User.full_name).where(task_assignee_condition(case_)),
    ).subquery()
    providers: list[SelectChoice] = []
    assignees: list[SelectChoice] = []
    for row in session.execute(select(both).order_by(both.c.name, both.c.id)):
        (providers if row.kind == "provider" else assignees).append(
            SelectChoice(str(row.id), row.name)
        )
    return providers, assignees


def _default_forms(case_: Case) -> dict[str, AppForm]:
    version = {"data": {"version": case_.version}}
    referral_form = ReferralForm(formdata=None)
    return {
        "service_form": ServiceForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "hearing_form": HearingForm(formdata=None),
        "task_form": TaskForm(formdata=None, prefix=TASK_PREFIX),
        "referral_form": referral_form,
        "respondent_form": RespondentForm(formdata=None),
        "open_form": OpenForm(formdata=None, **version),
        "close_form": CloseForm(formdata=None, **version),
        "reopen_form": ReopenForm(formdata=None, **version),
    }


def render_case_page(case_: Case, *, status: int = 200, **forms: Any) -> tuple[str, int]:
    session = db_session()
    context: dict[str, Any] = _default_forms(case_)
    context.update(page_documents(session, case_))
    context.update(forms)
    providers, assignees = _form_choices(session, case_)
    context["referral_form"].provider_id.choices = providers
    context["task_form"].assignee_id.choices = assignees
    context["hearing_form"].venue.choices = [
        SelectChoice("", _("— not recorded —")),
        *current_app.extensions["legalaid.policies"].venues.vocabulary.choices(),
    ]
    if context["task_form"].assignee_id.data is None:
        context["task_form"].assignee_id.data = str(g.user.id)
    # Every person and provider a row names comes in the row's own statement (joined).
    services = session.scalars(
        select(ServiceDelivery)
        .where(ServiceDelivery.case_id == case_.id)
        .options(joinedload(ServiceDelivery.provided_by))
        .order_by(ServiceDelivery.delivered_on.desc(), ServiceDelivery.id.desc())
    ).all()
    hearings = session.scalars(
        select(Hearing).where(Hearing.case_id == case_.id).order_by(Hearing.due_on, Hearing.id)
    ).all()
    context.update(
        case=case_,
        client=case_.client,
        services=services,
        # Each note with its revisions (the page shows the current one): one statement.
        notes=session.scalars(
            select(Note)
            .where(Note.case_id == case_.id)
            .options(joinedload(Note.author), joinedload(Note.revisions))
            .order_by(Note.created_at.desc(), Note.id.desc())
        )
        .unique()
        .all(),
        hearings=hearings,
        tasks=session.scalars(
            select(CaseTask)
            .where(CaseTask.case_id == case_.id)
            .options(joinedload(CaseTask.assignee))
            .order_by(CaseTask.done, CaseTask.due_on, CaseTask.id)
        ).all(),
        suggested_deadlines=suggestions_for(
            session,
            current_app.extensions["legalaid.policies"].deadlines,
            case_,
            services=services,
            hearings=hearings,
        ),
        referrals=session.scalars(
            select(Referral)
            .where(Referral.case_id == case_.id)
            .options(joinedload(Referral.provider))
            .order_by(Referral.sent_on.desc(), Referral.id.desc())
        ).all(),
        checks=session.scalars(
            select(ConflictCheck)
            .where(ConflictCheck.case_id == case_.id)
            .options(joinedload(ConflictCheck.hits).joinedload(ConflictHit.clinic))
            .order_by(ConflictCheck.id.desc())
        )
        .unique()
        .all(),
        history=session.scalars(
            select(CaseStatusChange)
            .where(CaseStatusChange.case_id == case_.id)
            .options(joinedload(CaseStatusChange.changed_by))
            .order_by(CaseStatusChange.id.desc())
        ).all(),
        assignments=session.scalars(
            select(CaseAssignment)
            .where(CaseAssignment.case_id == case_.id)
            .options(joinedload(CaseAssignment.to_lawyer), joinedload(CaseAssignment.assigned_by))
            .order_by(CaseAssignment.id.desc())
        ).all(),
    )
    record_event(session, "case.viewed", object_type="case", object_id=case_.id)
    return render_template("cases/case.html", **context), status
