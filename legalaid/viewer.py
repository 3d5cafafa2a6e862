"""Who is looking: what scope functions and services read of the signed-in user.

A :class:`~legalaid.accounts.models.User` is a ``Viewer`` as it is (structurally), and so
is any object with these three read-only attributes (a test double, a job's requester).
Scope functions also take ``None`` (nobody signed in), which sees nothing.
"""

from __future__ import annotations

from typing import Protocol


class Viewer(Protocol):
    """The user a query is scoped to or a change is made by."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...

    @property
    def clinic_id(self) -> int | None: ...
