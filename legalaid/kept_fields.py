"""The fields of a page's empty forms, rendered once and kept (issue 15).

A case page carries a dozen empty forms (add a note, a task, a hearing, a referral, a
document ...). Their fields are the same HTML on every case that offers the same choices,
in the same language: rendering them through the ``field`` macro and WTForms' widgets was
a quarter of the page's time. A template wraps the fields of a form (never its CSRF token,
nor anything but the form and translated text) in::

    {% call kept_fields("task", task_form) %}{{ field(task_form.description) }}...{% endcall %}

and the HTML is kept per key: the kind of form, the language and, field by field, what
WTForms renders from (id, name, type, label, data, raw data, choices, flags, attributes,
description). A form is kept only when the page built it empty (:func:`mark_empty`) and
it carries no error; a form posted back with what she typed is rendered as before. The
CSRF token stays outside the kept HTML and is written for each request; should it appear
in the body all the same, that body is not kept. The store is a bounded LRU per app.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date, datetime, time
from typing import Any, TypeVar

from flask import Flask
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectChoice

#: Kinds x languages x distinct choices (a clinic's lawyers, the providers in use).
KEPT_LIMIT = 512

_EMPTY = "_legalaid_built_empty"
_STATIC = "_legalaid_static_choices"
_F = TypeVar("_F", bound=Callable[..., Any])


def static_choices(choices: _F) -> _F:
    """Declare a ``choices`` callable whose options depend on the language only (a fixed
    vocabulary): the key holds the callable itself, not the options it would translate."""
    setattr(choices, _STATIC, True)
    return choices


class _UnkeepableError(Exception):
    """A value the key cannot hold faithfully: the form is rendered, not kept."""


def mark_empty(form: Any) -> Any:
    """Note that the page built ``form`` empty (not from a post): its fields may be kept."""
    setattr(form, _EMPTY, True)
    return form


def _freeze(value: Any) -> Hashable:
    if value is None or isinstance(value, str | int | float | bool | date | datetime | time):
        return (type(value).__name__, value)
    if isinstance(value, SelectChoice):
        return ("choice", *(_freeze(part) for part in value))
    if isinstance(value, list | tuple):
        return ("seq", *(_freeze(part) for part in value))
    if isinstance(value, dict):
        return ("map", *sorted((str(k), _freeze(v)) for k, v in value.items()))
    if type(value).__name__ == "LazyString":
        return ("str", str(value))
    raise _UnkeepableError(type(value).__name__)


def _choices(choices: Any) -> Hashable:
    """A select's choices as the key holds them: one tuple per option (the common case is a
    list of :class:`SelectChoice`, read without the generic walk of :func:`_freeze`)."""
    if choices is None or isinstance(choices, dict):
        return _freeze(choices)
    if not isinstance(choices, list | tuple):
        raise _UnkeepableError(type(choices).__name__)
    options: list[Hashable] = []
    for choice in choices:
        if isinstance(choice, SelectChoice) and isinstance(choice.value, str):
            options.append(
                (
                    choice.value,
                    str(choice.label),
                    None if choice.optgroup is None else str(choice.optgroup),
                    _freeze(choice.render_kw) if choice.render_kw else None,
                )
            )
        else:
            options.append(_freeze(choice))
    return tuple(options)


def _field_choices(f: Any) -> Hashable:
    # WTForms resolves a choices callable on first read; a static one is not called.
    callback = getattr(f, "_choices_callable", None)
    if getattr(f, "_choices_stale", False) and getattr(callback, _STATIC, False):
        return ("static", callback)
    return _choices(getattr(f, "choices", None))


def form_key(kind: str, form: Any) -> Hashable:
    """Everything the kept HTML of the fields of ``form`` depends on.

    Raises :class:`_UnkeepableError` for a value the key cannot hold.
    """
    fields = []
    for f in form:
        if isinstance(f, CSRFTokenField):
            continue
        fields.append(
            (
                f.id,
                f.name,
                type(f).__name__,
                str(f.label.text),
                _freeze(f.data),
                _freeze(f.raw_data),
                _field_choices(f),
                _freeze(dict(vars(f.flags))),
                _freeze(f.render_kw),
                _freeze(f.description),
            )
        )
    return (kind, str(get_locale()), tuple(fields))


class KeptFields:
    """``kept_fields(kind, form)`` for a template's ``{% call %}``: the LRU and its lock."""

    def __init__(self, limit: int = KEPT_LIMIT) -> None:
        self.limit = limit
        self._kept: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def __call__(self, kind: str, form: Any, caller: Callable[[], str]) -> Markup:
        if not getattr(form, _EMPTY, False) or form.errors:
            return Markup(caller())  # noqa: S704 - Jinja's own autoescaped output
        try:
            key = form_key(kind, form)
        except _UnkeepableError:
            return Markup(caller())  # noqa: S704
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
                return html
        html = Markup(caller())  # noqa: S704
        if generate_csrf() in html:
            return html  # a token is the request's own: never kept, never shown to another
        with self._lock:
            self._kept[key] = html
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        return html


def init_kept_fields(app: Flask) -> None:
    kept = KeptFields()
    app.extensions["legalaid.kept_fields"] = kept
    app.jinja_env.globals["kept_fields"] = kept
