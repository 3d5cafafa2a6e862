"""Security headers on every response; no caching of anything but static assets."""

from __future__ import annotations

from flask import Flask, g, request
from werkzeug.wrappers import Response


def _csp(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        )
    )


def init_security_headers(app: Flask, *, https: bool) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        nonce = g.get("csp_nonce") or ""
        # A view may send a stricter policy of its own (a document download: sandbox).
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = _csp(nonce)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if https:
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if request.endpoint != "static":
            # Pages can show client data: never keep them in a shared or browser cache.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        if g.get("clear_site_data"):
            response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response
