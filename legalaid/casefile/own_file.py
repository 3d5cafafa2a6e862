"""A client's own file: everything the clinic holds about her, for her to read.

Respondents' names are left out: they are the clinic's data about other people, whom the
client's right of access does not cover (Azerbaijan's Law on Personal Data gives each
person access to data about herself); their relation to her is kept. Staff members'
names stay: they acted for her. Her documents (on her cases, and her own identity papers)
are listed by kind, date, file name and description; their content is given on request
as a copy, not inside the file. Tasks about her case (what staff must do for her) are
listed too. Produced as printable HTML and as a PDF (:mod:`legalaid.casefile.own_file_pdf`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from legalaid.cases.models import Case
from legalaid.casework.models import CaseTask, Hearing, Note, ServiceDelivery
from legalaid.clients.models import Client
from legalaid.documents.models import Document
from legalaid.referrals.models import Referral


@dataclass(frozen=True)
class CaseFile:
    case: Case
    services: list[ServiceDelivery]
    hearings: list[Hearing]
    referrals: list[Referral]
    notes: list[Note]
    tasks: list[CaseTask]
    documents: list[Document]


def _documents(session: Session, *where: object) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(*where)  # type: ignore[arg-type]
            .order_by(Document.uploaded_at, Document.id)
        )
    )


def own_documents(session: Session, client: Client) -> list[Document]:
    """Her identity papers and other documents kept on her, not on a case."""
    return _documents(session, Document.client_id == client.id)


def own_file(session: Session, client: Client) -> list[CaseFile]:
    """Every case of hers (in any clinic's scope the caller already checked), with its work."""
    cases = session.scalars(
        select(Case).where(Case.client_id == client.id).order_by(Case.intake_on, Case.id)
    ).all()
    files = []
    for case in cases:
        files.append(
            CaseFile(
                case=case,
                services=list(
                    session.scalars(
                        select(ServiceDelivery)
                        .where(ServiceDelivery.case_id == case.id)
                        .order_by(ServiceDelivery.delivered_on, ServiceDelivery.id)
                    )
                ),
                hearings=list(
                    session.scalars(
                        select(Hearing)
                        .where(Hearing.case_id == case.id)
                        .order_by(Hearing.due_on, Hearing.id)
                    )
                ),
                referrals=list(
                    session.scalars(
                        select(Referral)
                        .where(Referral.case_id == case.id)
                        .options(selectinload(Referral.provider))
                        .order_by(Referral.sent_on, Referral.id)
                    )
                ),
                notes=list(
                    session.scalars(
                        select(Note)
                        .where(Note.case_id == case.id)
                        .options(selectinload(Note.author))
                        .order_by(Note.created_at, Note.id)
                    )
                ),
                tasks=list(
                    session.scalars(
                        select(CaseTask)
                        .where(CaseTask.case_id == case.id)
                        .order_by(CaseTask.due_on, CaseTask.id)
                    )
                ),
                documents=_documents(session, Document.case_id == case.id),
            )
        )
    return files
