"""The layers of the archive package, read from the source with `ast` (no tool, nothing imported).

A unit is a top-level package or module of `archive/` (`records`, `audit`, `queue`, ...). Each
import of another unit, at module level or inside a function, is an edge. The tests fail on:
a cycle between units at module level; a unit importing a layer above its own (the ground floor
importing a feature package, say); and a function-level import that closes a cycle, unless it is
named in DEFERRED with the reason it has to stay.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from archive.config import REPO_ROOT

ARCHIVE = REPO_ROOT / "archive"

# Lowest first. A unit imports units of its own layer or of the layers below it, never above.
LAYERS: dict[str, set[str]] = {
    # What everything builds on: settings, the database and its models, the object store, the
    # refusal type, the audit trail, file inspection, the retention schedule, users and who may
    # see what, and the after-commit follow-ups.
    "ground floor": {"access", "amounts", "audit", "auth", "config", "db", "errors", "files",
                     "follow_ups", "logs", "models", "pdf", "retention", "schema", "storage",
                     "tabular"},
    # The sign-off core every feature that signs, pays or counts days builds on: chain
    # definitions, steps and conditions, the sign-off's refusals, working days and months.
    "sign-off core": {"signoff"},
    # What the archive does: reading documents, taking them in, cases and their sign-off,
    # claims, providers, notices, records, search and the figures.
    "features": {"backscan", "case_export", "case_lists", "case_snapshot", "cases", "claims",
                 "dashboard", "demo", "findings_text", "health", "hospital_levels", "intake",
                 "notices", "ocr", "previews", "processing", "providers", "records", "search",
                 "setup", "spot_checks", "statistics", "workflows"},
    # Where a process starts and wires the rest together: the app factory, the web and the CLI,
    # the job functions, the queue and the runtime that owns it, the workers, the migrations.
    "entry points": {"archive", "cli", "jobs", "migrations", "queue", "runtime", "web", "workers"},
}

# Function-level imports that close a cycle between units (or reach up a layer), kept on
# purpose: (importing module, imported unit) -> why it stays.
DEFERRED: dict[tuple[str, str], str] = {
    ("archive.files.validate", "ocr"):
        "counting an OFD's or e-invoice XML's pages needs ocr's OFD package reader, which builds "
        "on files' type sniffing",
    ("archive.hospital_levels", "claims"):
        "the policy scale's hospital levels come from the policy book, which builds on them",
    ("archive.hospital_levels", "statistics"):
        "the statistics scale's hospital levels come from its name rules, which build on them",
}


@dataclass(frozen=True)
class Edge:
    module: str  # the importing module, e.g. archive.records.filing
    unit: str  # the unit it imports, e.g. cases
    line: int
    deferred: bool  # inside a function


def unit_of(module: str) -> str:
    """`archive.records.filing` -> `records`; `archive` itself (the app factory) is a unit."""
    parts = module.split(".")
    if len(parts) == 1:
        return "archive"
    if (ARCHIVE / parts[1]).is_dir() or (ARCHIVE / f"{parts[1]}.py").exists():
        return parts[1]
    return "archive"  # a name defined in archive/__init__.py, e.g. create_app


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:  # relative: resolved against the importing package
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source == "archive":  # `from archive import audit`: the names are units
        return [f"archive.{alias.name}" for alias in node.names]
    return [source]


@cache
def edges() -> tuple[Edge, ...]:
    found: list[Edge] = []
    for path in sorted(ARCHIVE.rglob("*.py")):
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found += _edges_in(tree, module, path.name == "__init__.py", deferred=False)
    return tuple(found)


def _edges_in(node: ast.AST, module: str, is_package: bool, *, deferred: bool) -> list[Edge]:
    found = []
    for child in ast.iter_child_nodes(node):
        inner = deferred or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for target in imported_modules(child, module, is_package):
            inside = target == "archive" or target.startswith("archive.")
            if inside and unit_of(target) != unit_of(module):
                found.append(Edge(module, unit_of(target), child.lineno, inner))
        found += _edges_in(child, module, is_package, deferred=inner)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        for other in sorted(graph.get(unit, ())):
            if other not in index:
                visit(other)
                low[unit] = min(low[unit], low[other])
            elif other in stack:
                low[unit] = min(low[unit], index[other])
        if low[unit] == index[unit]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == unit:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for unit in sorted(graph):
        if unit not in index:
            visit(unit)
    return found


def graph_of(chosen) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for edge in chosen:
        graph[unit_of(edge.module)].add(edge.unit)
    return graph


def described(component: list[str], chosen) -> str:
    inside = sorted({f"{e.module}:{e.line} -> {e.unit}" for e in chosen
                     if unit_of(e.module) in component and e.unit in component})
    return f"{component}:\n    " + "\n    ".join(inside)


def layer_of(unit: str) -> int:
    [position] = [n for n, units in enumerate(LAYERS.values()) if unit in units]
    return position


def test_every_unit_has_one_layer():
    units = {unit_of(module_name(path)) for path in ARCHIVE.rglob("*.py")}
    placed = [unit for members in LAYERS.values() for unit in members]
    assert len(placed) == len(set(placed)), "a unit is in two layers"
    assert units == set(placed), (f"without a layer: {sorted(units - set(placed))}; "
                                  f"gone: {sorted(set(placed) - units)}")


def test_no_cycle_between_units_at_module_level():
    at_module_level = [edge for edge in edges() if not edge.deferred]
    found = cycles(graph_of(at_module_level))
    assert not found, "import cycles:\n" + "\n".join(described(c, at_module_level) for c in found)


def test_no_unit_imports_a_layer_above_its_own():
    upward = sorted(f"{edge.module}:{edge.line} ({list(LAYERS)[layer_of(unit_of(edge.module))]}) "
                    f"imports {edge.unit} ({list(LAYERS)[layer_of(edge.unit)]})"
                    for edge in edges() if layer_of(edge.unit) > layer_of(unit_of(edge.module))
                    and (edge.module, edge.unit) not in DEFERRED)
    assert not upward, "\n".join(upward)


def test_function_level_imports_close_no_cycle_but_the_named_ones():
    kept = [edge for edge in edges() if (edge.module, edge.unit) not in DEFERRED]
    found = cycles(graph_of(kept))
    assert not found, ("a function-level import closes a cycle (import at module level after "
                       "untangling, or name it in DEFERRED with the reason):\n"
                       + "\n".join(described(c, kept) for c in found))


def test_every_named_deferred_import_still_exists_and_is_needed():
    deferred = {(edge.module, edge.unit) for edge in edges() if edge.deferred}
    assert set(DEFERRED) <= deferred, f"gone or now at module level: {sorted(set(DEFERRED) - deferred)}"
    everything = edges()
    for named in DEFERRED:
        others = [e for e in everything if (e.module, e.unit) not in DEFERRED or (e.module, e.unit) == named]
        module_unit = unit_of(named[0])
        closes = any(module_unit in c and named[1] in c for c in cycles(graph_of(others)))
        upward = layer_of(named[1]) > layer_of(module_unit)
        assert closes or upward, f"{named} closes no cycle and stays in its layer: import it at module level"
