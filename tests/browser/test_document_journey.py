"""Documents in a real browser: a lawyer uploads a medical certificate, downloads it and
writes a protection-order application in Azerbaijani; a manager deletes a document."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

from pathlib import Path

from legalaid.database import get_database
from tests.browser.conftest import LiveServer, sign_in
from tests.case_factories import make_case
from tests.document_factories import minimal_pdf
from tests.factories import create_clinic, create_user


def test_a_lawyer_keeps_and_writes_documents_and_a_manager_deletes_one(
    live_server: LiveServer, browser: Browser, page: Page, tmp_path: Path
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        clinic = create_clinic(session)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        manager = create_user(session, "manager", clinic=clinic)
        case_ = make_case(
            session,
            lawyer,
            full_name="Synthetic Nərmin Əliyeva",
            respondents=(("Synthetic Rauf Əliyev", "intimate_partner"),),
            address="Synthetic küçə 5",
        )
        session.commit()
        case_id = case_.id
        credentials = {
            "lawyer": (lawyer.email, str(lawyer.totp_secret)),
            "manager": (manager.email, str(manager.totp_secret)),
        }
    certificate = tmp_path / "tibbi arayış.pdf"
    certificate.write_bytes(minimal_pdf("Synthetic injuries"))

    sign_in(page, live_server.url, *credentials["lawyer"])
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.get_by_text("Add documents").click()
    page.locator("#document-kind").select_option("medical_certificate")
    page.locator("#document-files").set_input_files(str(certificate))
    page.get_by_role("button", name="Save the documents").click()
    page.wait_for_load_state()
    assert "1 document saved." in page.content()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").first.click()
    saved = tmp_path / "downloaded.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == certificate.read_bytes()

    page.get_by_role("button", name="Write a letter").click()
    page.wait_for_url("**/documents/letter")
    page.locator("#letter").select_option("protection_order")
    page.locator("#language").select_option("az")
    page.locator("#court").fill("Synthetic Nəsimi rayon məhkəməsi")
    page.locator("#facts").fill("Synthetic: threats and a blow on 1 December.")
    page.get_by_role("button", name="Write and save the letter").click()
    page.wait_for_load_state()
    assert "The letter was saved among the case's documents." in page.content()
    page.goto(f"{live_server.url}/cases/{case_id}")
    assert "protection_order-az.docx" in page.content()

    context = browser.new_context(locale="en-GB")
    manager_page = context.new_page()
    manager_page.set_default_timeout(10_000)
    try:
        sign_in(manager_page, live_server.url, *credentials["manager"])
        manager_page.goto(f"{live_server.url}/cases/{case_id}")
        manager_page.get_by_role("link", name="tibbi arayış.pdf").click()
        manager_page.locator("summary", has_text="Delete the document").click()
        manager_page.get_by_label("Why is it deleted?").fill("Synthetic: a duplicate scan")
        manager_page.get_by_role("button", name="Delete the document").click()
        manager_page.wait_for_load_state()
        content = manager_page.content()
        assert "content was destroyed" in content
        assert "Synthetic: a duplicate scan" in content
    finally:
        context.close()
