from __future__ import annotations

import click


@click.group("users", help="Staff accounts.")
def users() -> None:
    pass
