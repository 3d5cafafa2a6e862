"""Alembic environment: the engine comes from the application (see legalaid.schema)."""

from typing import Any

from alembic import context

from legalaid.crypto.fields import EncryptedText
from legalaid.database import UTCDateTime
from legalaid.models import metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write the app's column types as plain SQLAlchemy types, so revisions stay stable."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, EncryptedText):
        return "sa.Text()"
    return False


config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()
