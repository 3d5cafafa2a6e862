"""Client pages: find a client by number, see her cases, edit her details and consents."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from legalaid.access.visible import visible_or_404
from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.casefile.client_forms import ClientForm
from legalaid.casefile.client_search import clients_named, looks_like_number
from legalaid.casefile.document_panel import page_documents
from legalaid.casefile.own_file import own_documents, own_file
from legalaid.casefile.own_file_pdf import leaves_out, own_file_pdf
from legalaid.cases.models import Case
from legalaid.cases.scope import case_condition, visible_clients
from legalaid.clients import services
from legalaid.clients.models import Client
from legalaid.database import db_session, rollback_request
from legalaid.errors import ConflictError, DomainError, show_on_form
from legalaid.i18n import LANGUAGES
from legalaid.pagination import Page, paginate
from legalaid.search_terms import held_term, term_out_of_url

bp = Blueprint("clients", __name__, url_prefix="/clients")


def client_or_404(client_id: int) -> Client:
    """The client if the signed-in user may see her; otherwise 404, and the attempt audited."""
    return visible_or_404(
        db_session(),
        visible_clients(g.user),
        client_id,
        action="client.viewed",
        object_type="client",
    )


@bp.route("/", methods=["GET", "POST"])
def list_clients() -> str | BaseResponse:
    moved = term_out_of_url("clients", "clients.list_clients")
    if moved is not None:
        return moved
    q = held_term("clients")
    by_name = bool(q) and not looks_like_number(q)
    if by_name:
        query = clients_named(g.user, q)
    else:
        query = visible_clients(g.user)
        if q:
            query = query.where(func.upper(Client.number).contains(q.upper(), autoescape=True))
    page: Page[Client] = paginate(
        db_session(), query.order_by(Client.id.desc()), request.args.get("page")
    )
    # That a name was searched is recorded; the name never is (nor in a URL or a log).
    record_event(
        db_session(),
        "client.searched_by_name" if by_name else "client.listed",
        object_type="client",
    )
    return render_template("clients/list.html", page=page, q=q, by_name=by_name)


def render_client_page(client: Client, *, status: int = 200, **forms: Any) -> tuple[str, int]:
    """The client page, with her identity documents (and a refused upload's form)."""
    session = db_session()
    cases = session.scalars(
        select(Case)
        .where(Case.client_id == client.id, case_condition(g.user))
        .order_by(Case.id.desc())
    )
    context = page_documents(session, client)
    context.update(forms)
    record_event(session, "client.viewed", object_type="client", object_id=client.id)
    return render_template("clients/view.html", client=client, cases=list(cases), **context), status


@bp.get("/<int:client_id>")
def view(client_id: int) -> tuple[str, int]:
    return render_client_page(client_or_404(client_id))


@bp.route("/<int:client_id>/edit", methods=["GET", "POST"])
def edit(client_id: int) -> str | BaseResponse | tuple[str, int]:
    client = client_or_404(client_id)
    if client.erased_on is not None:
        # An erased client's identifiers stay erased: a new intake records her again.
        flash(_("This client's personal data is erased; it cannot be edited."), "error")
        return redirect(url_for("clients.view", client_id=client_id))
    form = ClientForm(obj=client) if request.method == "GET" else ClientForm()
    if request.method == "GET":
        form.key_populations.data = client.population_codes
        form.date_of_birth.data = client.birth_date
    if form.validate_on_submit():
        try:
            services.update_client(
                db_session(),
                client,
                form.client_details(),
                expected_version=int(form.version.data or 0),
                recorded_by=g.user.id,
                today=today(),
            )
        except ConflictError as error:
            rollback_request()
            current = client_or_404(client_id)
            form.version.data = current.version
            return (
                render_template(
                    "clients/edit.html", form=form, client=current, conflict=str(error)
                ),
                409,
            )
        except DomainError as error:
            rollback_request()
            client = client_or_404(client_id)
            show_on_form(form, error, "full_name")
        else:
            flash(_("Client %(number)s saved.", number=client.number), "success")
            return redirect(url_for("clients.view", client_id=client_id))
    record_event(db_session(), "client.viewed", object_type="client", object_id=client.id)
    return render_template("clients/edit.html", form=form, client=client)


def _own_file_language() -> str:
    language = request.args.get("language", "")
    if language not in LANGUAGES:
        language = str(g.user.preferred_language or "en")
    return language


@bp.get("/<int:client_id>/own-file")
def own_file_page(client_id: int) -> str:
    """Her file in her language (az, ru or en), printable; producing it is audited."""
    client = client_or_404(client_id)
    language = _own_file_language()
    files = own_file(db_session(), client)
    documents = own_documents(db_session(), client)
    record_event(
        db_session(), "client.own_file_produced", object_type="client", object_id=client.id
    )
    with force_locale(language):
        return render_template(
            "clients/own_file.html",
            client=client,
            files=files,
            own_documents=documents,
            language=language,
            leaves_out=leaves_out(),
        )


@bp.get("/<int:client_id>/own-file.pdf")
def own_file_pdf_download(client_id: int) -> BaseResponse:
    """The same file as a PDF to hand her or send her; audited like the page, never cached."""
    client = client_or_404(client_id)
    language = _own_file_language()
    session = db_session()
    files = own_file(session, client)
    documents = own_documents(session, client)
    record_event(session, "client.own_file_produced_pdf", object_type="client", object_id=client.id)
    with force_locale(language):
        data = own_file_pdf(client, files, documents, language=language, produced_on=today())
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    # The client number, never her name, in the file name.
    response.headers["Content-Disposition"] = (
        f'attachment; filename="client-file-{client.number}-{language}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
