"""Types shared by the views of every feature."""

from __future__ import annotations

from typing import TypeAlias

from werkzeug.wrappers import Response as BaseResponse

#: What a view returns: a rendered page, a response (a redirect, a download) or a page
#: with its status (a form refused with 400, a stale save with 409).
Rendered: TypeAlias = str | BaseResponse | tuple[str, int]
