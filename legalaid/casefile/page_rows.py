"""Everything the case page lists about a case, read in one statement.

The page shows nine lists of rows of the case (documents, services, hearings, notes, tasks,
referrals, conflict checks, status changes, assignments) and two lists of choices for its
forms (the active providers, the accounts a task may be for). Read one statement each,
that was eleven round trips, each with its own compile-cache lookup, cursor and result:
most of the time of the view's queries, and on PostgreSQL most of it waiting.

Here they come in one ``SELECT``, as a *disjoint union through outer joins*: a constant
table of branch numbers (``0 .. k-1``) is joined, outer, to each list's table on
``branch.n = i AND <the list's condition>``, so that every result row belongs to one branch
and carries one list's entity (the others are NULL: the ORM gives ``None`` for them). The
ORM still builds the entities with their joined relationships (a note's author and
revisions, a hit's clinic), as the separate statements did; the page reads nothing lazily.

Each list's table is reached by its own ``case_id`` index only in its own branch: the
join key is ``CASE WHEN branch.n = i THEN :case END``, NULL in every other branch, so the
database does not walk one list's rows once per row of another (SQLite checks an ON term
on the outer table inside the inner loop). ``EXPLAIN`` in tests/test_case_page_statements.py.

Scope: the caller passes a case already loaded through the viewer's scope
(:func:`legalaid.casefile.page.case_page_or_404`); every list is of that case's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Select, and_, case, literal_column, select, union_all
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.sql.elements import ColumnElement
from wtforms.fields.choices import SelectChoice

from legalaid.accounts.models import User
from legalaid.cases.models import Case, CaseAssignment, CaseStatusChange
from legalaid.casework.models import CaseTask, Hearing, Note, ServiceDelivery
from legalaid.casework.services import task_assignee_condition
from legalaid.conflicts.models import ConflictCheck, ConflictHit
from legalaid.documents.models import Document
from legalaid.providers.models import ServiceProvider
from legalaid.referrals.models import Referral


@dataclass
class CaseLists:
    """What :func:`case_lists` read, in the order each list is shown."""

    documents: list[Document] = field(default_factory=list)
    services: list[ServiceDelivery] = field(default_factory=list)
    hearings: list[Hearing] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    tasks: list[CaseTask] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    checks: list[ConflictCheck] = field(default_factory=list)
    history: list[CaseStatusChange] = field(default_factory=list)
    assignments: list[CaseAssignment] = field(default_factory=list)
    #: The referral form's active providers, by name (as ``page.provider_choices``).
    providers: list[SelectChoice] = field(default_factory=list)
    #: The task form's assignees, by name (as ``casework.services.task_assignees``).
    assignees: list[SelectChoice] = field(default_factory=list)


@dataclass(frozen=True)
class _Entities:
    """One list of entities: its model, the column keyed to the case, order, eager loads."""

    name: str
    model: Any
    case_column: Any
    order_by: tuple[Any, ...]
    options: tuple[ORMOption, ...] = ()


#: The lists of the case's own rows, each in the order the page shows it.
_ENTITY_LISTS: tuple[_Entities, ...] = (
    _Entities(
        "documents",
        Document,
        Document.case_id,
        (Document.uploaded_at.desc(), Document.id.desc()),
    ),
    _Entities(
        "services",
        ServiceDelivery,
        ServiceDelivery.case_id,
        (ServiceDelivery.delivered_on.desc(), ServiceDelivery.id.desc()),
        (joinedload(ServiceDelivery.provided_by),),
    ),
    _Entities("hearings", Hearing, Hearing.case_id, (Hearing.due_on, Hearing.id)),
    _Entities(
        "notes",
        Note,
        Note.case_id,
        (Note.created_at.desc(), Note.id.desc()),
        # Each note with its revisions (the page shows the current one).
        (joinedload(Note.author), joinedload(Note.revisions)),
    ),
    _Entities(
        "tasks",
        CaseTask,
        CaseTask.case_id,
        (CaseTask.done, CaseTask.due_on, CaseTask.id),
        (joinedload(CaseTask.assignee),),
    ),
    _Entities(
        "referrals",
        Referral,
        Referral.case_id,
        (Referral.sent_on.desc(), Referral.id.desc()),
        (joinedload(Referral.provider),),
    ),
    _Entities(
        "checks",
        ConflictCheck,
        ConflictCheck.case_id,
        (ConflictCheck.id.desc(),),
        (joinedload(ConflictCheck.hits).joinedload(ConflictHit.clinic),),
    ),
    _Entities(
        "history",
        CaseStatusChange,
        CaseStatusChange.case_id,
        (CaseStatusChange.id.desc(),),
        (joinedload(CaseStatusChange.changed_by),),
    ),
    _Entities(
        "assignments",
        CaseAssignment,
        CaseAssignment.case_id,
        (CaseAssignment.id.desc(),),
        (joinedload(CaseAssignment.to_lawyer), joinedload(CaseAssignment.assigned_by)),
    ),
)

#: The lists read together, one statement per group. One statement for all of them would
#: join some 25 tables: PostgreSQL then plans for tens of milliseconds (the planner's join
#: search grows quickly past ``join_collapse_limit``, 8 tables). Groups of about 8 tables
#: plan in well under a millisecond and still save most round trips. The last group also
#: carries the forms' choices.
GROUPS: tuple[tuple[str, ...], ...] = (
    ("documents", "services", "hearings", "tasks"),
    ("notes", "referrals", "checks"),
    ("history", "assignments"),
)
_BY_NAME = {entities.name: entities for entities in _ENTITY_LISTS}


def _branch_table(count: int) -> Any:
    """The constant table ``n`` = 0 .. count-1 (a union of one-row selects: both databases)."""
    return union_all(
        *(select(literal_column(str(n), Integer).label("n")) for n in range(count))
    ).subquery("branch")


def case_lists_statement(case_: Case, names: tuple[str, ...], choices: bool) -> Select[Any]:
    """The statement of one group of :func:`case_lists` (tests EXPLAIN it).

    Its rows: the branch number, one entity per list (``None`` outside its branch), then,
    with ``choices``, a provider's id and name and an assignee's id and name.
    """
    lists = [_BY_NAME[name] for name in names]
    providers, assignees = len(lists), len(lists) + 1
    branch = _branch_table(len(lists) + (2 if choices else 0))

    def only_in(n: int, value: Any) -> ColumnElement[Any]:
        # NULL outside branch n: no index entry matches, the table is not walked.
        return case((branch.c.n == n, value))

    columns: list[Any] = [branch.c.n, *(entities.model for entities in lists)]
    if choices:
        columns.extend((ServiceProvider.id, ServiceProvider.name, User.id, User.full_name))
    statement = select(*columns).select_from(branch)
    if choices:
        # The same conditions as page.provider_choices and task_assignees, joined first (the
        # constant branch rows only; these tables have no index to seek). The eager loads
        # below join their own aliases of these tables, never these.
        statement = statement.outerjoin(
            ServiceProvider,
            and_(branch.c.n == providers, ServiceProvider.active.is_(True)),
        ).outerjoin(User, and_(branch.c.n == assignees, task_assignee_condition(case_)))
    for n, entities in enumerate(lists):
        statement = statement.outerjoin(
            entities.model, entities.case_column == only_in(n, case_.id)
        )
    order: list[Any] = [branch.c.n]
    for entities in lists:
        order.extend(entities.order_by)
    if choices:
        order.extend((ServiceProvider.name, ServiceProvider.id, User.full_name, User.id))
    options = [option for entities in lists for option in entities.options]
    return statement.order_by(*order).options(*options)


def case_lists(session: Session, case_: Case) -> CaseLists:
    """The lists and choices of the case page, in ``len(GROUPS)`` statements."""
    found = CaseLists()
    for index, names in enumerate(GROUPS):
        choices = index == len(GROUPS) - 1
        lists: Sequence[list[Any]] = [getattr(found, name) for name in names]
        first_choice = 1 + len(names)  # the row: n, the entities, then the choices
        rows = session.execute(case_lists_statement(case_, names, choices)).unique()
        for row in rows:
            n = row[0]
            if n < len(names):
                if row[1 + n] is not None:
                    lists[n].append(row[1 + n])
            elif n == len(names):
                if row[first_choice] is not None:
                    found.providers.append(
                        SelectChoice(str(row[first_choice]), row[first_choice + 1])
                    )
            elif row[first_choice + 2] is not None:
                found.assignees.append(
                    SelectChoice(str(row[first_choice + 2]), row[first_choice + 3])
                )
    return found
