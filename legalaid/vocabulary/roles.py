"""Role codes: the four kinds of account, and which of them belong to one clinic."""

from flask_babel import lazy_gettext as _l

from legalaid.vocabulary import Vocabulary

ROLES = Vocabulary(
    "role",
    (
        ("lawyer", _l("Lawyer")),
        ("manager", _l("Clinic manager")),
        ("task_force", _l("Task force")),
        ("admin", _l("Administrator")),
    ),
)

#: Roles whose accounts belong to one clinic; the others are national.
CLINIC_ROLES = frozenset({"lawyer", "manager"})
