"""name keys indexed by (key, words)

Revision ID: 0015
Revises: 0019
Create Date: 2026-12-07 16:10:00.000000

The conflict check finds names shorter than the words it needs ("Sevinj" alone) by key
and word count: with (key, words) that is an index range, not every row of a common word
of the country read and filtered. The index replaces ix_name_key_key, its prefix.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_name_key_key_words", "name_key", ["key", "words"])
    op.drop_index("ix_name_key_key", table_name="name_key")


def downgrade() -> None:
    op.create_index("ix_name_key_key", "name_key", ["key"])
    op.drop_index("ix_name_key_key_words", table_name="name_key")
