from __future__ import annotations

import click


@click.group("audit", help="The audit log.")
def audit() -> None:
    pass
