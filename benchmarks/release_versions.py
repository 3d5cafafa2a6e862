"""Does a release slow down with every earlier version? Times versions 1..N of one period.

Issue 14: the plan to date took 3.1 s for its first version and 13.8 s by the 26th. Each
version here is made and committed like the app's job makes it (``make_release``:
counted on a snapshot, stored in a short transaction), with a few late cases entered
between versions, as happens in practice; it prints each version's time.

Usage (from the project root)::

    python benchmarks/release_versions.py --cases 3000 --versions 12
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import grow_to, make_app, prepare

from legalaid.accounts.models import User
from legalaid.database import get_database
from legalaid.indicators.periods import completed_periods
from legalaid.releases.services import ReleaseRequest, make_release


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--database-url", help="default: a new temporary SQLite file")
    parser.add_argument("--instance", type=Path, help="keys of the data (default: temporary)")
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--versions", type=int, default=12)
    parser.add_argument("--today", default="2027-03-01", type=date.fromisoformat)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="legalaid-versions-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = make_app(url, args.instance or workdir / "instance")
    database = get_database(app)
    prepare(database.engine, fresh=False)
    grow_to(app, args.cases, args.seed, "realistic")
    policies = app.extensions["legalaid.policies"]
    lag = policies.disclosure.data_entry_lag_days
    period = next(p for p in completed_periods(args.today, lag) if p.kind == "plan")
    with database.session_factory() as session:
        maker = session.scalars(select(User).where(User.role == "task_force")).first()
        if maker is None:
            raise SystemExit("no task-force account: is this a demo database?")
        maker_id = maker.id
    rng = random.Random(args.seed)  # noqa: S311 - which synthetic cases change
    print(f"period {period.code} ({period.start}..{period.end}), {args.cases} cases")
    with app.test_request_context():
        for version in range(1, args.versions + 1):
            request = ReleaseRequest(
                scope_key="national",
                clinic_id=None,
                period=period,
                reason=f"benchmark version {version}",
                user_id=maker_id,
            )
            started = time.perf_counter()
            make_release(
                database, request, catalogue=policies.indicators, policy=policies.disclosure
            )
            seconds = time.perf_counter() - started
            print(f"version {version:>3}: {seconds:6.2f} s", flush=True)
            _late_entries(database, rng)


def _late_entries(database: object, rng: random.Random) -> None:
    """A few cases' opening dates move, as late entries and corrections do."""
    from sqlalchemy import update

    from legalaid.cases.models import Case

    with database.transaction() as session:  # type: ignore[attr-defined]
        ids = list(session.scalars(select(Case.id).where(Case.opened_on.is_not(None))))
        for case_id in rng.sample(ids, min(3, len(ids))):
            session.execute(
                update(Case).where(Case.id == case_id).values(opened_on=date(2026, 7, 1))
            )


if __name__ == "__main__":
    main()
