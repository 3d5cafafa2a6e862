"""The frame every page shares, made cheap (issue 15): what is kept must still be right.

The navigation's links are kept per role and language, the frame's CSRF inputs are written
without forms, the request's catalogue is kept in ``g``: each must give what it gave before.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from legalaid.page_frame import csrf_field
from legalaid.webforms import EmptyForm
from tests.factories import create_user, signed_in_client


def _nav(html: str) -> str:
    return html[html.index('<ul class="nav-pages">') : html.index('<ul class="nav-account">')]


def test_the_kept_links_follow_the_role_and_the_language(app: Flask, session: Session) -> None:
    lawyer = signed_in_client(app, session, create_user(session, "lawyer"))
    admin = signed_in_client(app, session, create_user(session, "admin"))
    lawyer_nav = _nav(lawyer.get("/cases/").get_data(as_text=True))
    admin_nav = _nav(admin.get("/admin/accounts").get_data(as_text=True))
    assert 'href="/cases/"' in lawyer_nav
    assert 'href="/admin/accounts"' not in lawyer_nav
    assert 'href="/admin/accounts"' in admin_nav
    assert 'href="/cases/intake"' not in admin_nav
    # Another lawyer who reads Azerbaijani: her links are not the English ones kept above.
    user = create_user(session, "lawyer")
    user.preferred_language = "az"
    session.flush()
    azerbaijani = signed_in_client(app, session, user)
    assert ">İşlər</a>" in _nav(azerbaijani.get("/cases/").get_data(as_text=True))
    assert ">Cases</a>" in _nav(lawyer.get("/cases/").get_data(as_text=True))
    # Signed out: no links at all, whatever was kept for the roles.
    assert 'href="/cases/"' not in _nav(app.test_client().get("/login").get_data(as_text=True))


def test_the_frame_csrf_input_is_the_one_a_form_renders(app: Flask) -> None:
    with app.test_request_context("/"):
        assert str(csrf_field()) == str(EmptyForm(formdata=None).csrf_token)


def test_the_kept_catalogue_follows_a_forced_or_changed_language(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "az"}):
        assert gettext("Cases") == "İşlər"
        with force_locale("ru"):
            assert gettext("Cases") != "İşlər"
            assert gettext("Cases") != "Cases"
        assert gettext("Cases") == "İşlər"
        with force_locale("en"):
            assert gettext("Cases") == "Cases"
        assert gettext("Cases") == "İşlər"
