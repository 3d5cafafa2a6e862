"""Optimistic concurrency: forms carry the version of the record the user loaded."""

from __future__ import annotations

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
