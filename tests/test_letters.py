"""Letters filled from the case in az, ru and en, kept among the case's documents."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.cases.models import Respondent
from legalaid.documents.models import Document
from legalaid.letters.fill import LETTER_LANGUAGES, LETTERS, rendered_text, template_path
from tests.case_factories import make_case
from tests.factories import create_user, sign_in
from tests.helpers import post_form

CLIENT = "Synthetic Leyla Hesenova"


def _letter(client, case_id: int, **fields: str):
    url = f"/cases/{case_id}/documents/letter"
    return post_form(client, url, fields, page=url)


def test_every_shipped_template_exists() -> None:
    for letter in LETTERS:
        for language in LETTER_LANGUAGES:
            assert template_path(None, letter, language).is_file()


def test_a_protection_order_application_in_azerbaijani_lands_among_the_documents(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    case_ = make_case(
        session, lawyer, full_name=CLIENT, respondents=(("Synthetic Kamran", "intimate_partner"),)
    )
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    missing = _letter(client, case_.id, letter="protection_order", language="az", facts="x")
    assert missing.status_code == 400
    assert "This letter needs it" in missing.get_data(as_text=True)  # the court, and the address
    response = _letter(
        client,
        case_.id,
        letter="protection_order",
        language="az",
        court="Bakı şəhəri Nəsimi rayon məhkəməsi",
        facts="He hit her <script>alert(1)</script>",
        client_address="Synthetic street 1",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    session.expire_all()
    document = session.scalars(select(Document).where(Document.case_id == case_.id)).one()
    assert document.kind == "court_document"
    assert document.content_type.startswith("application/vnd.openxmlformats")
    page = client.get(f"/cases/{case_.id}").get_data(as_text=True)
    assert "protection_order-az.docx" in page
    body = client.get(f"/cases/{case_.id}/documents/{document.id}/download").get_data()
    text = rendered_text(body)
    assert "Mühafizə orderi verilməsi barədə ərizə" in text
    assert CLIENT in text
    assert "Synthetic Kamran" in text
    assert "Nəsimi" in text
    assert "<script>" in text  # kept as text, not markup


def test_a_referral_letter_needs_her_consent_and_carries_only_what_is_typed(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    refused_case = make_case(session, lawyer, consent_sharing=False)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    refused = _letter(
        client, refused_case.id, letter="referral", language="ru", addressee="Shelter", facts="x"
    )
    assert refused.status_code == 400
    assert "has not consented" in refused.get_data(as_text=True)
    case_ = make_case(session, lawyer, full_name=CLIENT, address="Secret shelter address 7")
    session.add(Respondent(case_id=case_.id, name="Synthetic Abuser", relation="intimate_partner"))
    session.commit()
    done = _letter(
        client, case_.id, letter="referral", language="ru", addressee="Shelter", facts="housing"
    )
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    session.expire_all()
    document = session.scalars(select(Document).where(Document.case_id == case_.id)).one()
    text = rendered_text(
        client.get(f"/cases/{case_.id}/documents/{document.id}/download").get_data()
    )
    assert "Направление" in text
    assert CLIENT in text
    assert "Secret shelter" not in text
    assert "Synthetic Abuser" not in text


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_a_power_of_attorney_in_each_language(app: Flask, session: Session, language: str) -> None:
    lawyer = create_user(session, "lawyer")
    case_ = make_case(session, lawyer, full_name=CLIENT)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    response = _letter(
        client,
        case_.id,
        letter="power_of_attorney",
        language=language,
        identity_document="AZE 0000000",
        scope="before the courts",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_another_lawyer_cannot_write_letters_on_the_case(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    case_ = make_case(session, lawyer)
    other = app.test_client()
    sign_in(other, app, create_user(session, "lawyer"), session=session)
    assert other.get(f"/cases/{case_.id}/documents/letter").status_code == 404
