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


def record_id(value: object) -> int | None:
    """A record id typed into a query string or a form, or None if it cannot be one.

    The one parser for ids that do not come through the URL path: ASCII digits only
    (``str.isdigit`` also takes "²", which ``int`` refuses) and no larger than a key
    the database holds, so an oversized number is "no such record", never an overflow.
    """
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= LARGEST_ID else None
