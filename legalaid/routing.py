"""URL converters shared by every blueprint."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: The largest id the database's integer keys hold (PostgreSQL ``integer``).
LARGEST_ID = 2**31 - 1


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` that matches only numbers a record id can be.

    A longer number is no page (404), as it is for a missing record, instead of an
    overflow deep in the database driver (500).
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)
