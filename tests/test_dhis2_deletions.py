"""A new version's DHIS2 exchange deletes the values it hides since (issue 13)."""

from __future__ import annotations

from legalaid.disclosure.policy import DisclosurePolicy, load_indicator_policies
from legalaid.disclosure.suppression import protect
from legalaid.indicators.dimensions import STATIC_DIMENSIONS
from legalaid.indicators.periods import quarter
from legalaid.indicators.tables import Key, Table
from legalaid.releases import exports
from legalaid.releases.frozen import FrozenRelease, freeze

Q1 = quarter(2026, 1)
CATEGORY = STATIC_DIMENSIONS["category"]


def _frozen(counts: dict[str, int], earlier=None):
    catalogue, policy = load_indicator_policies(None)
    inner: dict[Key, int] = {(c,): counts.get(c, 0) for c in CATEGORY.categories}
    table = Table.from_counts("cases_opened", Q1, (), {(): sum(inner.values())})
    by_category = Table.from_counts("cases_opened", Q1, (CATEGORY,), inner)
    protection = protect(
        [table, by_category], DisclosurePolicy(), earlier=[] if earlier is None else [earlier]
    )
    content, truth = freeze(protection, catalogue, policy, period=Q1, clinic_code=None)
    return FrozenRelease(content, truth), protection, catalogue


def test_a_value_hidden_in_the_new_version_is_deleted_in_dhis2() -> None:
    first, protection, catalogue = _frozen({"gbv": 20, "discrimination": 30, "other": 40})
    sent = exports.export_dhis2(first, catalogue)["dataValues"]
    total = [v for v in sent if v["dataElement"] == "AZLA02_CASES_OPENED"]
    assert [v["value"] for v in total] == ["90"]
    # One client withdrew her consent: the total changes by 1, a small change, hidden.
    second, _, _ = _frozen(
        {"gbv": 19, "discrimination": 30, "other": 40}, earlier=protection.as_published()
    )
    assert not [
        v
        for v in exports.export_dhis2(second, catalogue)["dataValues"]
        if v["dataElement"] == "AZLA02_CASES_OPENED"
    ]
    deletions = exports.export_dhis2_deletions(second, first, catalogue)
    assert deletions["importStrategy"] == "DELETE"
    assert deletions["dataValues"] == [
        {
            "dataElement": "AZLA02_CASES_OPENED",
            "period": "2026Q1",
            "orgUnit": "AZ",
            "categoryOptionCombo": "default",
        }
    ]
    # Nothing to delete between a version and itself.
    assert exports.export_dhis2_deletions(first, first, catalogue)["dataValues"] == []
