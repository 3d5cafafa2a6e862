"""feedback questions from policy; the wrong-code throttle shared by all processes

Revision ID: 0019
Revises: 0021
Create Date: 2026-12-07 15:30:00.000000

feedback_answer: one row per response and question (codes from policies/feedback.toml),
replacing feedback_response's fixed columns satisfaction, respected, felt_safe and
would_recommend (their answers are moved over). feedback_throttle: wrong feedback codes
per hour under a keyed hash of the hour and the address (never the address).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = ("satisfaction", "respected", "felt_safe", "would_recommend")
_YPN = "IN ('yes', 'partly', 'no')"
_OLD_CHECKS = {
    "satisfaction": "satisfaction IN ('5', '4', '3', '2', '1')",
    "respected": f"respected IS NULL OR respected {_YPN}",
    "felt_safe": f"felt_safe IS NULL OR felt_safe {_YPN}",
    "would_recommend": "would_recommend IS NULL OR would_recommend IN ('yes', 'not_sure', 'no')",
}


def _create_answer_table() -> None:
    op.create_table(
        "feedback_answer",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["feedback_response.id"],
            name=op.f("fk_feedback_answer_response_id_feedback_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "question", name=op.f("pk_feedback_answer")),
    )
    op.create_index(
        "ix_feedback_answer_question_answer", "feedback_answer", ["question", "answer"]
    )


def upgrade() -> None:
    # The answers go to a plain holding table first: feedback_response is rebuilt on SQLite
    # to drop its columns (CHECK constraints name them), which it cannot be while rows of a
    # table with a foreign key to it exist.
    op.create_table(
        "feedback_answer_moving",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
    )
    for column in _OLD:
        op.execute(
            "INSERT INTO feedback_answer_moving (response_id, question, answer) "
            f"SELECT id, '{column}', {column} FROM feedback_response WHERE {column} IS NOT NULL"
        )
    with op.batch_alter_table("feedback_response") as batch:
        for column in _OLD:
            batch.drop_constraint(op.f(f"ck_feedback_response_{column}"), type_="check")
            batch.drop_column(column)
    _create_answer_table()
    op.execute(
        "INSERT INTO feedback_answer (response_id, question, answer) "
        "SELECT response_id, question, answer FROM feedback_answer_moving"
    )
    op.drop_table("feedback_answer_moving")
    op.create_table(
        "feedback_throttle",
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("wrong", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "key", name=op.f("pk_feedback_throttle")),
    )


def downgrade() -> None:
    op.drop_table("feedback_throttle")
    # The old columns hold only the old questions and their old codes; a response without
    # an old satisfaction answer cannot be kept there, so the downgrade refuses it.
    connection = op.get_bind()
    lost = connection.scalar(
        sa.text(
            "SELECT count(*) FROM feedback_response r WHERE NOT EXISTS (SELECT 1 FROM "
            "feedback_answer a WHERE a.response_id = r.id AND a.question = 'satisfaction' "
            "AND a.answer IN ('5', '4', '3', '2', '1'))"
        )
    )
    if lost:
        raise RuntimeError(
            f"{lost} feedback answers have no 1-5 satisfaction answer; the old schema "
            "cannot hold them"
        )
    op.create_table(
        "feedback_answer_moving",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
    )
    op.execute(
        "INSERT INTO feedback_answer_moving SELECT response_id, question, answer "
        "FROM feedback_answer"
    )
    op.drop_index("ix_feedback_answer_question_answer", table_name="feedback_answer")
    op.drop_table("feedback_answer")
    with op.batch_alter_table("feedback_response") as batch:
        batch.add_column(sa.Column("satisfaction", sa.String(length=1), nullable=True))
        for column in _OLD[1:]:
            batch.add_column(sa.Column(column, sa.String(length=8), nullable=True))
    for column in _OLD:
        op.execute(
            f"UPDATE feedback_response SET {column} = (SELECT m.answer FROM "
            "feedback_answer_moving m WHERE m.response_id = feedback_response.id "
            f"AND m.question = '{column}' AND ({_OLD_CHECKS[column].replace(column, 'm.answer')}))"
        )
    op.drop_table("feedback_answer_moving")
    with op.batch_alter_table("feedback_response") as batch:
        batch.alter_column("satisfaction", existing_type=sa.String(length=1), nullable=False)
        for column, check in _OLD_CHECKS.items():
            batch.create_check_constraint(op.f(f"ck_feedback_response_{column}"), check)
