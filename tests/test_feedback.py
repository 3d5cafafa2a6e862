"""Anonymous client feedback: a one-time code, a public form, counts a manager may see."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.database import get_database
from legalaid.factory import create_app
from legalaid.feedback.models import (
    FeedbackAnswer,
    FeedbackCode,
    FeedbackResponse,
    FeedbackThrottle,
)
from legalaid.feedback.services import quarter_code
from legalaid.feedback.throttle import WrongCodeThrottle
from tests.case_factories import make_case
from tests.conftest import make_settings
from tests.factories import create_user, sign_in
from tests.helpers import csrf_token

_CODE = re.compile(r'class="slip-code" lang="en">([0-9A-Z]{5}-[0-9A-Z]{5})<')
ADDRESS = "203.0.113.77"
WRONG = "This code does not work: it may be mistyped, already used or too old."


def _slip(app: Flask, session: Session, lawyer=None):
    lawyer = lawyer or create_user(session, "lawyer")
    case = make_case(session, lawyer)
    staff = app.test_client()
    sign_in(staff, app, lawyer, session=session)
    token = csrf_token(staff, f"/cases/{case.id}")
    response = staff.post(f"/cases/{case.id}/feedback-code", data={"csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    match = _CODE.search(html)
    assert match, html[:2000]
    return match.group(1), case, html


def _anonymous(app: Flask, address: str = ADDRESS) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _answer(client: FlaskClient, code: str, **answers: str):
    token = csrf_token(client, "/feedback")
    data = {"csrf_token": token, "code": code, "satisfaction": "5", **answers}
    return client.post("/feedback", data=data)


def _responses(session: Session) -> list[FeedbackResponse]:
    session.expire_all()
    return list(session.scalars(select(FeedbackResponse).order_by(FeedbackResponse.id)))


def test_a_lawyer_prints_a_slip_and_only_a_keyed_hash_of_the_code_is_stored(
    app: Flask, session: Session
) -> None:
    code, case, html = _slip(app, session)
    assert "/feedback" in html
    assert "<svg" in html
    assert "Back to case" in html
    assert case.client.number not in html.split("feedback-slip", 1)[1]
    rows = session.scalars(select(FeedbackCode).where(FeedbackCode.clinic_id == case.clinic_id))
    stored = list(rows)
    assert len(stored) == 1
    assert stored[0].category == case.category
    plain = code.replace("-", "")
    assert plain not in stored[0].code_key
    assert code not in stored[0].code_key
    assert stored[0].expires_on == today() + timedelta(days=60)
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "feedback.code_issued")
    ).one()
    assert entry.object_type == "clinic"
    assert entry.object_id == str(case.clinic_id)


def test_anonymous_answer_works_once_and_cannot_be_tied_to_the_case(
    app: Flask, session: Session
) -> None:
    code, case, _ = _slip(app, session)
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    client = _anonymous(app)
    assert client.get("/feedback").status_code == 200
    typed = code.lower().replace("-", " ")  # as a client might type it
    response = _answer(
        client, typed, respected="yes", felt_safe="partly", comment="Synthetic: kind staff"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    assert "Your answers are saved." in response.get_data(as_text=True)
    [saved] = _responses(session)
    # random, not a sequence
    assert len(saved.id) == 32
    assert int(saved.id, 16) >= 0
    assert (saved.clinic_id, saved.category, saved.quarter) == (
        case.clinic_id,
        case.category,
        quarter_code(today()),
    )
    answers = dict(
        session.execute(
            select(FeedbackAnswer.question, FeedbackAnswer.answer).where(
                FeedbackAnswer.response_id == saved.id
            )
        ).all()
    )
    assert answers == {"satisfaction": "5", "respected": "yes", "felt_safe": "partly"}
    assert saved.comment == "Synthetic: kind staff"
    # Nothing joins the answer to a case or a client, a time or an address.
    bind = inspect(session.get_bind())
    columns = {c["name"] for c in bind.get_columns("feedback_response")}
    assert columns == {"id", "clinic_id", "quarter", "category", "comment"}
    assert {c["name"] for c in bind.get_columns("feedback_answer")} == {
        "response_id",
        "question",
        "answer",
    }
    raw = session.execute(text("SELECT comment FROM feedback_response")).scalar_one()
    assert "kind staff" not in raw
    assert session.scalar(select(func.count()).select_from(FeedbackCode)) == 0
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
    addresses = session.scalars(select(AuditEntry.client_address)).all()
    assert ADDRESS not in addresses

    again = _answer(client, code, comment="second try")
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    # what she typed is kept
    assert WRONG in html
    assert "second try" in html
    assert len(_responses(session)) == 1


def test_used_expired_and_mistyped_codes_get_the_same_answer(app: Flask, session: Session) -> None:
    used, _, _ = _slip(app, session)
    expired, _, _ = _slip(app, session)
    session.execute(update(FeedbackCode).values(expires_on=today() - timedelta(days=1)))
    session.commit()
    client = _anonymous(app)
    first = _answer(client, used)
    assert first.status_code == 400  # expired by the update above too
    pages = []
    for code in (used, expired, "ZZZZZ-ZZZZZ"):
        response = _answer(client, code)
        body = re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))
        body = re.sub(r'nonce="[^"]*"', "", body)
        pages.append((response.status_code, body))
    assert pages[0] == pages[1] == pages[2]
    assert WRONG in pages[0][1]
    assert _responses(session) == []


def test_bad_input_is_shown_and_the_code_is_not_used(app: Flask, session: Session) -> None:
    code, _, _ = _slip(app, session)
    client = _anonymous(app)
    token = csrf_token(client, "/feedback")
    response = client.post(
        "/feedback", data={"csrf_token": token, "code": code, "comment": "Kept words"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose one answer." in html
    assert "Kept words" in html
    assert _answer(client, code, satisfaction="9").status_code == 400
    assert _answer(client, code, comment="x" * 2001).status_code == 400
    assert session.scalar(select(func.count()).select_from(FeedbackCode)) == 1
    assert _answer(client, code).status_code == 200


def test_without_csrf_nothing_is_saved(app: Flask, session: Session) -> None:
    code, _, _ = _slip(app, session)
    response = _anonymous(app).post("/feedback", data={"code": code, "satisfaction": "4"})
    assert response.status_code == 400
    assert _responses(session) == []


def test_a_flood_of_wrong_codes_is_refused(app: Flask, session: Session) -> None:
    code, _, _ = _slip(app, session)
    app.extensions["legalaid.feedback_throttle"] = WrongCodeThrottle(3, 1000)
    client = _anonymous(app)
    for n in range(3):
        assert _answer(client, f"AAAAA-AAAA{n}").status_code == 400
    refused = _answer(client, code)
    assert refused.status_code == 429
    assert "Wait an hour" in refused.get_data(as_text=True)
    assert _responses(session) == []
    # Another address is not held back by this one.
    other = _anonymous(app, "198.51.100.9")
    assert _answer(other, code).status_code == 200


def test_the_throttle_forgets_after_an_hour_and_caps_everyone(session: Session) -> None:
    throttle = WrongCodeThrottle(2, 3)
    hour = 3600.0 * 500_000  # the counts are kept per clock hour
    throttle.wrong(session, "192.0.2.1", now=hour + 10)
    throttle.wrong(session, "192.0.2.1", now=hour + 20)
    assert throttle.blocked(session, "192.0.2.1", now=hour + 30)
    assert not throttle.blocked(session, "192.0.2.2", now=hour + 30)
    # Half an hour into the next hour, half of the last hour's two still count: one.
    assert not throttle.blocked(session, "192.0.2.1", now=hour + 5400)
    throttle.wrong(session, "192.0.2.3", now=hour + 7300)
    throttle.wrong(session, "192.0.2.4", now=hour + 7310)
    throttle.wrong(session, "192.0.2.5", now=hour + 7320)
    assert throttle.blocked(session, "192.0.2.6", now=hour + 7330)  # three in all: everyone
    # No address is stored, only keyed hashes of hour and address; old hours are gone.
    rows = session.execute(select(FeedbackThrottle.hour, FeedbackThrottle.key)).all()
    assert {h for h, _ in rows} == {500_002}
    assert not any("192.0.2" in key for _, key in rows)
    assert len({key for _, key in rows}) == 4  # three addresses and everyone


def test_the_throttle_holds_across_server_processes(
    migrated_database_url: str, tmp_path: Path
) -> None:
    """Two app instances on one database, as two gunicorn workers: wrong codes typed at
    one count at the other."""
    settings = make_settings(migrated_database_url, tmp_path)
    first, second = create_app(settings), create_app(settings)
    for worker in (first, second):
        worker.extensions["legalaid.feedback_throttle"] = WrongCodeThrottle(2, 1000)
    try:
        at_first, at_second = _anonymous(first), _anonymous(second)
        assert _answer(at_first, "AAAAA-AAAA1").status_code == 400
        assert _answer(at_second, "AAAAA-AAAA2").status_code == 400
        for worker_client in (at_first, at_second):
            refused = _answer(worker_client, "AAAAA-AAAA3")
            assert refused.status_code == 429
            assert "Wait an hour" in refused.get_data(as_text=True)
        assert _answer(_anonymous(second, "198.51.100.9"), "AAAAA-AAAA4").status_code == 400
        with get_database(first).engine.connect() as connection:
            keys = connection.execute(select(FeedbackThrottle.key, FeedbackThrottle.wrong)).all()
        assert sorted(n for _, n in keys) == [1, 2, 3]  # her two, the other's one, all three
        assert not any(ADDRESS in key or "198.51" in key for key, _ in keys)
    finally:
        for worker in (first, second):
            get_database(worker).engine.dispose()


def test_the_form_speaks_azerbaijani(app: Flask) -> None:
    client = _anonymous(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "az"
    html = client.get("/feedback").get_data(as_text=True)
    assert 'lang="az"' in html
    assert "Tell the clinic what you think" not in html
    assert "Overall, how satisfied" not in html


def _answers(app: Flask, session: Session, lawyer, values: list[str]) -> None:
    case = make_case(session, lawyer)
    staff = app.test_client()
    sign_in(staff, app, lawyer, session=session)
    for n, value in enumerate(values):
        token = csrf_token(staff, f"/cases/{case.id}")
        slip = staff.post(f"/cases/{case.id}/feedback-code", data={"csrf_token": token})
        found = _CODE.search(slip.get_data(as_text=True))
        assert found
        code = found.group(1)
        client = _anonymous(app, f"192.0.2.{n + 1}")
        comment = f"Synthetic comment {n}" if n < 2 else ""
        assert _answer(client, code, satisfaction=value, comment=comment).status_code == 200


def test_a_manager_sees_counts_only_from_five_answers_with_small_ones_hidden(
    app: Flask, session: Session
) -> None:
    manager = create_user(session, "manager")
    lawyer = create_user(session, "lawyer", clinic=manager.clinic)
    other_lawyer = create_user(session, "lawyer")  # another clinic's answers never count
    _answers(app, session, other_lawyer, ["1"] * 6)
    _answers(app, session, lawyer, ["5", "5", "5", "5"])
    second_lawyer = create_user(session, "lawyer", clinic=manager.clinic)
    staff = app.test_client()
    sign_in(staff, app, manager, session=session)
    html = staff.get("/feedback/results").get_data(as_text=True)
    assert "Fewer than 5 answers so far in this period" in html
    assert "Synthetic comment" not in html

    _answers(app, session, second_lawyer, ["5", "5", "4"])
    html = staff.get("/feedback/results").get_data(as_text=True)
    assert "7 answers" in html
    assert "Fewer than" not in html
    satisfaction = html.split("Overall, how satisfied", 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<th scope="row">([^<]+)</th><td>(.*?)</td>', satisfaction)
    shown = {label: value for label, value in cells}
    assert "not shown" in shown["4 — satisfied"]  # one answer: hidden
    assert "not shown" in shown["5 — very satisfied"]  # the complement: 7 - 6 would tell
    assert shown["1 — very dissatisfied"] == "0"  # the other clinic's six never count
    assert "Synthetic comment 0" in html
    assert "Synthetic comment 1" in html
    assert session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "feedback.results_viewed")
    ).first()


def test_lawyers_and_anonymous_cannot_see_results(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    assert client.get("/feedback/results").status_code == 403
    assert app.test_client().get("/feedback/results").status_code in (302, 401)


def test_another_clinics_case_gives_no_code(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    case = make_case(session, lawyer)
    outsider = create_user(session, "manager")
    client = app.test_client()
    sign_in(client, app, outsider, session=session)
    token = csrf_token(client, "/feedback/results")
    assert (
        client.post(f"/cases/{case.id}/feedback-code", data={"csrf_token": token}).status_code
        == 404
    )
    assert session.scalar(select(func.count()).select_from(FeedbackCode)) == 0
    assert get_database(app)


def test_the_satisfaction_indicator_counts_the_answers_of_the_quarter(
    app: Flask, session: Session
) -> None:
    from legalaid.indicators.measures import NATIONAL, Scope
    from legalaid.indicators.periods import period_of_code
    from legalaid.releases.compute import compute_tables

    lawyer = create_user(session, "lawyer")
    _answers(app, session, lawyer, ["5", "4", "3", "1", "5", "2"])
    found = app.extensions["legalaid.policies"]
    la11 = found.indicators.get("LA11")
    assert la11 is not None
    assert la11.unit == "share"
    assert la11.targets.example
    this_quarter = period_of_code(quarter_code(today()))
    for scope in (NATIONAL, Scope(clinic_id=lawyer.clinic_id)):
        tables = {
            table.measure: table
            for table in compute_tables(
                session, found.indicators, found.disclosure, this_quarter, scope
            )
            if table.measure.startswith("feedback_") and not table.dimensions
        }
        total = tables["feedback_answers"].values[()]
        satisfied = tables["feedback_satisfied"].values[()]
        if scope is NATIONAL:
            assert total >= 6
            assert satisfied >= 3
        else:
            assert (total, satisfied) == (6, 3)


def _policy_data() -> dict[str, object]:
    import tomllib

    from legalaid.policy.loader import SHIPPED_POLICY_DIR

    return tomllib.loads((SHIPPED_POLICY_DIR / "feedback.toml").read_text(encoding="utf-8"))


def test_the_questions_come_from_the_policy_and_a_bad_policy_stops_start_up(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    import pytest

    from legalaid.errors import StartupError
    from legalaid.feedback.forms import feedback_form
    from legalaid.feedback.policy import FeedbackPolicy
    from legalaid.feedback.services import Answers, issue_code, submit_answers
    from legalaid.policy.loader import SHIPPED_POLICY_DIR, load_policy

    data = _policy_data()
    questions = data["question"]
    assert isinstance(questions, list)
    questions.append(
        {
            "code": "waited",
            "text": {
                "en": "Synthetic: did you wait long?",
                "az": "Çox gözlədiniz?",
                "ru": "Долго?",
            },
            "answers": [
                {"code": "long", "text": {"en": "Long", "az": "Uzun", "ru": "Долго"}},
                {"code": "short", "text": {"en": "Short", "az": "Qısa", "ru": "Недолго"}},
            ],
        }
    )
    policy = FeedbackPolicy.model_validate(data)
    with app.test_request_context("/feedback", headers={"Accept-Language": "ru"}):
        form = feedback_form(policy)
        assert form.question_fields[-1] == "waited"
        assert str(form["waited"].label.text) == "Долго?"
        assert [str(option.label.text) for option in form["useful"]] == ["Да", "Отчасти", "Нет"]
    lawyer = create_user(session, "lawyer")
    assert lawyer.clinic_id is not None
    with app.test_request_context("/feedback"):
        code = issue_code(
            session, clinic_id=lawyer.clinic_id, category="gbv", today=today(), policy=policy
        )
        submit_answers(
            session,
            code,
            Answers(chosen={"satisfaction": "4", "waited": "short", "unknown": "x"}),
            today=today(),
            policy=policy,
        )
    stored = session.execute(select(FeedbackAnswer.question, FeedbackAnswer.answer)).all()
    assert sorted(map(tuple, stored)) == [("satisfaction", "4"), ("waited", "short")]

    # Start-up refuses a file whose indicator names an answer the question does not offer,
    # a question without a Russian text, or a reserved question code.
    shipped = (SHIPPED_POLICY_DIR / "feedback.toml").read_text(encoding="utf-8")
    for n, (old, new) in enumerate(
        (
            ('satisfied = ["5", "4"]', 'satisfied = ["6"]'),
            ('text.ru = "В целом, насколько вы довольны полученной помощью?"\n', ""),
            ('code = "respected"', 'code = "comment"'),
        )
    ):
        assert old in shipped
        folder = tmp_path / str(n)
        folder.mkdir()
        (folder / "feedback.toml").write_text(shipped.replace(old, new), encoding="utf-8")
        with pytest.raises(StartupError, match=r"feedback\.toml"):
            load_policy(folder, "feedback.toml", FeedbackPolicy)
