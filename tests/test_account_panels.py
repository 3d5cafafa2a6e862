"""The account page's panels, registered by other features, fail closed (review L3).

A panel that raises is left out and logged without what it read; a panel whose feature is
missing leaves its section out; a role that may not use a panel never has it built; the
rest of the page is there in every case.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from legalaid.accounts import views as accounts_views
from legalaid.accounts.models import User
from legalaid.accounts.views import ACCOUNT_PANELS, AccountPanel
from legalaid.database import db_session
from tests.factories import create_user, sign_in

SECRET = "Aysel Gizlinova"


def _account_page(app: Flask, session: Session, role: str) -> tuple[int, str]:
    client = app.test_client()
    sign_in(client, app, create_user(session, role), session=session)
    response = client.get("/account")
    return response.status_code, response.get_data(as_text=True)


def _replace(monkeypatch: pytest.MonkeyPatch, name: str, build: accounts_views.PanelBuild) -> None:
    panel = ACCOUNT_PANELS[name]
    monkeypatch.setitem(ACCOUNT_PANELS, name, AccountPanel(name, panel.endpoint, build))


def test_both_panels_show_for_a_lawyer(app: Flask, session: Session) -> None:
    status, html = _account_page(app, session, "lawyer")
    assert status == 200
    assert 'id="reminders-heading"' in html
    assert 'id="feed-heading"' in html


def test_a_panel_that_raises_is_left_out_and_logged_without_what_it_read(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_user: User) -> Mapping[str, object]:
        raise RuntimeError(f"could not read the feed of {SECRET}")

    _replace(monkeypatch, "feeds", broken)
    with caplog.at_level(logging.ERROR):
        status, html = _account_page(app, session, "lawyer")
    assert status == 200
    assert 'id="feed-heading"' not in html
    # The rest of the page is there: the other panel, the account's own sections.
    assert 'id="reminders-heading"' in html
    assert "This session" in html
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged
    assert "'feeds'" in logged
    assert SECRET not in logged


def test_a_panel_whose_statement_fails_leaves_the_page_usable(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL a failed statement ends the transaction: the page's own reads after it
    # (the open sessions) must still work.
    def broken(_user: User) -> Mapping[str, object]:
        db_session().execute(text("SELECT no_such_column FROM user_session"))
        return {}

    _replace(monkeypatch, "reminders", broken)
    status, html = _account_page(app, session, "lawyer")
    assert status == 200
    assert 'id="reminders-heading"' not in html
    assert 'id="feed-heading"' in html
    assert "This session" in html


def test_a_missing_panel_leaves_its_section_out(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(ACCOUNT_PANELS, "reminders")
    status, html = _account_page(app, session, "lawyer")
    assert status == 200
    assert 'id="reminders-heading"' not in html
    assert 'id="feed-heading"' in html


def test_a_panel_is_never_built_for_a_role_that_may_not_use_it(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []

    def recording(name: str) -> accounts_views.PanelBuild:
        original = ACCOUNT_PANELS[name].build

        def build(user: User) -> Mapping[str, object]:
            built.append(f"{name}:{user.role}")
            return original(user)

        return build

    for name in ("reminders", "feeds"):
        _replace(monkeypatch, name, recording(name))
    for role in ("task_force", "admin"):
        status, html = _account_page(app, session, role)
        assert status == 200
        assert 'id="reminders-heading"' not in html
        assert 'id="feed-heading"' not in html
    assert built == []
    status, html = _account_page(app, session, "lawyer")
    assert status == 200
    assert sorted(built) == ["feeds:lawyer", "reminders:lawyer"]
