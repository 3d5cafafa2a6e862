"""Manager pages: erase a client's personal data on request; a legal hold on a case.

The access policy lets managers only (``retention.manage``); the record is loaded
through the scope helpers, so another clinic's client or case answers 404.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from legalaid.audit.service import Actor, record_event
from legalaid.calendar import today
from legalaid.casefile.client_views import client_or_404
from legalaid.casefile.page import case_or_404, render_case_page
from legalaid.database import db_session, rollback_request
from legalaid.retention.erasure import (
    ErasureRefusedError,
    blockers,
    erase_client,
    retention_policy,
    set_legal_hold,
)
from legalaid.retention.forms import EraseForm, LegalHoldForm
from legalaid.retention.labels import field_label

bp = Blueprint("retention", __name__)


@bp.route("/clients/<int:client_id>/erase", methods=["GET", "POST"])
def erase(client_id: int) -> str | BaseResponse | tuple[str, int]:
    client = client_or_404(client_id)
    if client.erased_on is not None:
        flash(_("This client's personal data is already erased."), "error")
        return redirect(url_for("clients.view", client_id=client_id))
    form = EraseForm()
    refused: str | None = None
    status = 200
    if form.validate_on_submit():
        try:
            erase_client(
                db_session(),
                client.id,
                rule=form.reason.data or "",
                today=today(),
                actor=Actor.of(g.user),
            )
        except ErasureRefusedError as error:
            # The denied audit entry is replayed on the clean transaction.
            rollback_request()
            client = client_or_404(client_id)
            refused, status = str(error), 409
        else:
            flash(
                _("The personal data of client %(number)s is erased.", number=client.number),
                "success",
            )
            return redirect(url_for("clients.view", client_id=client_id))
    elif form.is_submitted():
        status = 400
    policy = retention_policy()
    record_event(db_session(), "client.viewed", object_type="client", object_id=client.id)
    return (
        render_template(
            "retention/erase.html",
            client=client,
            form=form,
            refused=refused,
            found=blockers(db_session(), client.id),
            erased=[field_label(code) for code in policy.erased],
            kept=[field_label(code) for code in policy.kept],
        ),
        status,
    )


@bp.post("/cases/<int:case_id>/legal-hold")
def legal_hold(case_id: int) -> str | BaseResponse | tuple[str, int]:
    case_ = case_or_404(case_id)
    form = LegalHoldForm()
    if not form.validate_on_submit():
        flash(_("The legal hold was not changed: send the form again."), "error")
        return render_case_page(case_, status=400)
    hold = form.hold.data == "1"
    set_legal_hold(db_session(), case_, hold=hold, today=today(), actor=Actor.of(g.user))
    flash(
        _("Legal hold set: the client's data will not be erased while it lasts.")
        if hold
        else _("Legal hold lifted."),
        "success",
    )
    return redirect(url_for("cases.view", case_id=case_id))
