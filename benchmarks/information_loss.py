"""How much a release hides (its information loss): version 1, and a version after late entries.

On a database of bulk synthetic cases (``legalaid demo --cases N``), makes the national
release of a period (default the year 2026, as on 1 March 2027) and stores it, as the
app's job does (``make_release``); then enters data late (``--late-cases`` bulk cases
dated in the period, three cases back-dated into its third quarter, one client's
statistics consent withdrawn) and makes version 2 against version 1. For each version:

- cells, hidden cells (primary, carried, complementary) and their share of the cells;
- hidden share of all counts: the true counts of the hidden cells over all true counts;
- headline totals hidden: cells with no category fixed (the nation's count of a measure
  for the period or a quarter), of how many;
- for version 2: cells newly hidden (published by version 1) and newly shown;
- protection time (wall and CPU), from the ``protect`` call inside the release.

The database is changed (two versions stored, cases added): run it on a copy. The same
script runs on older code (``PYTHONPATH=/path/to/old/worktree``) to compare, e.g. the
ILP complement choice with the first-found one, on another copy of the same database.

Usage (from the project root)::

    cp /work/bench/100k.db /tmp/copy.db
    python benchmarks/information_loss.py --database-url sqlite:////tmp/copy.db \\
        --instance /work/bench/instance
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import count_cases, grow_to, make_app

import legalaid.releases.services as services
from legalaid.accounts.models import User
from legalaid.cases.models import Case
from legalaid.clients.models import Client
from legalaid.database import get_database
from legalaid.indicators.periods import parse_period
from legalaid.releases.services import ReleaseRequest, make_release


class Captured:
    """The protections computed inside the releases (``services.protect`` wrapped)."""

    def __init__(self) -> None:
        self.found: list[tuple[Any, float, float]] = []
        original = services.protect

        def protect(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            result = original(*args, **kwargs)
            self.found.append((result, time.perf_counter() - wall, time.process_time() - cpu))
            return result

        services.protect = protect  # type: ignore[assignment]


def figures(protection: Any) -> dict[str, Any]:
    truth: dict[Any, int] = {}
    status: dict[Any, str] = {}
    for table in protection.tables:
        for key, cell, value in table.table.cells():
            truth[cell] = value
            status[cell] = table.cells[key].status
    hidden = {cell for cell, found in status.items() if found != "published"}
    headline = [cell for cell in truth if not cell.coords]
    total = sum(truth.values())
    return {
        "cells": len(truth),
        "hidden": len(hidden),
        "primary": sum(1 for cell in hidden if status[cell] == "primary"),
        "carried": sum(1 for cell in hidden if status[cell] == "carried"),
        "complementary": sum(1 for cell in hidden if status[cell] == "complementary"),
        "hidden_counts": sum(truth[cell] for cell in hidden),
        "all_counts": total,
        "headline": len(headline),
        "headline_hidden": sum(1 for cell in headline if cell in hidden),
        "hidden_cells": hidden,
        "published_cells": set(truth) - hidden,
    }


def late_entries(app: Any, cases: int, seed: int) -> tuple[int, int]:
    """Cases entered late, three back-dated, one consent withdrawn; the client's id."""
    database = get_database(app)
    have = count_cases(app)
    # A realistic network, as the demo's: it may open a clinic for them (100,000 cases:
    # one, with a handful of cells more in version 2).
    grow_to(app, have + cases, seed + 1, "realistic")
    with database.transaction() as session:
        ids = list(
            session.scalars(
                select(Case.id)
                .where(Case.opened_on.is_not(None), Case.opened_on >= date(2026, 10, 1))
                .order_by(Case.id)
                .limit(3)
            )
        )
        session.execute(update(Case).where(Case.id.in_(ids)).values(opened_on=date(2026, 7, 1)))
        client_id = session.scalar(
            select(func.min(Client.id))
            .join(Case, Case.client_id == Client.id)
            .where(Client.consent_statistics.is_(True), Case.opened_on >= date(2026, 1, 1))
        )
        session.execute(
            update(Client).where(Client.id == client_id).values(consent_statistics=False)
        )
    return len(ids), int(client_id or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance", type=Path, required=True)
    parser.add_argument("--period", default="2026")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2027, 3, 1))
    parser.add_argument("--late-cases", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    app = make_app(args.database_url, args.instance)
    database = get_database(app)
    policies = app.extensions["legalaid.policies"]
    period = parse_period(args.period, args.today, policies.disclosure.data_entry_lag_days)
    with database.session_factory() as session:
        maker = session.scalars(select(User).where(User.role == "task_force")).first()
        if maker is None:
            raise SystemExit("no task-force account: is this a demo database?")
        maker_id = maker.id
    captured = Captured()
    code = Path(services.__file__).resolve().parents[2]
    print(f"database {database.engine.dialect.name}, {count_cases(app)} cases, code in {code}")
    versions: list[dict[str, Any]] = []
    with app.test_request_context():
        for version in (1, 2):
            if version == 2:
                moved, client = late_entries(app, args.late_cases, args.seed)
                print(
                    f"late entries: {args.late_cases} cases added, {moved} back-dated, "
                    f"consent withdrawn (client #{client}); now {count_cases(app)} cases"
                )
            request = ReleaseRequest(
                scope_key="national",
                clinic_id=None,
                period=period,
                reason=f"information loss, version {version}",
                user_id=maker_id,
                more_hidden_confirmed=True,
            )
            started, cpu = time.perf_counter(), time.process_time()
            make_release(
                database, request, catalogue=policies.indicators, policy=policies.disclosure
            )
            release_s, release_cpu = time.perf_counter() - started, time.process_time() - cpu
            protection, protect_s, protect_cpu = captured.found[-1]
            found = figures(protection)
            found.update(
                release_s=release_s,
                release_cpu=release_cpu,
                protect_s=protect_s,
                protect_cpu=protect_cpu,
                load=os.getloadavg()[0],
            )
            versions.append(found)
    print(
        f"{'version':>7} {'cells':>6} {'hidden':>6} {'primary':>7} {'carried':>7} "
        f"{'compl.':>6} {'hidden %':>8} {'counts hidden %':>15} {'headline hidden':>15} "
        f"{'protect s (CPU)':>16} {'release s (CPU)':>16} {'load':>5}"
    )
    for number, found in enumerate(versions, start=1):
        print(
            f"{number:>7} {found['cells']:>6} {found['hidden']:>6} {found['primary']:>7} "
            f"{found['carried']:>7} {found['complementary']:>6} "
            f"{100 * found['hidden'] / found['cells']:>7.2f}% "
            f"{100 * found['hidden_counts'] / max(1, found['all_counts']):>14.3f}% "
            f"{found['headline_hidden']:>7} of {found['headline']:<5} "
            f"{found['protect_s']:>7.1f} ({found['protect_cpu']:5.1f}) "
            f"{found['release_s']:>7.1f} ({found['release_cpu']:5.1f}) {found['load']:>5.2f}"
        )
    first, second = versions
    newly_hidden = first["published_cells"] & second["hidden_cells"]
    newly_shown = first["hidden_cells"] & second["published_cells"]
    print(
        f"version 2 against version 1: {len(newly_hidden)} cells newly hidden "
        f"(published by version 1), {len(newly_shown)} newly shown"
    )


if __name__ == "__main__":
    main()
