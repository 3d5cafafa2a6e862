"""Does a release slow down with every earlier version? Measures versions 1..N of one period.

Issue 14: the plan to date took 3.1 s for its first version and 13.8 s by the 26th. Each
version here is made and committed like the app's job makes it (``make_release``:
counted on a snapshot, stored in a short transaction), with a few late cases entered
between versions, as happens in practice. Wall time on a shared machine is noise, so each
version is measured by counts that do not depend on the machine:

- ``read``: release rows read from the database; ``cells``: earlier releases' cells
  handed to the audit's model (a version given by its changes counts those only);
- ``rows``/``vars``: the size of the audit's model (constraints and unknowns over today's
  and the earlier versions), the largest of the version;
- ``lps``/``lp_cols``: linear programmes built (one per connected component and pattern
  audited) and their columns in all; ``solves``: minimisations asked of HiGHS;
- ``calls`` with ``--profile``: Python function calls (``cProfile``; about 10x slower);
- ``sql``: statements sent, and on SQLite ``vm``: virtual-machine instructions (in
  thousands, ``set_progress_handler``).

It prints every version, then versions 1, 10 and 25 (those reached) with their ratios to
version 1.

Usage (from the project root)::

    python benchmarks/release_versions.py --cases 1000 --versions 25
    python benchmarks/release_versions.py --database-url postgresql+psycopg://... --instance DIR
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import grow_to, make_app, prepare

import legalaid.disclosure.audit as audit
from legalaid.accounts.models import User
from legalaid.cases.models import Case
from legalaid.database import Database, get_database
from legalaid.indicators.periods import completed_periods
from legalaid.releases.models import IndicatorRelease
from legalaid.releases.services import ReleaseRequest, make_release

REPORTED = (1, 10, 25)
#: VM instructions between two calls of the SQLite progress handler.
VM_STEP = 1000


class Counts:
    """What one version cost, machine-independently."""

    def __init__(self, profile: bool) -> None:
        self.tally: Counter[str] = Counter()
        self.profile = profile

    @contextmanager
    def watching(self, database: Database) -> Iterator[None]:
        engine = database.engine
        sqlite = engine.dialect.name == "sqlite"

        def statement(*_args: Any) -> None:
            self.tally["sql"] += 1

        def loaded(*_args: Any) -> None:
            self.tally["read"] += 1  # release rows read (content and true counts)

        def vm_steps() -> int:
            self.tally["vm"] += 1
            return 0  # go on

        def on_checkout(dbapi_connection: Any, *_args: Any) -> None:
            if sqlite:
                dbapi_connection.set_progress_handler(vm_steps, VM_STEP)

        def on_checkin(dbapi_connection: Any, *_args: Any) -> None:
            if sqlite:
                dbapi_connection.set_progress_handler(None, VM_STEP)

        model_init = audit.Model.__init__
        programme_init = audit._Programme.__init__
        highs = audit._Programme._highs_minimum
        linprog = audit._Programme._linprog_minimum

        def counted_model(model: audit.Model, *args: Any, **kwargs: Any) -> None:
            model_init(model, *args, **kwargs)
            earlier = args[1] if len(args) > 1 else kwargs.get("earlier", ())
            # Earlier cells the model was handed: every cell of a release given in full,
            # only the changed cells of a version given by its difference to the next.
            self.tally["cells"] = max(
                self.tally["cells"],
                sum(len(getattr(release, "values", ())) for release in earlier),
            )
            self.tally["models"] += 1
            self.tally["rows"] = max(self.tally["rows"], len(model.rows))
            self.tally["vars"] = max(self.tally["vars"], len(model.variables))

        def counted_programme(programme: Any, *args: Any, **kwargs: Any) -> None:
            programme_init(programme, *args, **kwargs)
            self.tally["lps"] += 1
            self.tally["lp_cols"] += programme.width

        def counted_highs(programme: Any, *args: Any, **kwargs: Any) -> Any:
            self.tally["solves"] += 1
            return highs(programme, *args, **kwargs)

        def counted_linprog(programme: Any, *args: Any, **kwargs: Any) -> Any:
            self.tally["solves"] += 1
            return linprog(programme, *args, **kwargs)

        patches = [
            (audit.Model, "__init__", counted_model, model_init),
            (audit._Programme, "__init__", counted_programme, programme_init),
            (audit._Programme, "_highs_minimum", counted_highs, highs),
            (audit._Programme, "_linprog_minimum", counted_linprog, linprog),
        ]
        for owner, name, counted, _ in patches:
            setattr(owner, name, counted)
        event.listen(engine, "before_cursor_execute", statement)
        event.listen(IndicatorRelease, "load", loaded)
        event.listen(engine, "checkout", on_checkout)
        event.listen(engine, "checkin", on_checkin)
        engine.dispose()  # pooled connections are checked out again, with the handler
        profile = cProfile.Profile() if self.profile else None
        if profile is not None:
            profile.enable()
        try:
            yield
        finally:
            if profile is not None:
                profile.disable()
            for owner, name, _, original in patches:
                setattr(owner, name, original)
            event.remove(engine, "before_cursor_execute", statement)
            event.remove(IndicatorRelease, "load", loaded)
            event.remove(engine, "checkout", on_checkout)
            event.remove(engine, "checkin", on_checkin)
            engine.dispose()
        if profile is not None:
            stats = pstats.Stats(profile)
            self.tally["calls"] = sum(
                calls
                for _, calls, *_ in stats.stats.values()  # type: ignore[attr-defined]
            )


COLUMNS = ("read", "cells", "rows", "vars", "lps", "lp_cols", "solves", "sql", "vm")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--database-url", help="default: a new temporary SQLite file")
    parser.add_argument("--instance", type=Path, help="keys of the data (default: temporary)")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=25)
    parser.add_argument("--today", default="2027-03-01", type=date.fromisoformat)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--profile", action="store_true", help="also count Python calls (cProfile: slower)"
    )
    args = parser.parse_args()
    columns = (*COLUMNS, "calls") if args.profile else COLUMNS
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
    print(
        f"period {period.code} ({period.start}..{period.end}), {args.cases} cases, "
        f"{url.split(':')[0]}"
    )
    print(f"{'version':>7} " + " ".join(f"{c:>10}" for c in columns) + f" {'seconds':>8}")
    results: dict[int, Counter[str]] = {}
    with app.test_request_context(), contextlib.suppress(KeyboardInterrupt):
        for version in range(1, args.versions + 1):
            request = ReleaseRequest(
                scope_key="national",
                clinic_id=None,
                period=period,
                reason=f"benchmark version {version}",
                user_id=maker_id,
                # A late case may hide cells the previous version showed: made anyway,
                # as a task-force member who checked them would.
                more_hidden_confirmed=True,
            )
            counts = Counts(args.profile)
            started = time.perf_counter()
            with counts.watching(database):
                make_release(
                    database, request, catalogue=policies.indicators, policy=policies.disclosure
                )
            seconds = time.perf_counter() - started
            results[version] = counts.tally
            print(
                f"{version:>7} "
                + " ".join(f"{counts.tally[c]:>10}" for c in columns)
                + f" {seconds:8.2f}",
                flush=True,
            )
            _late_entries(database, rng)
    # Interrupted (Ctrl-C on a slow machine): the versions reached, and the last one.
    reported = sorted({v for v in REPORTED if v in results} | {max(results)})
    print("\nratios to version 1 (1.00: no growth)")
    for column in columns:
        first = results[1][column]
        figures = ", ".join(
            f"v{v} {results[v][column]}"
            + (f" ({results[v][column] / first:.2f}x)" if first else "")
            for v in reported
        )
        print(f"  {column:>5}: {figures}")


def _late_entries(database: Database, rng: random.Random) -> None:
    """A few cases' opening dates move, as late entries and corrections do."""
    with database.transaction() as session:
        ids = list(
            session.scalars(select(Case.id).where(Case.opened_on.is_not(None)).order_by(Case.id))
        )
        for case_id in rng.sample(ids, min(3, len(ids))):
            session.execute(
                update(Case).where(Case.id == case_id).values(opened_on=date(2026, 7, 1))
            )


if __name__ == "__main__":
    main()
