"""docs/architecture.md lists every package under legalaid/ with its layer."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("foundation", "domain", "feature", "web", "commands", "app")


def _layout() -> str:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    return text.split("## Layout", 1)[1].split("## ", 1)[0]


def _packages() -> list[str]:
    package = ROOT / "legalaid"
    return sorted(
        path.name
        for path in package.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name != "migrations"
    )


def test_every_package_is_listed_with_its_layer() -> None:
    layout = _layout()
    missing, without_layer = [], []
    for name in _packages():
        line = re.search(rf"^  {re.escape(name)}/\s+(.*)$", layout, re.MULTILINE)
        if line is None:
            missing.append(name)
        elif not line.group(1).startswith(LAYERS):
            without_layer.append(name)
    assert missing == [], f"packages missing from docs/architecture.md: {missing}"
    assert without_layer == [], f"packages listed without their layer: {without_layer}"


def test_the_doc_lists_no_package_that_is_gone() -> None:
    listed = set(re.findall(r"^  ([a-z_]+)/ ", _layout(), re.MULTILINE))
    on_disk = {path.name for path in (ROOT / "legalaid").iterdir() if path.is_dir()}
    assert listed - on_disk == set()
