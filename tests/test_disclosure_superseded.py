"""Issue 14: earlier versions given by their differences to the next version
(:class:`Superseded`) make exactly the model, and so exactly the protection, that the
same versions given in full make; only the work no longer grows with their number."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legalaid.disclosure.audit import DisclosureRefusedError, Model, Published, Superseded
from legalaid.disclosure.suppression import protect
from tests.test_disclosure_versions_properties import POLICY, one_case, tables_of


def _as_superseded(earlier: list[Published]) -> list[Published | Superseded]:
    """Every version but the last as its cells that differ from the next one."""
    found: list[Published | Superseded] = []
    for index, release in enumerate(earlier[:-1]):
        following = earlier[index + 1]
        before, after = release.truth(), following.truth()
        changed = [
            cell
            for cell in before
            if before[cell] != after[cell] or release.values[cell] != following.values[cell]
        ]
        found.append(
            Superseded(
                index + 1,
                {cell: before[cell] for cell in changed},
                {cell: release.values[cell] for cell in changed},
            )
        )
    return [*found, earlier[-1]]


def _same_model(full: Model, short: Model) -> None:
    assert full.links == short.links
    assert full.changes == short.changes
    assert full.earlier_known == short.earlier_known
    assert full.earlier_hidden == short.earlier_hidden
    assert full.hidden_before == short.hidden_before
    assert full.differencing == short.differencing
    assert full.variables == short.variables


edits = st.lists(
    st.tuples(
        st.sampled_from(["add", "drop"]),
        st.lists(one_case(), min_size=1, max_size=3),
    ),
    min_size=2,
    max_size=5,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(one_case(), min_size=15, max_size=60), edits)
def test_versions_given_by_their_changes_make_the_same_model_and_protection(cases, steps):
    earlier: list[Published] = []
    for kind, batch in [("add", []), *steps]:
        cases = cases + batch if kind == "add" else cases[len(batch) :]
        tables = tables_of(cases)
        if earlier:
            short = _as_superseded(earlier)
            assert (len(earlier) > 1) == any(isinstance(r, Superseded) for r in short)
            _same_model(Model(tables, earlier, POLICY), Model(tables, short, POLICY))
        try:
            protection = protect(tables, POLICY, earlier=earlier)
        except DisclosureRefusedError:
            if earlier:
                try:
                    protect(tables, POLICY, earlier=_as_superseded(earlier))
                except DisclosureRefusedError:
                    return
                raise AssertionError("refused with versions in full only") from None
            return
        if earlier:
            again = protect(tables, POLICY, earlier=_as_superseded(earlier))
            assert again.released() == protection.released()
            assert again.report.failures == protection.report.failures
        earlier.append(protection.as_published())


def test_a_superseded_version_must_come_before_its_next() -> None:
    tables = tables_of([("gbv", "rape", "baku", "woman")] * 5)
    latest = Published(tuple(tables), {})
    try:
        Model(tables, [latest, Superseded(0, {}, {})], POLICY)
    except ValueError:
        return
    raise AssertionError("accepted a superseded version after its next")
