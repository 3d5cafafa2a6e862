"""Pagination in SQL: a COUNT and a LIMIT/OFFSET query, never all rows in Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

PER_PAGE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(raw: str | None) -> int:
    """A malformed or out-of-range page number means the first page, not an error."""
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), 1_000_000)


def paginate(
    session: Session,
    query: Select[Any],
    raw_page: str | None,
    per_page: int = PER_PAGE,
    *,
    count: int | None = None,
) -> Page[Any]:
    """One page of ``query``: entities for a one-entity query, else rows of columns.

    ``count`` lets the caller give a cheaper count than the default COUNT over the query.
    """
    total = count
    if total is None:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    total = int(total or 0)
    number = min(page_number(raw_page), max(1, -(-total // per_page)))
    limited = query.limit(per_page).offset((number - 1) * per_page)
    items: list[Any] = (
        list(session.scalars(limited))
        if len(query.column_descriptions) == 1
        else list(session.execute(limited).all())
    )
    return Page(items=items, number=number, per_page=per_page, total=int(total))
