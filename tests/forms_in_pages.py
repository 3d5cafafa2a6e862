"""Read a page's form the way a browser submits it (every field with its current value)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form.setdefault(name, [])
                return
            self._form.setdefault(name, []).append(
                a.get("value", "on" if kind == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self._form[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea is not None:
            self._form[self._textarea] = [
                "".join(self._text).removeprefix("\r\n").removeprefix("\n")
            ]
            self._textarea = None


def form_with(html: str, field: str) -> dict[str, list[str]]:
    """The first form on the page that has ``field`` (e.g. the version of the record)."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if field in form:
            return form
    raise AssertionError(f"no form with {field!r} on the page")
