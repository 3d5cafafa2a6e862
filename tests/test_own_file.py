"""A client's own file: all the clinic holds about her, in her language, nothing of others."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.casework.services import add_hearing, add_note, add_service
from legalaid.providers.services import create_provider
from legalaid.referrals.services import refer
from tests.case_factories import make_case
from tests.factories import create_user, sign_in

NAME = "Gülşən Faylova"
RESPONDENT = "Rövşən Cavabdehov"
OTHER = "Başqa Müştəriyeva"


def _her_case(session: Session, lawyer):
    case = make_case(
        session,
        lawyer,
        full_name=NAME,
        phone="+994 51 222 33 44",
        respondents=((RESPONDENT, "intimate_partner"),),
    )
    day = today()
    add_service(
        session,
        case,
        service_type="advice",
        delivered_on=day,
        order_kind=None,
        by=lawyer.id,
        today=day,
    )
    add_note(session, case, body="Synthetic note for her file", by=lawyer.id)
    add_hearing(
        session,
        case,
        kind="hearing",
        due_on=day,
        place="Synthetic court hall",
        by=lawyer.id,
        today=day,
    )
    provider = create_provider(
        session,
        name="Synthetic Shelter Own",
        service_type="shelter",
        economic_region="baku",
        contact="",
        by=None,
    )
    refer(
        session,
        case,
        provider_id=provider.id,
        service_type=None,
        sent_on=day,
        by=lawyer.id,
        today=day,
    )
    session.commit()
    return case


def test_a_manager_produces_her_file_in_her_language(app: Flask, session: Session) -> None:
    manager = create_user(session, "manager")
    lawyer = create_user(session, "lawyer", clinic=manager.clinic)
    case = _her_case(session, lawyer)
    make_case(session, lawyer, full_name=OTHER, respondents=(("Kənar Adam", "stranger"),))
    client = app.test_client()
    sign_in(client, app, manager, session=session)
    response = client.get(f"/clients/{case.client_id}/own-file?language=ru")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="ru"' in html
    for value in (
        NAME,
        "+994 51 222 33 44",
        "Synthetic note for her file",
        "Synthetic court hall",
        "Synthetic Shelter Own",
        case.number,
    ):
        assert value in html, value
    assert "Консультация" in html or "консультац" in html.lower()  # the service, in Russian
    assert RESPONDENT not in html
    assert OTHER not in html
    assert "Kənar Adam" not in html
    session.expire_all()
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "client.own_file_produced")
    ).one()
    assert entry.object_id == str(case.client_id)
    assert NAME not in (entry.action + (entry.object_type or ""))


def test_lawyers_and_other_clinics_cannot_produce_it(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    case = make_case(session, lawyer, full_name=NAME)
    as_lawyer = app.test_client()
    sign_in(as_lawyer, app, lawyer, session=session)
    assert as_lawyer.get(f"/clients/{case.client_id}/own-file").status_code == 403
    other = create_user(session, "manager")
    as_other = app.test_client()
    sign_in(as_other, app, other, session=session)
    assert as_other.get(f"/clients/{case.client_id}/own-file").status_code == 404


def test_an_erased_clients_file_says_so_and_holds_no_name(app: Flask, session: Session) -> None:
    from legalaid.cases.services import close_case
    from legalaid.retention.erasure import erase_client

    manager = create_user(session, "manager")
    lawyer = create_user(session, "lawyer", clinic=manager.clinic)
    case = _her_case(session, lawyer)
    close_case(
        session,
        case,
        expected_version=case.version,
        outcome="resolved_favour",
        closed_on=today(),
        by=lawyer.id,
        today=today(),
        agenda_loss_confirmed=True,
    )
    erase_client(session, case.client_id, rule="client_request", today=today())
    session.commit()
    client = app.test_client()
    sign_in(client, app, manager, session=session)
    html = client.get(f"/clients/{case.client_id}/own-file?language=en").get_data(as_text=True)
    assert "Your personal data was erased on" in html
    for value in (NAME, "+994 51 222 33 44", "Synthetic note for her file", "Synthetic court hall"):
        assert value not in html, value


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_her_file_as_a_pdf_in_azerbaijani_and_russian(app: Flask, session: Session) -> None:
    """A real PDF: the text read back out of it has her data, her language, nobody else."""
    import io

    from pypdf import PdfReader

    from legalaid.casework.services import add_task
    from tests.document_factories import add_document

    manager = create_user(session, "manager")
    lawyer = create_user(session, "lawyer", clinic=manager.clinic)
    case = _her_case(session, lawyer)
    add_document(
        session, case, lawyer.id, filename="tibbi-arayış.pdf", description="Synthetic xəsarət"
    )
    add_task(
        session,
        case,
        description="Synthetic: zəng edin",
        due_on=today(),
        assignee_id=lawyer.id,
        allowed_assignees={lawyer.id},
        by=lawyer.id,
        today=today(),
    )
    session.commit()
    make_case(session, lawyer, full_name=OTHER, respondents=(("Kənar Adam", "stranger"),))
    client = app.test_client()
    sign_in(client, app, manager, session=session)
    html = client.get(f"/clients/{case.client_id}/own-file?language=az").get_data(as_text=True)
    assert f"/clients/{case.client_id}/own-file.pdf?language=ru" in html
    assert "tibbi-arayış.pdf" in html
    assert "Synthetic: zəng edin" in html

    texts = {}
    for language in ("az", "ru"):
        response = client.get(f"/clients/{case.client_id}/own-file.pdf?language={language}")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Cache-Control"] == "no-store"
        assert NAME not in response.headers["Content-Disposition"]
        assert response.data.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(response.data))
        assert NAME not in str(reader.metadata)  # the title names the client number only
        texts[language] = _pdf_text(response.data)
    for text in texts.values():
        for value in (
            NAME,  # ü, ş, ə: Azerbaijani letters set in the shipped font
            "+994 51 222 33 44",
            "Synthetic note for her file",
            "Synthetic court hall",
            "Synthetic Shelter Own",
            "tibbi-arayış.pdf",
            "Synthetic xəsarət",
            "Synthetic: zəng edin",
            case.number,
        ):
            assert value in text, value
        assert RESPONDENT not in text
        assert OTHER not in text
        assert "Kənar Adam" not in text
    # Her language: headings in it, and none of the other's.
    assert "Klinikanın sizin haqqınızda saxladığı məlumatlar" in texts["az"]
    assert "Göstərilmiş xidmətlər" in texts["az"]
    assert "Оказанные услуги" not in texts["az"]
    assert "Что клиника хранит о вас" in texts["ru"]
    assert "Оказанные услуги" in texts["ru"]
    assert "What the clinic holds" not in texts["ru"] + texts["az"]
    assert "Консультация" not in texts["az"]
    session.expire_all()
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "client.own_file_produced_pdf")
    ).all()
    assert [e.object_id for e in entries] == [str(case.client_id)] * 2
