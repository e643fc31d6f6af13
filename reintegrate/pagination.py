"""One page of any list, with its total: every list in the services pages the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators

T = TypeVar("T")

#: Highest page number a list accepts; past it a list is empty anyway, and offsets overflow.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page(Generic[T]):
    """`more`: the list was counted only up to `total` (a name shared by a hundred thousand
    people is not worth counting exactly); more match than that."""

    items: Sequence[T]
    total: int
    page: int
    page_size: int
    more: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _reversed(order: Any) -> Any:
    """The opposite direction of one ORDER BY term (a column alone sorts ascending)."""
    modifier = getattr(order, "modifier", None)
    if modifier is operators.desc_op:
        return order.element.asc()
    if modifier is operators.asc_op:
        return order.element.desc()
    return order.desc()


@dataclass(frozen=True)
class Window:
    """Where a page lies in a list of `total` rows: skip `skip` rows, take `take`, reading from
    the end in the opposite order when `backwards` (a page in the back half), so the last page
    skips a page's worth of rows, not the million before it."""

    skip: int
    take: int
    backwards: bool


def window(total: int, page: int, page_size: int) -> Window:
    """The window of a page (1-based, already bounded by MAX_PAGE) in a list of `total` rows."""
    start = (page - 1) * page_size
    if start > total // 2 and start < total:
        return Window(max(0, total - start - page_size), min(page_size, total - start), True)
    return Window(start, page_size, False)


def paginate(
    session: Session, query: Select[Any], *order: Any, page: int, page_size: int
) -> Page[Any]:
    """One page of a query's rows in the given order, with the total count: every list uses it
    (the order must be total, since the back half is read in reverse: `window`)."""
    page = min(max(1, page), MAX_PAGE)  # past MAX_PAGE the offset would overflow the database
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    where = window(total, page, page_size)
    if where.backwards:
        order = tuple(_reversed(o) for o in order)
    rows = session.scalars(query.order_by(*order).limit(where.take).offset(where.skip))
    items = rows.unique().all()
    return Page(list(reversed(items)) if where.backwards else list(items), total, page, page_size)
