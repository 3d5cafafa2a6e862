"""legalaid.cases.hooks: casework takes part in a case's lifecycle without cases importing it."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from legalaid.cases import hooks
from legalaid.casework import services as casework


def test_casework_registers_its_part_once_the_app_is_built(app: Flask) -> None:
    assert casework.upcoming_hearings in hooks._agenda_counts
    assert casework.hand_over_tasks in hooks._handovers
    # Registering again (a module reloaded, a second app) does not count twice.
    hooks.count_agenda_to_come(casework.upcoming_hearings)
    assert hooks._agenda_counts.count(casework.upcoming_hearings) == 1


def test_a_hook_nobody_registered_is_an_error_not_a_zero(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "_agenda_counts", [])
    monkeypatch.setattr(hooks, "_handovers", [])
    with pytest.raises(RuntimeError, match="no feature registered an agenda count"):
        hooks.agenda_to_come(session, 1, date(2026, 1, 1))
    with pytest.raises(RuntimeError, match="no feature registered a handover"):
        hooks.hand_over(session, 1, 2, 3)
