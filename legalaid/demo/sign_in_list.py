"""The demo accounts listed on a demo instance's sign-in page.

A newcomer who lost the terminal output can still sign in. Written only by `legalaid demo`
into the instance folder (mode 0600) and read only when the instance is a demo, which
start-up refuses in production: the data is synthetic and two-step sign-in is off anyway.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FILE_NAME = "demo-accounts.json"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    clinic: str
    password: str


def write_demo_accounts(instance_path: Path, accounts: list[DemoAccount]) -> None:
    path = instance_path / FILE_NAME
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump([asdict(a) for a in accounts], handle, indent=2)


def read_demo_accounts(instance_path: Path) -> list[DemoAccount]:
    try:
        rows = json.loads((instance_path / FILE_NAME).read_text(encoding="utf-8"))
        return [DemoAccount(**row) for row in rows]
    except (OSError, ValueError, TypeError):
        # No list (an older demo, or a hand-made instance): the page still signs in.
        return []


def forget_demo_accounts(instance_path: Path) -> None:
    (instance_path / FILE_NAME).unlink(missing_ok=True)
