"""Every feature's models, imported so that ``metadata`` is complete for Alembic."""

from legalaid.accounts.models import LoginAttempt, RecoveryCode, User, UserSession
from legalaid.audit.models import AuditEntry
from legalaid.clinics.models import Clinic
from legalaid.database import Base

metadata = Base.metadata

__all__ = [
    "AuditEntry",
    "Clinic",
    "LoginAttempt",
    "RecoveryCode",
    "User",
    "UserSession",
    "metadata",
]
