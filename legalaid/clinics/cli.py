from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from legalaid.clinics.models import CLINIC_STATUSES
from legalaid.clinics.services import create_clinic
from legalaid.database import get_database
from legalaid.errors import DomainError
from legalaid.vocabulary.regions import ECONOMIC_REGIONS


@click.group("clinics", help="Legal aid clinics.")
def clinics() -> None:
    pass


@clinics.command("create", help="Create a clinic.")
@click.option("--code", required=True, help="Short code used in case numbers, e.g. BAK.")
@click.option("--name", required=True)
@click.option("--region", required=True, type=click.Choice(ECONOMIC_REGIONS.codes))
@click.option("--city", default="")
@click.option("--opened-on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--status", type=click.Choice(CLINIC_STATUSES.codes), default="pilot")
@with_appcontext
def create(
    code: str, name: str, region: str, city: str, opened_on: datetime | None, status: str
) -> None:
    opened = opened_on.date() if opened_on is not None else None
    try:
        with get_database(current_app).transaction() as session:
            clinic = create_clinic(
                session,
                code=code,
                name=name,
                economic_region=region,
                city=city,
                opened_on=opened,
                status=status,
            )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    # Only now is it committed.
    click.echo(f"created clinic {clinic.code} ({clinic.name}, {region})")
