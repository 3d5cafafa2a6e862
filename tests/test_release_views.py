"""Release pages and the indicator dashboard: scoping, making a release, what is shown.

A small fixed data set in 2026Q2 (a completed quarter): clinic A opens 7 cases, clinic
B opens 2. So the nation counts 9 cases, A's own release 7, and B's own release 2, a
count below k = 5 that must read "suppressed", never 0.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.casework.models import Hearing
from legalaid.clinics.models import Clinic
from legalaid.disclosure.audit import DisclosureRefusedError
from legalaid.releases import services
from legalaid.releases.frozen import FrozenRelease
from legalaid.releases.models import IndicatorRelease
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, sign_in
from tests.helpers import csrf_token, post_form
from tests.training_factories import make_training

QUARTER = "2026Q2"
IN_QUARTER = date(2026, 5, 4)


@dataclass
class World:
    clinic_a: Clinic
    clinic_b: Clinic
    manager_a: User
    manager_b: User
    lawyer_a: User
    lawyer_b: User
    task_force: User


def _release(
    app: Flask, session: Session, user: User, code: str = QUARTER, reason: str | None = None
) -> IndicatorRelease:
    policies = app.extensions["legalaid.policies"]
    release = services.create_release(
        session,
        catalogue=policies.indicators,
        policy=policies.disclosure,
        user=user,
        period_code=code,
        reason=reason,
        today=today(),
    )
    session.commit()
    return release


@pytest.fixture
def world(session: Session) -> World:
    clinic_a, clinic_b = create_clinic(session), create_clinic(session)
    lawyer_a = create_user(session, "lawyer", clinic=clinic_a)
    lawyer_b = create_user(session, "lawyer", clinic=clinic_b)
    for n in range(7):
        make_case(session, lawyer_a, on=IN_QUARTER + timedelta(days=n))
    for n in range(2):
        make_case(session, lawyer_b, on=IN_QUARTER + timedelta(days=n))
    return World(
        clinic_a=clinic_a,
        clinic_b=clinic_b,
        manager_a=create_user(session, "manager", clinic=clinic_a),
        manager_b=create_user(session, "manager", clinic=clinic_b),
        lawyer_a=lawyer_a,
        lawyer_b=lawyer_b,
        task_force=create_user(session, "task_force"),
    )


def _client(app: Flask, session: Session, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, app, user, session=session)
    return client


def _audit(session: Session, action: str) -> list[tuple[str | None, str]]:
    session.expire_all()
    rows = session.execute(
        select(AuditEntry.object_id, AuditEntry.outcome)
        .where(AuditEntry.action == action)
        .order_by(AuditEntry.seq)
    )
    return [(row[0], row[1]) for row in rows]


def _release_links(html: str) -> set[int]:
    return {int(found) for found in re.findall(r'href="/releases/(\d+)"', html)}


def _card(html: str, code: str) -> str:
    match = re.search(
        rf'<article class="indicator-card" aria-labelledby="card-{code}">(.*?)</article>',
        html,
        re.DOTALL,
    )
    assert match, f"no card for {code}"
    return match.group(1)


def _value(card: str) -> str:
    match = re.search(r'<p class="indicator-value[^"]*">(.*?)</p>', card, re.DOTALL)
    assert match
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _count(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(IndicatorRelease)) or 0)


# --- who sees what ---------------------------------------------------------------------------


def test_the_task_force_sees_national_releases_only(
    app: Flask, session: Session, world: World
) -> None:
    national = _release(app, session, world.task_force)
    clinic_a = _release(app, session, world.manager_a)
    client = _client(app, session, world.task_force)

    html = client.get("/releases").get_data(as_text=True)
    assert _release_links(html) == {national.id}
    assert world.task_force.full_name in html
    assert client.get(f"/releases/{national.id}").status_code == 200
    assert client.get(f"/releases/{clinic_a.id}").status_code == 404
    assert client.get(f"/indicators?release={clinic_a.id}").status_code == 404

    assert _audit(session, "release.listed") == [(None, "success")]
    assert _audit(session, "release.viewed") == [
        (str(national.id), "success"),
        (str(clinic_a.id), "denied"),
    ]
    assert _audit(session, "dashboard.viewed") == [(str(clinic_a.id), "denied")]


def test_a_manager_sees_her_clinics_releases_only(
    app: Flask, session: Session, world: World
) -> None:
    national = _release(app, session, world.task_force)
    own = _release(app, session, world.manager_a)
    other = _release(app, session, world.manager_b)
    client = _client(app, session, world.manager_a)

    assert _release_links(client.get("/releases").get_data(as_text=True)) == {own.id}
    assert client.get(f"/releases/{own.id}").status_code == 200
    missing = other.id + 1000
    for release_id in (national.id, other.id, missing):
        response = client.get(f"/releases/{release_id}")
        assert response.status_code == 404
        assert "<title>Page not found" in response.get_data(as_text=True)
    assert _audit(session, "release.viewed") == [
        (str(own.id), "success"),
        (str(national.id), "denied"),
        (str(other.id), "denied"),
        (str(missing), "denied"),
    ]
    # Her dashboard shows her clinic's release, not the nation's.
    html = client.get("/indicators").get_data(as_text=True)
    assert f'<option value="{own.id}" selected>' in html
    assert f'value="{national.id}"' not in html
    assert f'value="{other.id}"' not in html


@pytest.mark.parametrize("role", ["lawyer", "admin"])
def test_lawyers_and_admins_reach_no_release_route(
    app: Flask, session: Session, world: World, role: str
) -> None:
    national = _release(app, session, world.task_force)
    own = _release(app, session, world.manager_a)
    user = world.lawyer_a if role == "lawyer" else create_user(session, "admin")
    client = _client(app, session, user)
    for url in (
        "/indicators",
        "/releases",
        "/releases/new",
        f"/releases/{national.id}",
        f"/releases/{own.id}",
    ):
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/")
    response = client.post(
        "/releases/new", data={"csrf_token": token, "period": QUARTER, "confirmed": "yes"}
    )
    assert response.status_code == 403
    assert _count(session) == 2
    home = client.get("/").get_data(as_text=True)
    assert 'href="/indicators"' not in home
    assert 'href="/releases"' not in home


def test_the_nav_links_show_for_the_task_force_and_managers(
    app: Flask, session: Session, world: World
) -> None:
    for user in (world.task_force, world.manager_a):
        html = _client(app, session, user).get("/").get_data(as_text=True)
        assert 'href="/indicators"' in html
        assert 'href="/releases"' in html


# --- making a release --------------------------------------------------------------------------


def test_a_manager_releases_then_releases_again_with_a_reason(
    app: Flask, session: Session, world: World
) -> None:
    client = _client(app, session, world.manager_a)
    form = client.get("/releases/new").get_data(as_text=True)
    # Completed periods only, labelled readably; the quarter under way is not offered.
    assert '<option value="2026Q2">Quarter 2 of 2026 (April to June)</option>' in form
    assert 'value="2026Q3"' in form
    assert 'value="2025"' in form
    assert 'value="2025-2027"' in form
    assert 'value="2026Q4"' not in form
    assert 'value="2026"' not in form

    response = post_form(
        client, "/releases/new", {"period": QUARTER, "reason": "", "confirmed": "yes"}
    )
    assert response.status_code == 302
    first = session.scalars(select(IndicatorRelease)).one()
    assert (first.version, first.clinic_id, first.period_code) == (1, world.clinic_a.id, QUARTER)
    # The release is a job: its progress page, and once done, the release itself.
    progress = response.headers["Location"]
    assert re.search(r"/releases/jobs/\d+$", progress)
    done = client.get(progress)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/releases/{first.id}")
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Released: Quarter 2 of 2026 (April to June), version 1." in page

    # Again without a reason: refused beside the field, what she chose kept, nothing saved.
    response = post_form(
        client, "/releases/new", {"period": QUARTER, "reason": "  ", "confirmed": "yes"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'id="reason-error"[^>]*>(.*?)</small>', html, re.DOTALL)
    assert error
    assert "say why it is released again" in error.group(1)
    assert '<option selected value="2026Q2">' in html or 'value="2026Q2" selected' in html
    assert _count(session) == 1
    # The missing reason is said before the confirmation page, not after it.
    response = post_form(client, "/releases/new", {"period": QUARTER, "reason": ""})
    assert response.status_code == 400
    assert "say why it is released again" in response.get_data(as_text=True)
    assert 'name="confirmed"' not in response.get_data(as_text=True)

    response = post_form(
        client,
        "/releases/new",
        {"period": QUARTER, "reason": "Late intakes entered", "confirmed": "yes"},
    )
    assert response.status_code == 302
    session.expire_all()
    second = session.scalars(select(IndicatorRelease).where(IndicatorRelease.version == 2)).one()
    assert second.reason == "Late intakes entered"
    assert second.clinic_id == world.clinic_a.id
    listing = client.get("/releases").get_data(as_text=True)
    assert "Late intakes entered" in listing
    assert _release_links(listing) == {first.id, second.id}
    # The form now says the period was released, and which version is the latest.
    assert "(released: version 2)" in client.get("/releases/new").get_data(as_text=True)
    assert [outcome for _id, outcome in _audit(session, "release.created")] == [
        "success",
        "success",
    ]
    # Information loss: this version's hidden cells and share, beside the previous one's.
    page = client.get(f"/releases/{second.id}").get_data(as_text=True)
    share = f"{first.cells_suppressed * 100 / first.cells_total:.1f}"
    assert f"Previous version: {first.cells_suppressed} of {first.cells_total} ({share}%)" in page
    assert f"{second.cells_suppressed} of {second.cells_total} (" in page
    assert "Previous version" not in client.get(f"/releases/{first.id}").get_data(as_text=True)


def test_an_incomplete_period_is_refused_and_nothing_saved(
    app: Flask, session: Session, world: World
) -> None:
    client = _client(app, session, world.task_force)
    for code in ("2026Q4", "2026", "2031Q1", "anything"):
        response = post_form(
            client, "/releases/new", {"period": code, "reason": "", "confirmed": "yes"}
        )
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        error = re.search(r'id="period-error"[^>]*>(.*?)</small>', html, re.DOTALL)
        assert error
        assert "This period is not available for release." in error.group(1)
    response = post_form(client, "/releases/new", {"period": "", "reason": "", "confirmed": "yes"})
    assert response.status_code == 400
    assert _count(session) == 0


def test_a_refused_release_says_so_saves_nothing_and_is_audited(
    app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise DisclosureRefusedError("cases_opened 2026Q2 (total) pinned")

    monkeypatch.setattr(services, "protect", refuse)
    client = _client(app, session, world.task_force)
    response = post_form(
        client, "/releases/new", {"period": QUARTER, "reason": "typed reason", "confirmed": "yes"}
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "These numbers cannot be released safely" in html
    assert "Nothing was released." in html
    # A finished job's page no longer refreshes itself.
    assert 'http-equiv="refresh"' not in html
    # The detail may name another clinic's hidden cell: the operator's log only.
    assert "pinned" not in html
    assert "cases_opened" not in html
    assert _count(session) == 0
    assert _audit(session, "release.refused") == [(QUARTER, "failure")]
    # Back to the form: the period chosen and the reason typed are there, with why.
    back = re.search(r'href="(/releases/new\?job=\d+)"', html)
    assert back, "the job page leads back to the form"
    form = client.get(back.group(1)).get_data(as_text=True)
    assert re.search(r"<textarea[^>]*>\s*typed reason</textarea>", form)
    assert re.search(rf'<option (selected value="{QUARTER}"|value="{QUARTER}" selected)', form)
    assert "These numbers cannot be released safely" in form
    assert "Nothing was released." in form
    # What she typed is hers: another member of the task force gets an empty form.
    other = _client(app, session, create_user(session, "task_force"))
    theirs = other.get(back.group(1)).get_data(as_text=True)
    assert "typed reason" not in theirs
    assert "cannot be released safely" not in theirs


def test_a_release_made_meanwhile_says_so_and_saves_nothing(
    app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _release(app, session, world.task_force)
    # As if another member released the same version between the check and the save.
    monkeypatch.setattr(services, "next_version", lambda *_args: 1)
    client = _client(app, session, world.task_force)
    response = post_form(
        client, "/releases/new", {"period": QUARTER, "reason": "again", "confirmed": "yes"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else released this period a moment ago." in page
    assert _count(session) == 1


def test_a_form_without_its_csrf_token_is_refused(
    app: Flask, session: Session, world: World
) -> None:
    client = _client(app, session, world.task_force)
    response = client.post("/releases/new", data={"period": QUARTER, "confirmed": "yes"})
    assert response.status_code == 400
    assert _count(session) == 0


# --- the release page ----------------------------------------------------------------------------


def test_the_release_page_shows_every_table_with_suppressed_cells_marked(
    app: Flask, session: Session, world: World
) -> None:
    national = _release(app, session, world.task_force)
    client = _client(app, session, world.task_force)
    html = client.get(f"/releases/{national.id}").get_data(as_text=True)
    # The legend explains suppression with the release's own k.
    assert "a count from 1 to 4 (the smallest count shown is 5)" in html
    # LA02 by clinic: A = 7 and B = 2; B is below k, and A with it (the total shows 9).
    table = re.search(
        r"<caption>LA02 Cases opened, Q2 2026: by clinic</caption>(.*?)</table>", html, re.DOTALL
    )
    assert table, "the table of LA02 by clinic"
    body = table.group(1)
    for clinic in (world.clinic_a, world.clinic_b):
        row = re.search(rf"{clinic.code}\)</th>\s*<td[^>]*>(.*?)</td>", body, re.DOTALL)
        assert row, clinic.code
        assert "suppressed" in row.group(1), clinic.code
    total = re.search(r"Total</th>\s*<td[^>]*>(.*?)</td>", body, re.DOTALL)
    assert total
    assert total.group(1).strip() == "9"
    # A two-way crossing is a matrix: region rows by case-type columns.
    matrix = re.search(
        r"<caption>LA02 Cases opened, Q2 2026: by economic region and type of case</caption>"
        r"\s*<thead><tr>(.*?)</tr></thead>",
        html,
        re.DOTALL,
    )
    assert matrix
    assert matrix.group(1).count('scope="col"') > 3
    # A share: LA08 has no referrals, so 0 of 0 is undefined, not suppressed.
    assert "LA08" in html
    assert 'scope="row"' in html
    # Links to the downloads of this release, in each format.
    with app.test_request_context():
        for fmt in ("csv", "json", "dhis2"):
            assert url_for("exports.download", release_id=national.id, fmt=fmt) in html


# --- the dashboard -------------------------------------------------------------------------------


def test_the_task_force_dashboard_shows_cards_charts_and_tables_but_no_live_counts(
    app: Flask, session: Session, world: World
) -> None:
    national = _release(app, session, world.task_force)
    client = _client(app, session, world.task_force)
    response = client.get("/indicators")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    card = _card(html, "LA02")
    assert "Cases opened" in card
    assert _value(card) == "9"
    # A quarter of cases opened is compared with a quarter of the year's target (the
    # quarters add up to the year), not with the whole year's.
    assert "A quarter of the target for 2026 (350 ÷ 4): 87.5" in card
    assert "example target" in card
    assert '<progress max="87.5" value="9.0"' in card
    # Clients served counts people: the same client in several quarters, so a quarter has
    # no part of the year's target; the card says so instead of a misleading bar.
    clients = _card(html, "LA01")
    assert "<progress" not in clients
    assert "counts people over the whole year" in clients
    # The overview is the cards: the charts are on each indicator's own page, a link away.
    assert "<svg" not in html
    link = f'href="/indicators?release={national.id}&amp;indicator=LA02"'
    assert link in card
    html = client.get(f"/indicators?release={national.id}&indicator=LA02").get_data(as_text=True)
    assert "All indicators of this release" in html
    assert 'card-LA01"' not in html
    assert client.get(f"/indicators?release={national.id}&indicator=LA99").status_code == 404
    # A chart by quarter and one by type of case, each with its data table.
    assert re.search(
        r'<svg class="indicator-chart"[^>]*role="img"'
        r'[^>]*aria-labelledby="chart-LA02-category-title',
        html,
    )
    assert '<title id="chart-LA02-quarters-title">Cases opened, by quarter</title>' in html
    data = re.search(
        r"<caption>Data of the chart: Cases opened, by type of case</caption>(.*?)</table>",
        html,
        re.DOTALL,
    )
    assert data
    assert 'scope="row"' in data.group(1)
    assert 'scope="col"' in html
    # No live operational counts for the task force, ever.
    assert "Your clinic today" not in html
    assert "data-count=" not in html
    assert "style=" not in html.split("<body", 1)[1].replace('rel="stylesheet"', "")
    assert _audit(session, "dashboard.viewed") == [(str(national.id), "success")] * 2


def test_a_total_below_k_reads_suppressed_not_zero(
    app: Flask, session: Session, world: World
) -> None:
    own = _release(app, session, world.manager_b)
    client = _client(app, session, world.manager_b)
    html = client.get(f"/indicators?release={own.id}").get_data(as_text=True)
    card = _card(html, "LA02")
    assert _value(card) == "suppressed"
    assert "<progress" not in card
    # The reason is beside the value, not at the bottom of a long page.
    assert "Not shown, to protect the people counted: a count from 1 to 4" in card
    html = client.get(f"/indicators?release={own.id}&indicator=LA02").get_data(as_text=True)
    # The chart draws no bar for it, and its data table says "suppressed".
    svg = re.search(
        r'<svg class="indicator-chart"[^>]*chart-LA02-quarters-title.*?</svg>', html, re.DOTALL
    )
    assert svg
    assert "chart-bar" not in svg.group(0)
    assert "suppressed" in svg.group(0)
    data = re.search(
        r"<caption>Data of the chart: Cases opened, by quarter</caption>(.*?)</table>",
        html,
        re.DOTALL,
    )
    assert data
    cell = re.search(r"Q2 2026</th><td[^>]*>(.*?)</td>", data.group(1), re.DOTALL)
    assert cell
    assert "suppressed" in cell.group(1)
    assert ">0<" not in cell.group(1)
    # The release page too.
    page = client.get(f"/releases/{own.id}").get_data(as_text=True)
    total = re.search(
        r"<caption>LA02 Cases opened, Q2 2026: total</caption>.*?<td[^>]*>(.*?)</td>",
        page,
        re.DOTALL,
    )
    assert total
    assert "suppressed" in total.group(1)


def test_a_managers_dashboard_adds_her_clinics_live_counts(
    app: Flask, session: Session, world: World
) -> None:
    day = today()
    high = make_case(session, world.lawyer_a, risk="high", on=day - timedelta(days=20))
    make_case(session, world.lawyer_a, risk="high", on=day - timedelta(days=5))
    make_case(session, world.lawyer_a, open_it=False, on=day)  # an intake waiting
    for due, done in (
        (day - timedelta(days=1), False),  # overdue
        (day - timedelta(days=3), True),  # done: not overdue
        (day, False),  # coming up
        (day + timedelta(days=14), False),  # coming up, last day of the window
        (day + timedelta(days=15), False),  # beyond the window
    ):
        session.add(Hearing(case_id=high.id, kind="hearing", due_on=due, done=done))
    # Another clinic's work is never counted.
    other = make_case(session, world.lawyer_b, risk="high", on=day)
    session.add(Hearing(case_id=other.id, kind="hearing", due_on=day - timedelta(days=2)))
    session.commit()
    make_training(session, world.manager_a)
    make_training(session, world.manager_b)

    html = _client(app, session, world.manager_a).get("/indicators").get_data(as_text=True)
    assert "Your clinic today" in html
    counts = dict(re.findall(r'data-count="(\w+)">([^<]*)<', html))
    assert counts == {
        "not_closed": "10",  # 7 in the fixture, 2 high-risk, 1 intake
        "intakes_waiting": "1",
        "high_risk": "2",
        "overdue": "1",
        "coming_up": "2",
        "trainings_this_quarter": "1",
    }
    # Without any release yet she is told so (and offered to make one).
    assert "Nothing has been released yet." in html


def test_the_dashboard_chooses_the_latest_release_and_any_other_on_request(
    app: Flask, session: Session, world: World
) -> None:
    older = _release(app, session, world.task_force, "2026Q1")
    year = _release(app, session, world.task_force, "2025")
    latest = _release(app, session, world.task_force, QUARTER)
    client = _client(app, session, world.task_force)
    html = client.get("/indicators").get_data(as_text=True)
    assert f'<option value="{latest.id}" selected>' in html
    assert "Quarter 2 of 2026 (April to June)" in html
    html = client.get(f"/indicators?release={year.id}").get_data(as_text=True)
    assert f'<option value="{year.id}" selected>' in html
    assert "Target for 2025: 60" in _card(html, "LA02")
    assert _value(_card(html, "LA02")) == "0"
    assert f'value="{older.id}"' in html
    assert client.get("/indicators?release=abc").status_code == 404


def test_the_release_page_shows_one_period_at_a_time(
    app: Flask, session: Session, world: World
) -> None:
    year = _release(app, session, world.task_force, "2025")
    client = _client(app, session, world.task_force)
    html = client.get(f"/releases/{year.id}").get_data(as_text=True)
    assert "<caption>LA02 Cases opened, 2025: total</caption>" in html
    assert "Q3 2025: total</caption>" not in html
    assert f'href="/releases/{year.id}?period=2025Q3"' in html
    html = client.get(f"/releases/{year.id}?period=2025Q3").get_data(as_text=True)
    assert "<caption>LA02 Cases opened, Q3 2025: total</caption>" in html
    assert "2025: total</caption>" not in html.replace("Q3 2025: total", "")
    # An unknown period shows the release's own.
    html = client.get(f"/releases/{year.id}?period=2031Q9").get_data(as_text=True)
    assert "<caption>LA02 Cases opened, 2025: total</caption>" in html


def test_ids_that_no_record_can_have_answer_404_not_500(
    app: Flask, session: Session, world: World
) -> None:
    national = _release(app, session, world.task_force)
    client = _client(app, session, world.task_force)
    huge = "9" * 70
    for path in (
        f"/releases/{huge}",
        f"/releases/{huge}/export.csv",
        f"/releases/{2**31}",
        "/indicators?release=%C2%B2",  # "²" is a digit to str.isdigit, not to int()
        f"/indicators?release={huge}",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/releases/{national.id}").status_code == 200
    manager = _client(app, session, world.manager_a)
    assert manager.get(f"/cases/{huge}").status_code == 404


def test_a_release_stored_with_the_reasons_of_suppression_shows_only_suppressed(
    app: Flask, session: Session, world: World
) -> None:
    release = _release(app, session, world.task_force)
    data = json.loads(release.content)
    hidden = [
        (t, i)
        for t, table in enumerate(data["tables"])
        for i, s in enumerate(table["statuses"])
        if s != "published"
    ]
    assert hidden, "the fixed data set has suppressed cells"
    for t, i in hidden:
        data["tables"][t]["statuses"][i] = "primary"
    shown = FrozenRelease(json.dumps(data))
    assert {status for table in shown.tables for status in table.statuses.values()} == {
        "published",
        "suppressed",
    }
