"""The package's import graph: layers with no arrows back up and no circles.

Every mdrepro module sits in a layer (:data:`LAYERS`, lowest first); a module may import its own
layer and the layers below, never one above. Imports inside functions count: they hide layering,
they do not fix it. Today's violations are listed in :data:`ALLOWED_UP` and :data:`ALLOWED_CYCLES`;
the lists may only shrink: a listed violation that is gone fails the test until it is removed
from the list (the architecture issue empties them).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1] / "mdrepro"

#: Layers, lowest first: each holds module-name prefixes.
LAYERS = [
    ("base", ("mdrepro", "mdrepro.errors", "mdrepro.units", "mdrepro.seeding", "mdrepro.config",
              "mdrepro.profiles", "mdrepro.provenance", "mdrepro.locks")),
    ("engines and analysis", ("mdrepro.simulate", "mdrepro.analysis")),
    ("data and models", ("mdrepro.data", "mdrepro.models", "mdrepro.training")),
    ("results", ("mdrepro.results",)),
    ("plots", ("mdrepro.plots", "mdrepro.viz")),
    ("book", ("mdrepro.book",)),
    ("papers", ("mdrepro.papers",)),
    ("operations", ("mdrepro.publish", "mdrepro.costs", "mdrepro.workflow", "mdrepro.preflight")),
    ("interface", ("mdrepro.cli", "mdrepro.__main__")),
]  # fmt: skip

#: Imports from a lower layer to a higher one that exist today (importer, imported).
ALLOWED_UP = {
    ("mdrepro.book.paper_scale", "mdrepro.papers"),
    ("mdrepro.book.paper_scale", "mdrepro.publish"),
    ("mdrepro.book.scorecard", "mdrepro.papers"),
    ("mdrepro.book.verdicts", "mdrepro.papers"),
    ("mdrepro.data.recipes", "mdrepro.results"),
    ("mdrepro.simulate.runner", "mdrepro.data.cache"),
    ("mdrepro.simulate.xtb", "mdrepro.data.cache"),
    ("mdrepro.training", "mdrepro.results"),
}
#: Circles among modules that exist today (each as the sorted tuple of its modules).
ALLOWED_CYCLES: set[tuple[str, ...]] = {
    ("mdrepro.book.paper_scale", "mdrepro.publish"),
    ("mdrepro.papers.cava.datasets", "mdrepro.papers.cava.study"),
    ("mdrepro.papers.sidky2020.datasets", "mdrepro.papers.sidky2020.study"),
    ("mdrepro.papers.winkler2020.datasets", "mdrepro.papers.winkler2020.study"),
}


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _known(name: str, modules: set[str]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def graph() -> nx.DiGraph:
    """Module -> mdrepro modules it imports (anywhere in the file)."""
    files = {_module(p): p for p in ROOT.rglob("*.py")}
    g = nx.DiGraph()
    g.add_nodes_from(files)
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                targets = [f"{mod}.{a.name}" for a in node.names] + [mod]
            for t in targets:
                if t.split(".")[0] != "mdrepro":
                    continue
                k = _known(t, set(files))
                if k and k != name:
                    g.add_edge(name, k)
    return g


def layer(name: str) -> int:
    best, rank = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (name == p or name.startswith(p + ".")) and len(p) > best:
                best, rank = len(p), i
    return rank


def _allowed_up(a: str, b: str) -> bool:
    return any(
        (a == x or a.startswith(x + ".")) and (b == y or b.startswith(y + "."))
        for x, y in ALLOWED_UP
    )


def test_every_module_has_a_layer():
    assert [m for m in graph() if layer(m) < 0] == []


def test_no_import_reaches_a_higher_layer_beyond_the_allow_list():
    g = graph()
    up = sorted((a, b) for a, b in g.edges if layer(b) > layer(a))
    new = [f"{a} -> {b}" for a, b in up if not _allowed_up(a, b)]
    assert not new, "imports from a lower layer to a higher one: " + "; ".join(new)


def test_the_allow_list_only_shrinks():
    g = graph()
    up = [(a, b) for a, b in g.edges if layer(b) > layer(a)]
    gone = [
        f"{x} -> {y}"
        for x, y in sorted(ALLOWED_UP)
        if not any(
            (a == x or a.startswith(x + ".")) and (b == y or b.startswith(y + ".")) for a, b in up
        )
    ]
    assert not gone, "fixed: remove from ALLOWED_UP: " + "; ".join(gone)


def test_no_new_circles():
    cycles = {tuple(sorted(c)) for c in nx.strongly_connected_components(graph()) if len(c) > 1}
    assert cycles <= ALLOWED_CYCLES, sorted(cycles - ALLOWED_CYCLES)
    assert not (ALLOWED_CYCLES - cycles), "fixed: remove from ALLOWED_CYCLES"


def test_the_layer_test_can_fail():
    assert layer("mdrepro.book.claims") < layer("mdrepro.papers.cava.claims")
    assert not _allowed_up("mdrepro.analysis.kurtosis", "mdrepro.papers")
