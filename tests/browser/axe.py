"""axe-core in the browser tests: the copy that the pinned PyPI package
``axe-playwright-python`` ships (pyproject.toml's test extra, installed by ``.ci/run`` like any
other test dependency; nothing is fetched when the tests run)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

#: What fails a page: axe's two highest impacts, and rules of lower impact once fixed.
FAILING = ("critical", "serious")
FAILING_RULES = ("landmark-unique",)


@cache
def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return str(AXE_SCRIPT)


def audit(page: Any) -> dict[str, Any]:
    """axe-core's violations on the page, and the texts whose colour contrast it could not
    measure (an image behind the text, a symbol): both must be empty or light."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    options = {"resultTypes": ["violations", "incomplete"]}
    result: dict[str, Any] = page.evaluate(
        f"() => axe.run(document, {json.dumps(options)}).then(r => ({{"
        "violations: r.violations.map(v => ({id: v.id, impact: v.impact, "
        "nodes: v.nodes.map(n => n.target.join(' '))})), "
        "unmeasured: r.incomplete.filter(v => v.id === 'color-contrast').flatMap(v => "
        "v.nodes.map(n => n.target.join(' ') + ' (' + n.any.map(c => "
        "(c.data && c.data.messageKey) || c.message).join('/') + ')'))}))"
    )
    return result


def problems(
    result: dict[str, Any],
    where: str,
    by_impact: dict[str, int],
    by_rule: dict[str, int] | None = None,
) -> list[str]:
    """What fails in one audit, each line saying where; every violation counted by impact
    (and by impact and rule in ``by_rule``, for the report)."""
    found = []
    for violation in result["violations"]:
        impact = str(violation["impact"])
        by_impact[impact] = by_impact.get(impact, 0) + 1
        if by_rule is not None:
            key = f"{impact} {violation['id']}"
            by_rule[key] = by_rule.get(key, 0) + 1
        if impact in FAILING or violation["id"] in FAILING_RULES:
            found.append(f"{where}: {violation['id']} ({impact}) at {violation['nodes'][:3]}")
    found.extend(f"{where}: colour contrast not measured at {n}" for n in result["unmeasured"])
    return found
