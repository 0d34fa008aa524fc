"""The package's imports, read from the source (module-level and inside functions alike):
no import cycles, and no upward imports between the layers (tools, then the knowledge
base, then the agent, then the evaluations, then the faces: the CLI and the app). A
cycle held together by imports inside functions is still a cycle."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "sportsgpt"
SKIP = {"tests", "benchmarks", "scripts", "docs", "samples", "models", "out"}
LAYERS = ({"tools"}, {"kb"}, {"agent"}, {"evals"}, {"cli", "app"})
"""Lowest first: a module may import its own layer and those below it."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] in SKIP or parts[0].startswith(".") or "egg-info" in parts[0]:
            continue
        name = [PACKAGE, *parts]
        found[".".join(name[:-1] if name[-1] == "__init__" else name)] = path
    return found


@cache
def _package_graph() -> dict[str, set[str]]:
    """The whole package's graph, read once for the tests here (not to be changed)."""
    return _graph(_modules())


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (a name imported from a package counts
    as its submodule when there is one)."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join([*here[: len(here) - node.level + 1],
                                     *([node.module] if node.module else [])])  # fmt: skip
                elif (node.module or "").startswith(PACKAGE):
                    base = str(node.module)
                else:
                    continue
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]  # fmt: skip
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith(PACKAGE)]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    out.append(sorted(group))
    return out


def _layer(module: str) -> int | None:
    top = module.split(".")[1] if "." in module else ""
    return next((i for i, names in enumerate(LAYERS) if top in names), None)


def test_the_package_has_no_import_cycle() -> None:
    graph = _package_graph()
    assert len(graph) > 100  # the whole package was read
    assert _cycles(graph) == []


def test_no_layer_imports_one_above_it() -> None:
    graph = _package_graph()
    upward = [
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if (low := _layer(module)) is not None
        and (high := _layer(target)) is not None
        and high > low
    ]
    assert upward == []


def test_the_checks_see_a_cycle_and_an_upward_import() -> None:
    """The checks themselves: a made-up cycle and a made-up upward import are found."""
    graph = {"sportsgpt.tools.a": {"sportsgpt.tools.b"}, "sportsgpt.tools.b": {"sportsgpt.tools.a"},
             "sportsgpt.kb.c": set()}  # fmt: skip
    assert _cycles(graph) == [["sportsgpt.tools.a", "sportsgpt.tools.b"]]
    assert _layer("sportsgpt.agent.nodes") == 2 and _layer("sportsgpt.tools.pose") == 0
    assert _layer("sportsgpt.app") == 4 and _layer("sportsgpt.cli.main") == 4
