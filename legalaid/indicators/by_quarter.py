"""The quarter of a date, in SQL, as its period code ("2026Q1").

A measure that adds up over time (every counted unit has one date) also answers by
quarter: its event date's quarter is then one more column of the GROUP BY. A release asks
each such measure once, by quarter, over the whole span it releases, and adds the quarters
up into its year (or the plan to date) instead of counting the same rows again per period.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

#: The pseudo-dimension of a time-additive measure: the quarter its unit falls in.
QUARTER = "_quarter"


class quarter_code(FunctionElement[str]):  # noqa: N801 - named like the SQL functions
    """``'YYYYQn'`` of a date column. No bound parameter, so that PostgreSQL sees the
    expression in SELECT and in GROUP BY as the same one."""

    type = String()
    name = "quarter_code"
    inherit_cache = True


@compiles(quarter_code, "postgresql")
def _quarter_postgresql(element: quarter_code, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"""to_char({compiler.process(column, **kw)}, 'YYYY"Q"Q')"""


@compiles(quarter_code)
def _quarter_sqlite(element: quarter_code, compiler: Any, **kw: Any) -> str:
    # SQLite keeps dates as ISO text: year, then the month turned into its quarter.
    (column,) = element.clauses
    value = compiler.process(column, **kw)
    return (
        f"(strftime('%Y', {value}) || 'Q' || ((CAST(strftime('%m', {value}) AS INTEGER) + 2) / 3))"
    )
