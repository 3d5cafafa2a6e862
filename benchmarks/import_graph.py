"""The package-level import graph of `legalaid`, read from the source (no import is run).

Every module under `legalaid/` is parsed; each `import legalaid.X...` or
`from legalaid.X... import ...` (and relative imports) adds an edge from the module's top-level
package (`legalaid.<first part>`) to the imported one. Prints the edges, the pairs of packages
that import each other, and the strongly connected components (cycles) largest first.

    python benchmarks/import_graph.py            # summary
    python benchmarks/import_graph.py --edges    # every package edge with one example module
    python benchmarks/import_graph.py --json     # machine-readable figures
    python benchmarks/import_graph.py --domain   # the same without the web layer and edges

``--domain`` leaves out what sits above the domain: views, forms and CLI modules of every
package, the web packages (``WEB_PACKAGES``), the commands and the app assembly. What cycles
remain are cycles of models and services, which no web package can be blamed for.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "legalaid"

#: Packages that are web (or commands, or the app's assembly) as a whole.
WEB_PACKAGES = frozenset(
    {
        "access",
        "api",
        "casefile",
        "demo",
        "held_forms",
        "home",
        "keys",
        "legalaid",
        "pages",
        "staff",
    }
)
_EDGE_MODULES = ("views", "forms", "cli", "downloads")


def _is_edge(module: str) -> bool:
    last = module.split(".")[-1]
    return _package_of(module) in WEB_PACKAGES or any(
        last == name or last.endswith(f"_{name}") for name in _EDGE_MODULES
    )


def _package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "legalaid"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("legalaid."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                drop = node.level - 1 if is_package else node.level
                base = base[: len(base) - drop] if drop else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "legalaid":
                # `from legalaid import cases` imports the package `cases`.
                found.update(f"legalaid.{a.name}" for a in node.names)
            elif target.startswith("legalaid."):
                found.add(target)
    return found


def package_graph(domain_only: bool = False) -> dict[str, dict[str, str]]:
    """{package: {imported package: an example importing module}}."""
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _module_name(path)
        if domain_only and _is_edge(module):
            continue
        source = _package_of(module)
        graph.setdefault(source, {})
        for target in _imports(path, module):
            dest = _package_of(target)
            if domain_only and _is_edge(target):
                continue
            if dest != source:
                graph[source].setdefault(dest, module)
    return graph


def strongly_connected(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """Tarjan's algorithm; components of more than one package, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components, key=lambda c: (-len(c), c))


def mutual_pairs(graph: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a in graph for b in graph[a] if a < b and a in graph.get(b, {}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--domain", action="store_true", help="leave out the web layer")
    args = parser.parse_args()
    graph = package_graph(domain_only=args.domain)
    pairs = mutual_pairs(graph)
    components = strongly_connected(graph)
    edges = sum(len(v) for v in graph.values())
    if args.json:
        print(
            json.dumps(
                {
                    "packages": len(graph),
                    "edges": edges,
                    "mutual_pairs": [list(p) for p in pairs],
                    "components": components,
                },
                indent=2,
            )
        )
        return
    if args.edges:
        for source in sorted(graph):
            for dest in sorted(graph[source]):
                print(f"{source} -> {dest}    ({graph[source][dest]})")
        print()
    print(f"packages: {len(graph)}  package edges: {edges}")
    print(f"mutually importing pairs: {len(pairs)}")
    for a, b in pairs:
        print(f"  {a} <-> {b}    ({graph[a][b]} / {graph[b][a]})")
    largest = components[0] if components else []
    print(f"cycles (strongly connected components): {len(components)}")
    print(f"largest cycle: {len(largest)} packages")
    for component in components:
        print(f"  {len(component)}: {' '.join(component)}")


if __name__ == "__main__":
    main()
