from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from legalaid.database import get_database
from legalaid.factory import create_app
from legalaid.i18n import LANGUAGE_COOKIE
from legalaid.settings import Settings
from tests.helpers import csrf_token, post_form


def test_healthz_checks_the_database(client: FlaskClient) -> None:
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok", "database": "ok", "instance": "ok"}
    assert client.get("/livez").get_json() == {"status": "ok"}


def test_healthz_fails_when_the_database_refuses_writes(app: Flask, client: FlaskClient) -> None:
    """A disk full or read-only database still answers SELECT 1: healthz must write."""
    engine = get_database(app).engine

    def refuse_writes(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT"):
            raise OperationalError(statement, {}, Exception("database or disk is full"))

    event.listen(engine, "before_cursor_execute", refuse_writes)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", refuse_writes)
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
    assert "disk" not in response.get_data(as_text=True)


def test_healthz_fails_when_the_instance_folder_is_not_writable(
    shared_settings: Settings, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    app = create_app(dataclasses.replace(shared_settings, instance_path=blocked))
    try:
        response = app.test_client().get("/healthz")
    finally:
        get_database(app).engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": "ok",
        "instance": "unavailable",
    }


def test_layout_has_landmarks_and_local_assets_only(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    for landmark in ("<header", "<nav", "<main", "<footer", 'lang="en"'):
        assert landmark in html
    assert "/static/vendor/pico/pico.min.css" in html
    # No third-party request: every src/href is local.
    assert "http://" not in html
    assert "https://" not in html
    with client.get("/static/vendor/pico/pico.min.css") as css:
        assert css.status_code == 200


@pytest.mark.parametrize(
    ("language", "not_found"),
    [("en", "Page not found"), ("az", "Səhifə tapılmadı"), ("ru", "Страница не найдена")],
)
def test_unknown_url_gives_the_translated_404_page(
    client: FlaskClient, language: str, not_found: str
) -> None:
    client.set_cookie(LANGUAGE_COOKIE, language)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert not_found in html
    assert f'lang="{language}"' in html


def test_unhandled_error_gives_a_generic_500_without_details(
    own_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app = own_app  # a route is added: an app that has served no request yet
    secret_detail = "Məmmədova Leyla +994501234567"

    @app.get("/__boom")
    def boom() -> str:
        raise RuntimeError(secret_detail)

    app.extensions["legalaid.policies"].access.endpoints["boom"] = "public"

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/__boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html
    assert secret_detail not in html
    # The log says where it failed, but never the exception's message.
    assert "RuntimeError" in caplog.text
    assert secret_detail not in caplog.text


def test_post_without_csrf_token_is_refused_with_400(client: FlaskClient) -> None:
    response = client.post("/language", data={"language": "az", "next": "/"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert LANGUAGE_COOKIE not in response.headers.get("Set-Cookie", "")


def test_switching_language_is_remembered(client: FlaskClient) -> None:
    response = post_form(client, "/language", {"language": "az", "next": "/"}, page="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert 'lang="az"' in html
    assert "Pulsuz hüquqi yardım klinikaları" in html
    post_form(client, "/language", {"language": "ru", "next": "/"}, page="/")
    html = client.get("/").get_data(as_text=True)
    assert "Бесплатные юридические клиники" in html


def test_language_switch_refuses_unknown_language_and_foreign_redirect(client: FlaskClient) -> None:
    token = csrf_token(client)
    bad = client.post("/language", data={"language": "xx", "csrf_token": token})
    assert bad.status_code == 400
    away = client.post(
        "/language", data={"language": "ru", "next": "https://evil.example/", "csrf_token": token}
    )
    assert away.headers["Location"] == "/"


def test_accept_language_picks_the_first_page_language(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(as_text=True)
    assert 'lang="ru"' in html


def test_dates_are_formatted_for_the_locale(client: FlaskClient) -> None:

    import re

    from babel.dates import format_date

    from legalaid.calendar import today as clinic_today

    today = clinic_today()
    for language in ("en", "az", "ru"):
        client.set_cookie(LANGUAGE_COOKIE, language)
        html = client.get("/").get_data(as_text=True)
        # CLDR's long date, without the Russian year abbreviation ("2026 г.") that doubled
        # a sentence's full stop.
        expected = re.sub(r"\s*г\.$", "", format_date(today, "long", locale=language))
        assert expected in html
