"""Every feature's models, imported so that ``metadata`` is complete for Alembic."""

from legalaid.accounts.models import LoginAttempt, RecoveryCode, User, UserSession
from legalaid.audit.models import AuditEntry
from legalaid.cases.models import (
    Case,
    CaseAssignment,
    CaseDiscriminationGround,
    CaseStatusChange,
    Respondent,
)
from legalaid.casework.models import CaseTask, Hearing, Note, NoteRevision, ServiceDelivery
from legalaid.clients.models import Client, ClientKeyPopulation
from legalaid.clinics.models import Clinic, NumberCounter
from legalaid.conflicts.models import ConflictCheck, ConflictHit, NameKey
from legalaid.crypto.checks import KeyCheck
from legalaid.database import Base
from legalaid.documents.models import Document
from legalaid.feedback.models import (
    FeedbackAnswer,
    FeedbackCode,
    FeedbackResponse,
    FeedbackThrottle,
)
from legalaid.feeds.models import CalendarFeed
from legalaid.held_forms.models import HeldForm
from legalaid.idempotency import Submission
from legalaid.providers.models import ServiceProvider
from legalaid.referrals.models import Referral
from legalaid.releases.models import IndicatorRelease, ReleaseJob
from legalaid.reminders.models import ReminderDelivery, ReminderSeen
from legalaid.tokens.models import ApiToken
from legalaid.trainings.models import (
    TrainingParticipant,
    TrainingSession,
    TrainingSessionModule,
    TrainingTrainer,
)

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CalendarFeed",
    "Case",
    "CaseAssignment",
    "CaseDiscriminationGround",
    "CaseStatusChange",
    "CaseTask",
    "Client",
    "ClientKeyPopulation",
    "Clinic",
    "ConflictCheck",
    "ConflictHit",
    "Document",
    "FeedbackAnswer",
    "FeedbackCode",
    "FeedbackResponse",
    "FeedbackThrottle",
    "Hearing",
    "HeldForm",
    "IndicatorRelease",
    "KeyCheck",
    "LoginAttempt",
    "NameKey",
    "Note",
    "NoteRevision",
    "NumberCounter",
    "RecoveryCode",
    "Referral",
    "ReleaseJob",
    "ReminderDelivery",
    "ReminderSeen",
    "Respondent",
    "ServiceDelivery",
    "ServiceProvider",
    "Submission",
    "TrainingParticipant",
    "TrainingSession",
    "TrainingSessionModule",
    "TrainingTrainer",
    "User",
    "UserSession",
    "metadata",
]
