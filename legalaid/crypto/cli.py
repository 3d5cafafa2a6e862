from __future__ import annotations

import click


@click.group("keys", help="Encryption keys.")
def keys() -> None:
    pass
