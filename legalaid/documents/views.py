"""Documents on the case page: upload, the document's page, download, replace, delete.

Every route loads the case through the case scope first (404 when not visible, the
attempt audited), then the document through its case.
"""

from __future__ import annotations

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
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.cases.page import case_or_404, render_case_page
from legalaid.database import db_session, rollback_request
from legalaid.documents import services
from legalaid.documents.forms import DeleteForm, LetterForm, ReplaceForm, UploadForm
from legalaid.documents.models import Document
from legalaid.documents.services import Upload
from legalaid.documents.storage import DocumentStore
from legalaid.documents.streaming import DocumentDecryptionError
from legalaid.documents.uploads import document_policy
from legalaid.errors import DomainError, show_on_form
from legalaid.held_forms.service import FILES_NOT_KEPT
from legalaid.letters.fill import ASKED, FROM_CASE, generate_letter
from legalaid.pages.errors import log_error
from legalaid.webforms import add_errors

bp = Blueprint("documents", __name__, url_prefix="/cases/<int:case_id>/documents")

Rendered = str | BaseResponse | tuple[str, int]


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


def _document_or_404(case_: Case, document_id: int) -> Document:
    document = services.document_of_case(db_session(), case_.id, document_id)
    if document is None:
        record_event(
            db_session(),
            "document.viewed",
            object_type="document",
            object_id=document_id,
            outcome="denied",
        )
        raise NotFound()
    return document


@bp.errorhandler(RequestEntityTooLarge)
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


@bp.post("")
def upload(case_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    form = UploadForm(prefix="document")
    if _files_not_kept(form):
        return render_case_page(case_, status=400, document_form=form)
    if form.validate_on_submit():
        try:
            added = services.add_documents(
                db_session(),
                document_store(),
                document_policy(),
                case_,
                kind=form.kind.data or "",
                document_date=form.document_date.data,
                description=form.description.data or "",
                uploads=_uploads(form.files.name),
                by=g.user.id,
            )
        except DomainError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            show_on_form(form, error, "files")
            return render_case_page(case_, status=error.status_code, document_form=form)
        flash(
            ngettext("%(num)d document saved.", "%(num)d documents saved.", len(added)),
            "success",
        )
        return redirect(url_for("cases.view", case_id=case_id, _anchor="documents"))
    if not _uploads(form.files.name):
        # Found with the form's other errors, not on the next submit.
        add_errors([(form.files, _("Choose at least one file."))])
    return render_case_page(case_, status=400, document_form=form)


def _render_document(
    case_: Case, document: Document, *, status: int = 200, **forms: Any
) -> tuple[str, int]:
    session = db_session()
    versions = [document]
    while versions[-1].replaces is not None:
        versions.append(versions[-1].replaces)
    newer = [d for d in services.case_documents(session, case_.id) if d.replaces_id == document.id]
    context: dict[str, Any] = {
        "replace_form": ReplaceForm(formdata=None),
        "delete_form": DeleteForm(formdata=None),
    }
    context.update(forms)
    record_event(session, "document.viewed", object_type="document", object_id=document.id)
    return render_template(
        "documents/document.html",
        case=case_,
        document=document,
        versions=versions,
        newer=newer[0] if newer else None,
        size_label=services.size_label,
        **context,
    ), status


@bp.get("/<int:document_id>")
def view(case_id: int, document_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    return _render_document(case_, _document_or_404(case_, document_id))


@bp.get("/<int:document_id>/download")
def download(case_id: int, document_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    document = _document_or_404(case_, document_id)
    try:
        body = services.read_document(db_session(), document_store(), document)
    except DomainError as error:
        rollback_request()
        return _render_document(case_, document, status=410, download_error=str(error))
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
            case_,
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


@bp.post("/<int:document_id>/replace")
def replace(case_id: int, document_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    document = _document_or_404(case_, document_id)
    form = ReplaceForm()
    if _files_not_kept(form):
        return _render_document(case_, document, status=400, replace_form=form)
    if form.validate_on_submit():
        try:
            (added,) = services.add_documents(
                db_session(),
                document_store(),
                document_policy(),
                case_,
                kind=document.kind,
                document_date=form.document_date.data,
                description=form.description.data or "",
                uploads=_uploads(form.files.name),
                by=g.user.id,
                replaces=document,
            )
        except DomainError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            document = _document_or_404(case_, document_id)
            show_on_form(form, error, "files")
            return _render_document(case_, document, status=error.status_code, replace_form=form)
        flash(_("New version saved; the earlier one is kept."), "success")
        return redirect(url_for("documents.view", case_id=case_id, document_id=added.id))
    return _render_document(case_, document, status=400, replace_form=form)


@bp.post("/<int:document_id>/delete")
def delete(case_id: int, document_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    document = _document_or_404(case_, document_id)
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
            case_ = case_or_404(case_id)
            document = _document_or_404(case_, document_id)
            show_on_form(form, error, "reason")
            return _render_document(case_, document, status=400, delete_form=form)
        flash(_("The document's content was destroyed; the record of it is kept."), "success")
        return redirect(url_for("documents.view", case_id=case_id, document_id=document_id))
    return _render_document(case_, document, status=400, delete_form=form)


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
