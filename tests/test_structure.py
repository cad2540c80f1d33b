"""The package's shape: no import cycles, kernels free of the engine, no borrowed privates.

The module import graph of ``src/beian_audit`` is read from the source with
:mod:`ast` (nothing is imported), under these rules:

* A node is a module: ``beian_audit/x/y.py`` is ``beian_audit.x.y`` and
  ``beian_audit/x/__init__.py`` is the package ``beian_audit.x``.
* Every ``import`` statement counts, at module level **and** inside functions or
  classes: a lazy import is still a dependency (it only moves the failure to
  call time). Imports under ``if TYPE_CHECKING:`` are left out (never executed).
* ``import a.b.c`` and ``from a.b.c import name`` are an edge to ``a.b.c``;
  ``from a.b import c`` is an edge to the submodule ``a.b.c`` when there is
  one, else to ``a.b``. Relative imports are resolved first. A public name
  taken from the top-level package (``from beian_audit import read_filings``)
  is an edge to the module that defines it (``beian_audit.__init__`` imports it
  lazily, on first use).
* Imports made by name at run time (``importlib.import_module``) are not
  edges: the top-level package's lazy ``__getattr__``, and
  :func:`beian_audit._engine.dispatch`, which imports an engine module the
  first time it sees one of its frames. That is how the kernels reach an
  engine without depending on it.
* The implicit execution of parent packages' ``__init__`` that Python performs
  before a submodule is **not** an edge: a package ``__init__`` that re-exports
  its submodules is then not a cycle with them. An *explicit* import of a
  package (``from beian_audit.estimation import x`` written inside
  ``beian_audit/estimation/stratified.py``, or ``from beian_audit import x``
  anywhere in the package) **is** an edge, and a submodule importing its own
  package's ``__init__`` is a cycle: import from the defining module instead.

The checks:

* :func:`test_no_import_cycles` — the graph has no cycle; a failure names the
  modules of each cycle, in import order.
* :func:`test_kernels_do_not_import_the_engine` — no module under ``checks/``,
  ``sampling/`` or ``estimation/`` imports ``beian_audit.scale`` (or any module
  of :data:`beian_audit._engine.ENGINES`); kernels reach an engine only through
  :func:`beian_audit._engine.dispatch`.
* :func:`test_no_private_names_across_packages` — no module imports a
  ``_private`` name (or a ``_private`` module) of another subpackage. Privates
  within one subpackage (``checks/filings.py`` using ``checks/_common.py``) are
  fine, and so are the public names of the top-level base modules
  (``beian_audit/_arrow.py``, ``_text.py``, ``_files.py``, ``_provinces.py``,
  ``_scrub.py``, ``_options.py``, ``_results.py``, ``_engine.py``), which exist to be shared by
  every package. Each top-level module (``io.py``, ``scale.py`` …) counts as a
  package of its own: its ``_private`` names are its own.

See ``CONTRIBUTING.md`` for where each kind of change goes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import beian_audit
from beian_audit import _engine

ROOT = Path(beian_audit.__file__).parent
PACKAGE = "beian_audit"
KERNELS = ("checks", "sampling", "estimation")


@dataclass(frozen=True)
class Import:
    """One imported name: ``target`` module, ``names`` taken from it, where."""

    source: str
    target: str
    names: tuple[str, ...]
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


MODULES = _modules()
#: ``beian_audit.__init__`` imports its public names on first use (``__getattr__``):
#: ``from beian_audit import read_filings`` is an import of ``beian_audit.io``.
LAZY_EXPORTS: dict[str, str] = dict(beian_audit._EXPORTS)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` except the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def _imports(module: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: list[Import] = []
    for node in _walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    out.append(Import(module, alias.name, (), node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            plain: list[str] = []
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:  # `from pkg import submodule`
                    out.append(Import(module, sub, (), node.lineno))
                elif target == PACKAGE and alias.name in LAZY_EXPORTS:  # lazy re-export
                    out.append(Import(module, LAZY_EXPORTS[alias.name], (alias.name,),
                                      node.lineno))
                else:
                    plain.append(alias.name)
            if plain:
                out.append(Import(module, target, tuple(plain), node.lineno))
    return out


IMPORTS = [imp for name, path in MODULES.items() for imp in _imports(name, path)]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for imp in IMPORTS:
        if imp.target != imp.source:
            graph[imp.source].add(imp.target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through every strongly connected component of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for component in components:
        start = min(component)
        # breadth-first search back to ``start`` inside the component: a shortest cycle
        parent: dict[str, str] = {}
        frontier = [start]
        found = None
        while frontier and found is None:
            nxt = []
            for v in frontier:
                for w in sorted(graph[v] & component):
                    if w == start:
                        found = v
                        break
                    if w not in parent:
                        parent[w] = v
                        nxt.append(w)
                if found is not None:
                    break
            frontier = nxt
        path = [found] if found is not None else []
        while path and path[-1] != start:
            path.append(parent[path[-1]])
        cycles.append([*reversed(path), start])
    return cycles


def _subpackage(module: str) -> str:
    """``beian_audit.checks.x`` -> ``beian_audit.checks``; top-level modules -> themselves."""
    parts = module.split(".")
    if len(parts) >= 3 or (len(parts) == 2 and (ROOT / parts[1]).is_dir()):
        return ".".join(parts[:2])
    return module


def _is_base(module: str) -> bool:
    """A top-level ``beian_audit/_name.py`` module: shared by every package."""
    parts = module.split(".")
    return len(parts) == 2 and parts[1].startswith("_") and module in MODULES


def test_graph_is_read() -> None:
    # the reader sees the imports it must see (a guard against a silently empty graph)
    graph = _graph()
    assert "beian_audit.checks.filings" in graph["beian_audit.scale"]
    assert "beian_audit.errors" in graph["beian_audit.checks.filings"]
    assert "beian_audit.estimation.stratified" in graph["beian_audit.estimation"]  # re-exports
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    # an import inside a function counts; one under TYPE_CHECKING does not
    lazy = [i for i in IMPORTS if i.source == "beian_audit.errors"]
    assert {i.target for i in lazy} >= {"beian_audit._scrub"}
    typing_only = [i for i in IMPORTS if i.source == "beian_audit.reporting.exports"]
    assert "beian_audit.reporting.statistics_table" not in {i.target for i in typing_only}


def test_no_import_cycles() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_kernels_do_not_import_the_engine() -> None:
    engines = set(_engine.ENGINES.values())
    assert "beian_audit.scale" in engines
    bad = [
        f"{imp.source} (line {imp.line}) imports {imp.target}"
        for imp in IMPORTS
        if imp.source.split(".")[1] in KERNELS
        and any(imp.target == e or imp.target.startswith(e + ".") for e in engines)
    ]
    assert not bad, "\n".join(bad)


def test_no_private_names_across_packages() -> None:
    bad = []
    for imp in IMPORTS:
        if _subpackage(imp.source) == _subpackage(imp.target):
            continue
        private_module = any(part.startswith("_") and not part.startswith("__")
                             for part in imp.target.split("."))
        if private_module and not _is_base(imp.target):
            bad.append(f"{imp.source} (line {imp.line}) imports private module {imp.target}")
            continue
        for name in imp.names:
            if name.startswith("_") and not name.startswith("__"):
                bad.append(f"{imp.source} (line {imp.line}) imports {imp.target}.{name}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.split(".")[-1] != "__main__"))
def test_every_import_resolves(module: str) -> None:
    # every imported package module exists (a moved helper leaves no dangling import)
    for imp in IMPORTS:
        if imp.source == module:
            assert imp.target in MODULES, f"{module} line {imp.line}: no module {imp.target}"


# --------------------------------------------------------------------------- sizes
#: Longest function allowed, in code lines: the body without its docstring, blank
#: lines and comment-only lines (issue 13: a function doing several jobs gives each
#: one a name of its own).
MAX_FUNCTION_LINES = 150
#: Functions allowed past MAX_FUNCTION_LINES, with the reason.
LONG_FUNCTIONS: dict[str, str] = {
    "ledger/migrations/versions/v0001_core.py::upgrade":
        "an Alembic migration: the declaration of every table of the first schema, in order",
}
#: Longest module allowed, in lines.
MAX_MODULE_LINES = 1200
#: Modules allowed past MAX_MODULE_LINES, with the reason (see CONTRIBUTING.md, module sizes).
LONG_MODULES: dict[str, str] = {
    "checks/address.py":
        "one matcher of administrative divisions in two forms, the reference one per value "
        "and the vectorised Arrow scan over the same division index; they are kept together "
        "because each is the other's test (tests/test_checks_fastpaths.py)",
}


def _code_lines(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    skip: set[int] = set()
    first = node.body[0]
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        skip = set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    count = 0
    for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
        text = lines[number - 1].strip()
        if number not in skip and text and not text.startswith("#"):
            count += 1
    return count


def _function_sizes() -> dict[str, int]:
    """``"x/y.py::Class.method"`` -> code lines, for every function of the package."""
    sizes: dict[str, int] = {}
    for path in sorted(ROOT.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        rel = path.relative_to(ROOT).as_posix()
        todo: list[tuple[ast.AST, str]] = [(ast.parse(text), "")]
        while todo:
            node, prefix = todo.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    sizes[f"{rel}::{prefix}{child.name}"] = _code_lines(lines, child)
                    todo.append((child, f"{prefix}{child.name}."))
                elif isinstance(child, ast.ClassDef):
                    todo.append((child, f"{prefix}{child.name}."))
    return sizes


def test_no_function_is_too_long() -> None:
    sizes = _function_sizes()
    assert sizes["sampling/plan.py::plan_sample"] > 50  # the reader sees real bodies
    long = {name: n for name, n in sizes.items() if n > MAX_FUNCTION_LINES}
    bad = [f"{name}: {n} code lines" for name, n in sorted(long.items())
           if name not in LONG_FUNCTIONS]
    assert not bad, (f"functions over {MAX_FUNCTION_LINES} code lines (give their steps "
                     "names of their own, or add them to LONG_FUNCTIONS with a reason):\n"
                     + "\n".join(bad))
    stale = sorted(set(LONG_FUNCTIONS) - set(long))
    assert not stale, f"LONG_FUNCTIONS names functions no longer that long: {stale}"


def test_no_module_is_too_long() -> None:
    sizes = {p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in ROOT.rglob("*.py")}
    long = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    bad = [f"{name}: {n} lines" for name, n in sorted(long.items()) if name not in LONG_MODULES]
    assert not bad, (f"modules over {MAX_MODULE_LINES} lines (move a coherent part to a "
                     "module of its own, or add them to LONG_MODULES with a reason):\n"
                     + "\n".join(bad))
    stale = sorted(set(LONG_MODULES) - set(long))
    assert not stale, f"LONG_MODULES names modules no longer that long: {stale}"
