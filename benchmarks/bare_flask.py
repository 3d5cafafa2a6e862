"""The peer for a case page: a bare Flask + SQLAlchemy route that reads the same rows.

It runs ``benchmarks.cases.CASE_PAGE`` (the statements a case page needs, written by hand),
renders every row through one Jinja template with autoescaping, and writes one row, as
the real page writes its audit entry, in one transaction. No sign-in, no scoping beyond
the SQL's own, no CSRF, no translations, no audit chain: what the framework and the
database cost on their own, measured beside the app in the same run.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template_string
from sqlalchemy import Engine, text

from benchmarks.cases import CASE_PAGE

_PAGE = """<!doctype html><html lang="en"><head><title>Case {{ case_id }}</title></head>
<body><main><h1>Case {{ case_id }}</h1>
{% for rows in results %}<section><table>
{% for row in rows %}<tr>{% for value in row.values() %}<td>{{ value }}</td>{% endfor %}</tr>
{% endfor %}</table></section>{% endfor %}
</main></body></html>"""


def bare_case_page_app(engine: Engine, params: dict[str, Any]) -> Flask:
    """A Flask app whose ``GET /cases/<id>`` reads the case page's rows and writes one."""
    with engine.begin() as connection:
        connection.execute(
            # The benchmark database's own table for the bare route's write (not the audit log).
            text("CREATE TABLE IF NOT EXISTS bench_bare_write (case_id INTEGER)")
        )
    app = Flask("bare_case_page")

    @app.get("/cases/<int:case_id>")
    def case_page(case_id: int) -> str:
        bound = {**params, "case": case_id}
        with engine.begin() as connection:
            results = [
                [dict(row) for row in connection.execute(text(sql), bound).mappings()]
                for sql in CASE_PAGE
            ]
            connection.execute(text("INSERT INTO bench_bare_write (case_id) VALUES (:case)"), bound)
        return render_template_string(_PAGE, case_id=case_id, results=results)

    return app
