"""What every page's frame (``base.html``) needs, made cheap: it is paid on every request.

The navigation's links depend only on the role and the language, so they are rendered
once per (role, language, script root) per process and kept; the forms of the frame
(sign-out, language) need only a CSRF token, which is written without building a form.
See ``benchmarks/request_cost.py`` for what this saves.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

#: The template of the navigation's links; it may use ``can``, ``url_for`` and ``_`` only.
NAV_LINKS_TEMPLATE = "_nav_links.html"


def csrf_field() -> Markup:
    """The request's CSRF token as a hidden input, as WTForms renders a form's
    ``csrf_token`` field (same id, name and token: one token per request)."""
    return Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="{}">').format(
        escape(generate_csrf())
    )


def init_page_frame(app: Flask, can_role: Callable[[str | None, str], bool]) -> None:
    """Register ``csrf_field()`` and ``nav_links()`` for ``base.html``.

    ``can_role(role, endpoint)`` is the access policy's answer; the links a role sees are
    those it may open. The kept HTML is bounded: roles x languages x script roots.
    """
    kept: dict[tuple[str | None, str, str], Markup] = {}

    def nav_links() -> Markup:
        user = g.get("user")
        role: str | None = user.role if user is not None else None
        key = (role, str(get_locale()), request.script_root)
        html = kept.get(key)
        if html is None:
            template = current_app.jinja_env.get_template(NAV_LINKS_TEMPLATE)
            # Jinja's own autoescaped output, kept as it was rendered.
            rendered = template.render(can=lambda endpoint: can_role(role, endpoint))
            html = Markup(rendered)  # noqa: S704
            kept[key] = html
        return html

    app.jinja_env.globals.update(csrf_field=csrf_field, nav_links=nav_links)
