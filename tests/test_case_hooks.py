"""legalaid.cases.hooks: casework takes part in a case's lifecycle without cases importing it."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from legalaid.cases import hooks
from legalaid.casework import services as casework


def test_casework_registers_its_part_once_the_app_is_built(app: Flask) -> None:
    assert casework.upcoming_hearings in hooks._agenda_counts.values()
    assert casework.hand_over_tasks in hooks._handovers.values()
    hooks.require_registered()


def test_registering_again_replaces_and_does_not_count_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hooks, "_agenda_counts", dict(hooks._agenda_counts))

    def reloaded(session: Session, case_id: int, today: date) -> int:
        return 1  # a module reloaded makes a new function object of the same name

    reloaded.__module__ = casework.upcoming_hearings.__module__
    reloaded.__qualname__ = casework.upcoming_hearings.__qualname__
    hooks.count_agenda_to_come(reloaded)
    assert list(hooks._agenda_counts.values()) == [reloaded]


def test_a_hook_nobody_registered_is_an_error_not_a_zero(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "_agenda_counts", {})
    monkeypatch.setattr(hooks, "_handovers", {})
    with pytest.raises(RuntimeError, match="no feature registered an agenda count"):
        hooks.agenda_to_come(session, 1, date(2026, 1, 1))
    with pytest.raises(RuntimeError, match="no feature registered a handover"):
        hooks.hand_over(session, 1, 2, 3)
    with pytest.raises(RuntimeError, match="no feature registered"):
        hooks.require_registered()
