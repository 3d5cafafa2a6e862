"""A release: every catalogued table of one period and one scope, protected and frozen.

``content`` is what may be shown (published counts, ``null`` where suppressed, and why).
``truth`` holds the true counts of the same cells, encrypted: disclosure control needs
them to protect every later release of related statistics (the next version, the year
after its quarters, the nation after a clinic), and nobody ever reads them otherwise.

A release is never changed. A revision is a new row of the same series (scope, period
code and period end) with the next ``version`` and a reason.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from legalaid.accounts.models import User
from legalaid.clinics.models import Clinic
from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base, UTCDateTime, utcnow

#: ``scope_key`` of a national release; a clinic's is ``clinic:<id>``.
NATIONAL_SCOPE = "national"


def clinic_scope_key(clinic_id: int) -> str:
    return f"clinic:{clinic_id}"


class IndicatorRelease(Base):
    __tablename__ = "indicator_release"
    __table_args__ = (
        UniqueConstraint(
            "scope_key", "period_code", "period_end", "version", name="uq_indicator_release_series"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(clinic_id IS NULL AND scope_key = 'national') OR "
            "(clinic_id IS NOT NULL AND scope_key <> 'national')",
            name="scope_matches_clinic",
        ),
        CheckConstraint("period_start <= period_end", name="period_order"),
        Index("ix_indicator_release_period", "period_start", "period_end"),
        Index("ix_indicator_release_scope_created", "scope_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(24))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"))
    period_code: Mapped[str] = mapped_column(String(16))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    #: Why a new version was made (required from version 2 on); free text, so encrypted.
    reason: Mapped[str | None] = mapped_column(EncryptedText("release.reason"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The published tables (JSON): safe to show to the release's audience.
    content: Mapped[str] = mapped_column(Text)
    #: The true counts of the same cells (JSON, encrypted): for disclosure control only.
    truth: Mapped[str] = mapped_column(EncryptedText("release.truth"))
    #: How many cells were suppressed, and in how many tables (for lists).
    cells_total: Mapped[int] = mapped_column(Integer)
    cells_suppressed: Mapped[int] = mapped_column(Integer)

    clinic: Mapped[Clinic | None] = relationship()
    created_by: Mapped[User] = relationship()

    @property
    def is_national(self) -> bool:
        return self.clinic_id is None


#: A release job's states, in order; "done" and "failed" are final.
JOB_STATUSES = ("pending", "running", "done", "failed")
#: Why a job failed: disclosure control refused, another release raced it, or an error.
JOB_FAILURES = ("refused", "conflict", "error")


class ReleaseJob(Base):
    """A release asked for and counted in the background (:mod:`legalaid.releases.jobs`).

    The progress page reads this row; ``release_id`` is set when the release is stored.
    """

    __tablename__ = "release_job"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status_known"),
        CheckConstraint(
            "failure IS NULL OR failure IN ('refused', 'conflict', 'error', 'confirm')",
            name="failure_known",
        ),
        Index("ix_release_job_scope_key", "scope_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(24))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"))
    period_code: Mapped[str] = mapped_column(String(16))
    #: What she typed as the reason of a new version (free text, so encrypted).
    reason: Mapped[str | None] = mapped_column(EncryptedText("release_job.reason"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(8), default="pending")
    failure: Mapped[str | None] = mapped_column(String(16))
    release_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_release.id"))
    #: She confirmed that this version may hide cells the previous one published.
    more_hidden_confirmed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    #: failure "confirm": what the version would hide that the previous one published
    #: (JSON of measure, period and category codes, and cell counts; never a value).
    preview: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
