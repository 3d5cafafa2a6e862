"""The empty forms' fields are rendered once and kept (legalaid/kept_fields.py, issue 15).

What is kept must be what would have been rendered: every part of the key is changed here
once, alone, and the page must show the change (a key that forgot it would show the HTML
kept for the other value). Forms posted back, forms with errors and anything holding a
CSRF token are never kept. On the case page: each user sees herself chosen as the task's
assignee, a new lawyer and a new provider appear at once, and the language is the page's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import update
from sqlalchemy.orm import Session
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from legalaid.accounts.models import User
from legalaid.kept_fields import KeptFields, mark_empty
from legalaid.providers.services import create_provider
from legalaid.webforms import AppForm
from tests.case_factories import make_case
from tests.factories import create_user, sign_in

BODY = (
    '{% from "_forms.html" import field %}'
    "{% call kept_fields(kind, form) %}{{ kind }}|{{ field(form.name) }}{{ field(form.choice) }}"
    "{% if form.when %}{{ field(form.when) }}{% endif %}"
    "|{{ form.name.description }}{% endcall %}"
)


class _Form(AppForm):
    name = StringField("Name")
    choice = SelectField("Choice", choices=[SelectChoice("a", "First")])
    when = DateField("When")


def _render(app: Flask, kept: KeptFields, form: Any, kind: str = "one") -> str:
    return app.jinja_env.from_string(BODY).render(kept_fields=kept, form=form, kind=kind)


def _empty(**kw: Any) -> _Form:
    return mark_empty(_Form(formdata=None, meta={"csrf": False}, **kw))  # type: ignore[no-any-return]


def _choices(form: _Form) -> None:
    form.choice.choices = [SelectChoice("a", "First"), SelectChoice("b", "Second")]


def _data(form: _Form) -> None:
    form.name.data = "Leyla"


def _raw_data(form: _Form) -> None:
    form.when.raw_data = ["2026-13-01"]  # typed, not a date: shown as typed


def _field_id(form: _Form) -> None:
    form.name.id = "client-name"


def _field_name(form: _Form) -> None:
    form.name.name = "client_name"


def _label(form: _Form) -> None:
    form.name.label.text = "Full name"


def _flags(form: _Form) -> None:
    form.name.flags.required = True


def _render_kw(form: _Form) -> None:
    form.name.render_kw = {"autocomplete": "off"}


def _description(form: _Form) -> None:
    form.name.description = "As on her identity card"


def _option_label(form: _Form) -> None:
    form.choice.choices = [SelectChoice("a", "Renamed")]


def _selected(form: _Form) -> None:
    form.choice.data = "a"


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (_choices, 'value="b"'),
        (_option_label, "Renamed"),
        (_selected, '<option selected value="a">'),
        (_data, 'value="Leyla"'),
        (_raw_data, 'value="2026-13-01"'),
        (_field_id, 'id="client-name"'),
        (_field_name, 'name="client_name"'),
        (_label, "Full name"),
        (_flags, 'aria-hidden="true">*'),
        (_render_kw, 'autocomplete="off"'),
        (_description, "As on her identity card"),
    ],
)
def test_each_part_of_the_key_changes_what_is_shown(
    app: Flask, change: Callable[[_Form], None], shown: str
) -> None:
    kept = KeptFields()
    with app.test_request_context():
        first = _render(app, kept, _empty())
        assert shown not in first
        changed = _empty()
        change(changed)
        assert shown in _render(app, kept, changed)
        assert _render(app, kept, _empty()) == first
    assert len(kept) == 2


def test_the_field_ids_and_the_kind_are_part_of_the_key(app: Flask) -> None:
    kept = KeptFields()
    with app.test_request_context():
        plain = _render(app, kept, _empty())
        prefixed = _render(app, kept, _empty(prefix="task"))
        assert 'id="name"' in plain
        assert 'id="task-name"' in prefixed
        assert _render(app, kept, _empty(), kind="two").startswith("two|")
        assert _render(app, kept, _empty()) == plain


class _Longer(AppForm):
    name = TextAreaField("Name")
    choice = SelectField("Choice", choices=[SelectChoice("a", "First")])
    when = DateField("When")


def test_the_type_of_a_field_is_part_of_the_key(app: Flask) -> None:
    kept = KeptFields()
    with app.test_request_context():
        assert "<textarea" not in _render(app, kept, _empty())
        longer = mark_empty(_Longer(formdata=None, meta={"csrf": False}))
        assert "<textarea" in _render(app, kept, longer)


def test_the_language_is_part_of_the_key(app: Flask) -> None:
    kept = KeptFields()

    class Required(AppForm):
        name = StringField("Name")
        choice = SelectField("Choice", choices=[SelectChoice("a", "First")])

    with app.test_request_context():
        with force_locale("az"):
            form = mark_empty(Required(formdata=None, meta={"csrf": False}))
            form.name.errors = []
            az = app.jinja_env.from_string(
                "{% call kept_fields('x', form) %}{{ _('Save the note') }}{% endcall %}"
            ).render(kept_fields=kept, form=form)
        en = app.jinja_env.from_string(
            "{% call kept_fields('x', form) %}{{ _('Save the note') }}{% endcall %}"
        ).render(kept_fields=kept, form=form)
    assert en == "Save the note"
    assert az != en


def test_a_posted_form_or_a_form_with_errors_is_never_kept(app: Flask) -> None:
    kept = KeptFields()
    with app.test_request_context():
        posted = _Form(formdata=None, meta={"csrf": False})  # not built empty by a page
        posted.name.data = "typed"
        assert 'value="typed"' in _render(app, kept, posted)
        refused = _empty()
        refused.name.errors = ["Too long."]
        assert "Too long." in _render(app, kept, refused)
        assert len(kept) == 0
        assert "Too long." not in _render(app, kept, _empty())


def test_a_body_holding_the_csrf_token_is_not_kept(app: Flask) -> None:
    kept = KeptFields()
    template = app.jinja_env.from_string(
        "{% call kept_fields('x', form) %}{{ csrf_token() }}{% endcall %}"
    )
    with app.test_request_context():
        first = template.render(kept_fields=kept, form=_empty())
    with app.test_request_context():
        second = template.render(kept_fields=kept, form=_empty())
    assert first != second
    assert len(kept) == 0


def test_the_store_is_bounded(app: Flask) -> None:
    kept = KeptFields(limit=2)
    with app.test_request_context():
        for value in ("a", "b", "c"):
            form = _empty()
            form.name.data = value
            _render(app, kept, form)
    assert len(kept) == 2


def _assignee_select(html: str) -> str:
    start = html.index('name="task-assignee_id"')
    return html[start : html.index("</select>", start)]


def test_on_the_case_page_each_user_sees_her_own_choices(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    colleague = create_user(session, "manager", clinic=lawyer.clinic)
    case_ = make_case(session, lawyer)
    page = f"/cases/{case_.id}"
    seen: dict[str, str] = {}
    for user in (lawyer, colleague):
        client = app.test_client()
        sign_in(client, app, user, session=session)
        client.get(page)
        seen[user.full_name] = _assignee_select(client.get(page).get_data(as_text=True))
    # Each is the task's assignee by default: the kept select is not the other's.
    for user in (lawyer, colleague):
        assert (
            f'<option selected value="{user.id}">{user.full_name}</option>' in seen[user.full_name]
        )
    assert seen[lawyer.full_name] != seen[colleague.full_name]

    # A manager who joins the clinic and a provider put in use appear at once.
    newcomer = create_user(session, "manager", clinic=lawyer.clinic)
    create_provider(
        session,
        name="Shelter Newly Listed",
        service_type="shelter",
        economic_region="baku",
        contact="",
        by=lawyer.id,
    )
    session.commit()
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    html = client.get(page).get_data(as_text=True)
    assert newcomer.full_name in _assignee_select(html)
    assert "Shelter Newly Listed" in html

    # The same case in Azerbaijani: the kept fields are in her language.
    session.execute(update(User).where(User.id == lawyer.id).values(preferred_language="az"))
    session.commit()
    az = client.get(page).get_data(as_text=True)
    with app.test_request_context(), force_locale("az"):
        task_label = gettext("Task")
    assert task_label != "Task"
    assert f'for="task-description">{task_label} ' in az
    assert 'for="task-description">Task ' in html


def test_a_vocabulary_select_is_kept_per_language(app: Flask) -> None:
    """A vocabulary's select is keyed on its (static) choices callable and the language:
    the options are those of the page's language, not of the first page kept."""
    from legalaid.vocabulary.casework import LEGAL_SERVICES
    from legalaid.vocabulary.forms import code_select

    class Vocab(AppForm):
        service = code_select("Service", LEGAL_SERVICES)  # the same label in every language

    kept = KeptFields()
    template = app.jinja_env.from_string(
        "{% call kept_fields('service', form) %}{{ form.service() }}{% endcall %}"
    )
    shown: dict[str, set[str]] = {}
    for language in ("en", "az", "en"):
        with app.test_request_context(), force_locale(language):
            form = mark_empty(Vocab(formdata=None, meta={"csrf": False}))
            shown.setdefault(language, set()).add(template.render(kept_fields=kept, form=form))
            uncached = Vocab(formdata=None, meta={"csrf": False})
            assert shown[language] == {str(uncached.service())}
    assert shown["en"] != shown["az"]
    assert len(kept) == 2
