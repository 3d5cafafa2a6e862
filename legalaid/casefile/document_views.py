"""Documents on the case page and the client page: upload, the document's page,
download, replace, delete.

Every route loads its owner first through the owner's scope (the case scope, or the
client scope for a client's identity documents: 404 when not visible, the attempt
audited), then the document through that owner only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from legalaid.access.visible import visible_or_404
from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.casefile.client_views import client_or_404, render_client_page
from legalaid.casefile.document_forms import DeleteForm, LetterForm, ReplaceForm, UploadForm
from legalaid.casefile.document_panel import Holder
from legalaid.casefile.page import case_or_404, render_case_page
from legalaid.database import db_session, rollback_request
from legalaid.documents import services
from legalaid.documents.models import Document
from legalaid.documents.scan import scanner_of
from legalaid.documents.services import Upload
from legalaid.documents.storage import DocumentStore
from legalaid.documents.streaming import DocumentDecryptionError
from legalaid.documents.uploads import document_policy
from legalaid.errors import DomainError, log_error, show_on_form
from legalaid.held_forms.service import FILES_NOT_KEPT
from legalaid.letters.fill import ASKED, FROM_CASE, generate_letter
from legalaid.web_types import Rendered
from legalaid.webforms import add_errors

bp = Blueprint("documents", __name__, url_prefix="/cases/<int:case_id>/documents")
#: A client's own documents (identity papers): the same routes, scoped like the client.
client_bp = Blueprint("client_documents", __name__, url_prefix="/clients/<int:client_id>/documents")

Loader = Callable[[int], Holder]


def _case(case_id: int) -> Holder:
    return Holder(case_or_404(case_id))


def _client(client_id: int) -> Holder:
    return Holder(client_or_404(client_id))


def document_store() -> DocumentStore:
    store: DocumentStore = current_app.extensions["legalaid.documents.store"]
    return store


def _uploads(field_name: str) -> list[Upload]:
    return [
        Upload(
            filename=item.filename or "",
            stream=item.stream,  # type: ignore[arg-type]
            too_large=bool(getattr(item.stream, "too_large", False)),
        )
        for item in request.files.getlist(field_name)
        if item.filename
    ]


def _files_not_kept(form: UploadForm | ReplaceForm) -> bool:
    """A form sent again after sign-in without the files chosen before (files are never
    held): her other answers come back filled, and the file field says to choose it again."""
    if not request.form.get(FILES_NOT_KEPT) or _uploads(form.files.name):
        return False
    form.validate()
    add_errors(
        [
            (
                form.files,
                _(
                    "The file you chose before your session ended was not kept (files never "
                    "are): choose it again."
                ),
            )
        ]
    )
    return True


def _document_or_404(holder: Holder, document_id: int) -> Document:
    return visible_or_404(
        db_session(),
        services.owned_documents(holder.owner),
        document_id,
        action="document.viewed",
        object_type="document",
    )


def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    # Raised while the form is read, before sign-in is checked: no case data here.
    rollback_request()
    policy = document_policy()
    return render_template(
        "errors/413.html",
        status=413,
        limit_mb=policy.max_request_bytes // (1024 * 1024),
        reason=_(
            "Each file may be at most %(size)d MB, and at most %(n)d files are sent at once.",
            size=policy.max_file_mb,
            n=policy.max_files_per_upload,
        ),
    ), 413


bp.register_error_handler(RequestEntityTooLarge, _too_large)
client_bp.register_error_handler(RequestEntityTooLarge, _too_large)


def _owner_page(holder: Holder, *, status: int, document_form: UploadForm) -> tuple[str, int]:
    if holder.is_client:
        return render_client_page(holder.owner, status=status, document_form=document_form)  # type: ignore[arg-type]
    return render_case_page(holder.owner, status=status, document_form=document_form)  # type: ignore[arg-type]


def _upload(load: Loader, owner_id: int) -> Rendered:
    holder = load(owner_id)
    form = UploadForm(prefix="document")
    if _files_not_kept(form):
        return _owner_page(holder, status=400, document_form=form)
    if form.validate_on_submit():
        try:
            added = services.add_documents(
                db_session(),
                document_store(),
                document_policy(),
                holder.owner,
                kind=form.kind.data or "",
                document_date=form.document_date.data,
                description=form.description.data or "",
                uploads=_uploads(form.files.name),
                by=g.user.id,
                scanner=scanner_of(current_app),
            )
        except DomainError as error:
            rollback_request()
            services.audit_refusal(db_session(), error)
            holder = load(owner_id)
            show_on_form(form, error, "files")
            return _owner_page(holder, status=error.status_code, document_form=form)
        flash(
            ngettext("%(num)d document saved.", "%(num)d documents saved.", len(added)),
            "success",
        )
        return redirect(holder.back_url)
    if not _uploads(form.files.name):
        # Found with the form's other errors, not on the next submit.
        add_errors([(form.files, _("Choose at least one file."))])
    return _owner_page(holder, status=400, document_form=form)


def _render_document(
    holder: Holder, document: Document, *, status: int = 200, **forms: Any
) -> tuple[str, int]:
    session = db_session()
    versions = [document]
    while versions[-1].replaces is not None:
        versions.append(versions[-1].replaces)
    current = services.documents_of(session, holder.owner)
    newer = [d for d in current if d.replaces_id == document.id]
    context: dict[str, Any] = {
        "replace_form": ReplaceForm(formdata=None),
        "delete_form": DeleteForm(formdata=None),
    }
    context.update(forms)
    record_event(session, "document.viewed", object_type="document", object_id=document.id)
    return render_template(
        "documents/document.html",
        holder=holder,
        document=document,
        versions=versions,
        newer=newer[0] if newer else None,
        size_label=services.size_label,
        **context,
    ), status


def _view(load: Loader, owner_id: int, document_id: int) -> Rendered:
    holder = load(owner_id)
    return _render_document(holder, _document_or_404(holder, document_id))


def _download(load: Loader, owner_id: int, document_id: int) -> Rendered:
    holder = load(owner_id)
    document = _document_or_404(holder, document_id)
    try:
        body = services.read_document(db_session(), document_store(), document)
    except DomainError as error:
        rollback_request()
        return _render_document(holder, document, status=410, download_error=str(error))
    except (DocumentDecryptionError, OSError) as error:
        rollback_request()
        log_error(error, "opening a stored document")
        record_event(
            db_session(),
            "document.downloaded",
            object_type="document",
            object_id=document.id,
            outcome="failure",
        )
        return _render_document(
            holder,
            document,
            status=500,
            download_error=_(
                "The stored file failed its integrity check and is not sent. "
                "Tell your administrator."
            ),
        )
    response = Response(body, mimetype=document.content_type.split(";")[0])
    response.headers["Content-Disposition"] = _attachment(document.original_filename)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Content-Length"] = str(document.size_bytes)
    return response


def _attachment(filename: str) -> str:
    ascii_name = "".join(
        ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in filename
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _replace(load: Loader, owner_id: int, document_id: int) -> Rendered:
    holder = load(owner_id)
    document = _document_or_404(holder, document_id)
    form = ReplaceForm()
    if _files_not_kept(form):
        return _render_document(holder, document, status=400, replace_form=form)
    if form.validate_on_submit():
        try:
            (added,) = services.add_documents(
                db_session(),
                document_store(),
                document_policy(),
                holder.owner,
                kind=document.kind,
                document_date=form.document_date.data,
                description=form.description.data or "",
                uploads=_uploads(form.files.name),
                by=g.user.id,
                replaces=document,
                scanner=scanner_of(current_app),
            )
        except DomainError as error:
            rollback_request()
            services.audit_refusal(db_session(), error)
            holder = load(owner_id)
            document = _document_or_404(holder, document_id)
            show_on_form(form, error, "files")
            return _render_document(holder, document, status=error.status_code, replace_form=form)
        flash(_("New version saved; the earlier one is kept."), "success")
        return redirect(holder.url("view", document_id=added.id))
    return _render_document(holder, document, status=400, replace_form=form)


def _delete(load: Loader, owner_id: int, document_id: int) -> Rendered:
    holder = load(owner_id)
    document = _document_or_404(holder, document_id)
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            services.delete_document(
                db_session(),
                document_store(),
                document,
                reason=form.reason.data or "",
                by=g.user.id,
            )
        except DomainError as error:
            rollback_request()
            holder = load(owner_id)
            document = _document_or_404(holder, document_id)
            show_on_form(form, error, "reason")
            return _render_document(holder, document, status=400, delete_form=form)
        flash(_("The document's content was destroyed; the record of it is kept."), "success")
        return redirect(holder.url("view", document_id=document_id))
    return _render_document(holder, document, status=400, delete_form=form)


# The case's documents.
@bp.post("")
def upload(case_id: int) -> Rendered:
    return _upload(_case, case_id)


@bp.get("/<int:document_id>")
def view(case_id: int, document_id: int) -> Rendered:
    return _view(_case, case_id, document_id)


@bp.get("/<int:document_id>/download")
def download(case_id: int, document_id: int) -> Rendered:
    return _download(_case, case_id, document_id)


@bp.post("/<int:document_id>/replace")
def replace(case_id: int, document_id: int) -> Rendered:
    return _replace(_case, case_id, document_id)


@bp.post("/<int:document_id>/delete")
def delete(case_id: int, document_id: int) -> Rendered:
    return _delete(_case, case_id, document_id)


# The client's own documents (identity papers).
@client_bp.post("", endpoint="upload")
def client_upload(client_id: int) -> Rendered:
    return _upload(_client, client_id)


@client_bp.get("/<int:document_id>", endpoint="view")
def client_view(client_id: int, document_id: int) -> Rendered:
    return _view(_client, client_id, document_id)


@client_bp.get("/<int:document_id>/download", endpoint="download")
def client_download(client_id: int, document_id: int) -> Rendered:
    return _download(_client, client_id, document_id)


@client_bp.post("/<int:document_id>/replace", endpoint="replace")
def client_replace(client_id: int, document_id: int) -> Rendered:
    return _replace(_client, client_id, document_id)


@client_bp.post("/<int:document_id>/delete", endpoint="delete")
def client_delete(client_id: int, document_id: int) -> Rendered:
    return _delete(_client, client_id, document_id)


@bp.route("/letter", methods=["GET", "POST"])
def letter(case_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    form = LetterForm()
    if request.method == "GET":
        form.language.data = get_locale_code()
    status = 200
    if form.validate_on_submit():
        settings = current_app.extensions["legalaid.settings"]
        try:
            added = generate_letter(
                db_session(),
                document_store(),
                document_policy(),
                case_,
                letter=form.letter.data or "",
                language=form.language.data or "",
                answers=form.answers(),
                policy_dir=settings.policy_dir,
                today=today(),
                by=g.user.id,
            )
        except DomainError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            show_on_form(form, error, "letter")
            status = error.status_code
        else:
            flash(_("The letter was saved among the case's documents."), "success")
            return redirect(url_for("documents.view", case_id=case_id, document_id=added.id))
    elif request.method == "POST":
        status = 400
    record_event(db_session(), "case.viewed", object_type="case", object_id=case_id)
    return render_template(
        "documents/letter.html", case=case_, form=form, asked=ASKED, from_case=FROM_CASE
    ), status


def get_locale_code() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "az"
