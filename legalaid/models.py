"""Every feature's models, imported so that ``metadata`` is complete for Alembic."""

from legalaid.accounts.models import User
from legalaid.clinics.models import Clinic
from legalaid.database import Base

metadata = Base.metadata

__all__ = ["Clinic", "User", "metadata"]
