"""Entry point for a WSGI server: ``gunicorn 'legalaid.wsgi:app'``.

A start-up problem (missing secret, outdated schema, bad policy file) is printed as one
line and the process exits, so the server's log says what to fix.
"""

from __future__ import annotations

import sys

from legalaid.errors import StartupError
from legalaid.factory import create_app

try:
    app = create_app()
except StartupError as error:
    print(f"legalaid: error: {error}", file=sys.stderr)
    raise SystemExit(4) from None
