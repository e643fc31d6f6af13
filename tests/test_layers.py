"""The house's layers: dependencies point down only.

Every import counts, a deferred one inside a function too (that is how a circle hides). Edges
(web, api, cli, scheduler) sit on the services; web and api share presenters and schemas below
them and never import each other; schemas and services never import each other either.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "reintegrate"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        candidates = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
    for name in candidates:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name:
            yield name


def _graph() -> dict[str, set[str]]:
    """Module -> the modules of this package it imports (a package's own submodules aside)."""
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _imported(module, node):
                    if target != module and not module.startswith(f"{target}."):
                        graph[module].add(target)
    return graph


GRAPH = _graph()


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_circle_finder_finds_a_deferred_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_no_module_imports_in_a_circle() -> None:
    assert _circles(GRAPH) == []


def _crossing(graph: dict[str, set[str]], layer: str, other: str) -> dict[str, list[str]]:
    """Modules under ``reintegrate.<layer>`` that import anything under ``reintegrate.<other>``."""
    inside, target = f"reintegrate.{layer}", f"reintegrate.{other}"
    crossing = {
        module: sorted(t for t in targets if t == target or t.startswith(f"{target}."))
        for module, targets in graph.items()
        if module == inside or module.startswith(f"{inside}.")
    }
    return {m: t for m, t in crossing.items() if t}


def test_the_crossing_finder_looks_one_way() -> None:
    graph = {"reintegrate.schemas.x": {"reintegrate.services.y"}, "reintegrate.services.y": set()}
    assert _crossing(graph, "schemas", "services") == {
        "reintegrate.schemas.x": ["reintegrate.services.y"]
    }
    assert _crossing(graph, "services", "schemas") == {}


@pytest.mark.parametrize(
    ("layer", "other"),
    [("web", "api"), ("api", "web"), ("schemas", "services"), ("services", "schemas")],
)
def test_sibling_layers_do_not_import_each_other(layer: str, other: str) -> None:
    """Web and api share what sits below them; schemas (what input looks like) and services
    (what is done with it) meet only at the edges, which load one and call the other."""
    assert _crossing(GRAPH, layer, other) == {}


@pytest.mark.parametrize(
    "layer", ["reintegrate.services", "reintegrate.schemas", "reintegrate.presenters"]
)
def test_lower_layers_do_not_import_the_edges(layer: str) -> None:
    edges = ("reintegrate.web", "reintegrate.api", "reintegrate.cli", "reintegrate.scheduler")
    upward = {
        module: sorted(t for t in targets if t.startswith(edges))
        for module, targets in GRAPH.items()
        if module.startswith(layer)
    }
    assert {m: t for m, t in upward.items() if t} == {}
