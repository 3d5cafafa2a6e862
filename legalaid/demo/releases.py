"""Demo releases, so the dashboard has something to show on first sign-in.

Made through the real release service (computed, protected, audited, frozen) for the
last completed quarter: nationally by the task-force account and for the demo
manager's clinic by her.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.indicators.catalogue import IndicatorCatalogue
from legalaid.indicators.periods import QUARTER, completed_periods
from legalaid.releases.services import create_release


def build_releases(
    session: Session,
    accounts: list[User],
    *,
    catalogue: IndicatorCatalogue,
    policy: DisclosurePolicy,
    today: date,
) -> list[str]:
    quarters = [
        p for p in completed_periods(today, policy.data_entry_lag_days) if p.kind == QUARTER
    ]
    if not quarters:
        return []
    last = quarters[-1]
    lines = []
    for role in ("task_force", "manager"):
        user = next((account for account in accounts if account.role == role), None)
        if user is None:
            continue
        release = create_release(
            session,
            catalogue=catalogue,
            policy=policy,
            user=user,
            period_code=last.code,
            reason=None,
            today=today,
        )
        scope = "national" if release.clinic_id is None else "clinic"
        lines.append(
            f"  {last.code} {scope} release by {user.email}: "
            f"{release.cells_total} cells, {release.cells_suppressed} suppressed"
        )
    return ["indicator releases (frozen, disclosure-controlled):", *lines] if lines else []
