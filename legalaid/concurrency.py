"""Optimistic concurrency: forms carry the version of the record the user loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired


class VersionField(IntegerField):
    """A hidden version number. After a 409 the view sets the current version; it must
    be what the page sends next time, not the stale number that was posted."""

    widget = HiddenField.widget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [InputRequired()])
        super().__init__(**kwargs)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


#: Fields that carry no content of the record.
_NOT_CONTENT = ("CSRFTokenField", "HiddenField", "SubmitField", "FileField", "PasswordField")


@dataclass(frozen=True)
class SavedBesideTyped:
    label: str
    saved: str
    typed: str


def _shown(field: Any, data: Any) -> str:
    from flask_babel import gettext as _

    from legalaid.i18n import format_date

    if field.type == "BooleanField":
        return str(_("yes") if data else _("no"))
    if hasattr(field, "iter_choices") and hasattr(field, "choices"):
        labels = {str(value): str(label) for value, label, *_rest in field.iter_choices()}
        values = data if isinstance(data, list | tuple | set) else [data]
        shown = [labels.get(str(v), str(v)) for v in values if v not in (None, "")]
        return ", ".join(shown)
    if isinstance(data, date):
        return str(format_date(data))
    return "" if data is None else str(data)


def saved_beside_typed(form: Any, current: Any, **loaded: Any) -> list[SavedBesideTyped]:
    """After a 409: each field where what is saved now differs from what she typed.

    The saved side is the same form filled from the record as it is now (``loaded`` gives
    what a view sets by hand on GET, e.g. a many-valued field). Shown beside her typed
    values, "Save again" is a knowing choice and never silently reverts the other change.
    """
    saved = type(form)(formdata=None, obj=current)
    rows: list[SavedBesideTyped] = []
    for field in form:
        if field.type in _NOT_CONTENT or field.name in ("version", "submission_token"):
            continue
        twin = saved[field.name]
        if hasattr(field, "choices"):
            twin.choices = field.choices
        data = loaded.get(field.name, twin.data)
        saved_text, typed_text = _shown(twin, data), _shown(field, field.data)
        if saved_text != typed_text:
            rows.append(SavedBesideTyped(str(field.label.text), saved_text, typed_text))
    return rows
