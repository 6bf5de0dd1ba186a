"""The package's layout: no module of ``planner/`` imports, however late, a module that
imports it back. Every import statement counts: at the top, inside a function, under
``if TYPE_CHECKING:``; importing ``a.b.c`` runs ``a`` and ``a.b`` too."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import networkx as nx

from tests.conftest import ROOT


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, name: str, is_package: bool) -> list[str]:
    """The dotted names an import statement of module ``name`` asks for; of
    ``from a import b``, ``a.b`` (a module, or a name in ``a``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: from the module's own package (one dot), or above it
        package = name.split(".") if is_package else name.split(".")[:-1]
        base = ".".join([*package[:len(package) - node.level + 1], *filter(None, [node.module])])
    return [f"{base}.{alias.name}" for alias in node.names]


def _run_by(target: str, modules: dict[str, Path], importer: str) -> list[str]:
    """The package's modules that importing ``target`` runs: the module it names (the
    longest dotted prefix of it that is one), and the packages above that one but those
    the importer is in (they are running already)."""
    parts = target.split(".")
    prefixes = [p for p in (".".join(parts[:n]) for n in range(len(parts), 0, -1))
                if p in modules]
    return [p for n, p in enumerate(prefixes)
            if p != importer and (n == 0 or not importer.startswith(p + "."))]


def import_graph(root: Path, package: str) -> nx.DiGraph:
    """Module -> module it imports, for every module of ``package`` (a folder of ``root``);
    each edge keeps the line of the first import that makes it."""
    modules = {module_name(root, f): f for f in sorted((root / package).rglob("*.py"))}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):  # every statement, however deep
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _imported(node, name, path.name == "__init__.py"):
                for imported in _run_by(target, modules, name):
                    if not graph.has_edge(name, imported):
                        graph.add_edge(name, imported, line=node.lineno)
    return graph


def cycles(graph: nx.DiGraph, most: int = 20) -> list[str]:
    """Import cycles (at most ``most``), each as ``a (line n) -> b (line m) -> a`` from its
    first module in name order."""
    out = []
    for found in itertools.islice(nx.simple_cycles(graph), most):
        first = found.index(min(found))
        cycle = found[first:] + found[:first]
        steps = [f"{a} (line {graph.edges[a, b]['line']})"
                 for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True)]
        out.append(" -> ".join([*steps, cycle[0]]))
    return sorted(out)


def test_no_module_of_the_planner_imports_one_that_imports_it_back():
    graph = import_graph(ROOT, "planner")
    assert "planner.solve.equipment" in graph and graph.number_of_edges() > graph.number_of_nodes()
    found = cycles(graph)
    assert not found, "import cycles in planner/:\n" + "\n".join(found)


def test_the_layout_check_sees_late_type_only_and_package_imports(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import x\n",
        "pkg/b.py": "def f():\n    from pkg import a\n",  # late: a -> b -> a
        "pkg/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .d import y\n",
        "pkg/d.py": "import pkg.c\n",  # type-only: c -> d -> c
        "pkg/sub/__init__.py": "def g():\n    from pkg.e import z\n",
        "pkg/sub/f.py": "from pkg.sub.h import v\n",  # runs no package it is not in
        "pkg/sub/h.py": "",
        "pkg/e.py": "from pkg.sub.f import w\n",  # runs pkg/sub/__init__: e -> sub -> e
        "pkg/g/__init__.py": "from pkg.g.i import u\n",
        "pkg/g/i.py": "def h():\n    from pkg.g import t\n",  # its own package, named
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert cycles(import_graph(tmp_path, "pkg")) == [
        "pkg.a (line 1) -> pkg.b (line 2) -> pkg.a",
        "pkg.c (line 3) -> pkg.d (line 1) -> pkg.c",
        "pkg.e (line 1) -> pkg.sub (line 2) -> pkg.e",
        "pkg.g (line 1) -> pkg.g.i (line 2) -> pkg.g",
    ]
