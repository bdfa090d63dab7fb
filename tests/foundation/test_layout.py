"""The import layout: no cycles among the app's modules, imports point `tracker -> jobs -> models`.

How the graph is built (from the source with `ast`, so nothing is imported):

- Every ``.py`` file under ``models/``, ``jobs/`` and ``tracker/`` is a node named by its dotted module path;
  a package is its ``__init__.py`` (``tracker/hiring/__init__.py`` is ``tracker.hiring``).
- Every ``import`` statement is an edge wherever it stands, module level or inside a function: a deferred
  import that exists only to dodge a cycle still runs (later), so the cycle is still there and counts.
  Imports under ``if TYPE_CHECKING:`` never run; they are left out of the cycle check (SQLAlchemy models
  that name each other in annotations need them) but still count for the direction rule.
- ``import a.b.c`` is an edge to ``a.b.c``. ``from a.b import c`` is an edge to ``a.b.c`` when ``c`` is a
  submodule (a file or package on disk), otherwise to ``a.b`` (a name defined in or re-exported by its
  ``__init__``). Relative imports are resolved against the importing module's package.

Packages and their ``__init__`` re-exports. Importing ``a.b.c`` first runs ``a/__init__`` and
``a/b/__init__``. From a module outside ``a.b`` that is a real dependency (those ``__init__`` files may import
anything), so it is an edge. From a module inside the package it is not: by the time a submodule runs, its
own package is already in ``sys.modules`` (half-initialised if its ``__init__`` is what imported it), and that
is harmless as long as the submodule takes nothing from it. So a package ``__init__`` importing its own
submodules (``tracker/hiring/__init__.py`` importing ``.blueprint`` and ``.views``) is not in a cycle with
them. The moment a submodule takes a *name* from its package (``from tracker.hiring import bp`` in
``tracker/hiring/views.py`` while ``__init__`` imports ``views``), that is an explicit edge back and the test
reports the cycle: it is the Flask circle that only works because ``bp`` happens to be assigned above the
import at the bottom of a file. Hence each blueprint package keeps ``bp`` alone in ``blueprint.py``, route
modules import it from there, and ``__init__`` imports the route modules and re-exports ``bp``.

No exceptions are listed: every cycle found at first could be removed by moving code to where it belongs.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("models", "jobs", "tracker")
# Which top-level packages each one may import; the direction is tracker -> jobs -> models.
ALLOWED = {"models": {"models"}, "jobs": {"jobs", "models"}, "tracker": {"tracker", "jobs", "models"}}
DYNAMIC_IMPORTS = {"import_module", "__import__"}


def _module_name(path: Path) -> str:
    """Dotted name of a source file (``pkg/__init__.py`` is ``pkg``)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    """Every app module by dotted name."""
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


MODULES = _sources()


def _is_type_checking(node: ast.If) -> bool:
    """True for ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[tuple[ast.stmt, bool]]:
    """Every import statement in the tree with whether it runs (False under ``if TYPE_CHECKING:``)."""
    found: list[tuple[ast.stmt, bool]] = []

    def walk(node: ast.AST, runs: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, runs))
            elif isinstance(child, ast.If) and _is_type_checking(child):
                for stmt in child.body:
                    walk_stmt(stmt, False)
                for stmt in child.orelse:
                    walk_stmt(stmt, runs)
            else:
                walk(child, runs)

    def walk_stmt(stmt: ast.stmt, runs: bool) -> None:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            found.append((stmt, runs))
        else:
            walk(stmt, runs)

    walk(tree, True)
    return found


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules one import statement depends on (outside ones included, by their full dotted name)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    targets = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        targets.append(sub if sub in MODULES else base)
    return targets


def _outside_packages(module: str, target: str) -> set[str]:
    """The packages that importing `target` runs first, except those `module` already sits inside."""
    parts = target.split(".")
    prefixes = {".".join(parts[:i]) for i in range(1, len(parts))}
    return {p for p in prefixes if p in MODULES and not (module == p or module.startswith(p + "."))}


@cache
def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(edges that run, every edge including type-only ones) among the app's modules."""
    runtime: dict[str, set[str]] = {m: set() for m in MODULES}
    every: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, runs in _imports(tree):
            for target in _targets(module, node):
                if target.split(".")[0] not in PACKAGES:
                    continue
                for dependency in {target} | _outside_packages(module, target):
                    if dependency != module:
                        every[module].add(dependency)
                        if runs:
                            runtime[module].add(dependency)
    return runtime, every


def _cycles(graph: dict[str, set[str]]) -> list[tuple[list[str], list[str]]]:
    """(a cycle path, all its members) per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                connect(w)
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
            connect(v)
    return [(_path_in(graph, component), sorted(component)) for component in components]


def _path_in(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module, found breadth-first inside the component."""
    start = min(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & component):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if w not in previous:
                    previous[w] = v
                    following.append(w)
        frontier = following
    return [start]  # unreachable for a real component


def test_graph_sees_the_blueprints_and_jobs():
    """The graph is not empty by accident: the factory reaches a blueprint and the registry reaches a job."""
    runtime, _ = _graph()
    assert "tracker.hiring" in runtime["tracker"]
    assert "jobs.refresh_stores" in runtime["jobs.registry"]


def test_no_import_cycle():
    """No cycle among the modules of models/, jobs/ and tracker/, deferred imports in functions included."""
    runtime, _ = _graph()
    cycles = _cycles(runtime)
    assert not cycles, "import cycles:\n" + "\n".join(
        f"{' -> '.join(path)}  (all in this cycle: {', '.join(members)})" for path, members in cycles)


def test_imports_point_tracker_jobs_models():
    """Models never import jobs or tracker; jobs never import tracker."""
    _, every = _graph()
    wrong = sorted(f"{m} -> {t}" for m, targets in every.items() for t in targets
                   if t.split(".")[0] not in ALLOWED[m.split(".")[0]])
    assert not wrong, "imports against tracker -> jobs -> models:\n" + "\n".join(wrong)


def _dynamic_imports(tree: ast.AST) -> set[str]:
    """Names of the string-resolving importers a module calls or imports."""
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in DYNAMIC_IMPORTS}
    used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in DYNAMIC_IMPORTS}
    used |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
             if a.name in DYNAMIC_IMPORTS}
    return used


def test_no_dynamic_import():
    """No app module imports from strings (`import_module`, `__import__`), so readers and tools can follow."""
    found = {m: _dynamic_imports(ast.parse(p.read_text(encoding="utf-8"))) for m, p in MODULES.items()}
    wrong = sorted(f"{m}: {', '.join(sorted(names))}" for m, names in found.items() if names)
    assert not wrong, "imports resolved from strings:\n" + "\n".join(wrong)


def _blueprint_packages() -> list[str]:
    """The blueprint packages: tracker subpackages with a blueprint.py."""
    return sorted(m.rpartition(".")[0] for m in MODULES
                  if m.startswith("tracker.") and m.endswith(".blueprint"))


def test_blueprints_are_made_only_in_blueprint_modules():
    """`Blueprint(...)` is called only in a package's blueprint.py; the factory mounts every such package."""
    makers = sorted(m for m, p in MODULES.items()
                    if any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "Blueprint"
                           for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))))
    assert makers == [f"{pkg}.blueprint" for pkg in _blueprint_packages()]
    runtime, _ = _graph()
    assert set(_blueprint_packages()) <= runtime["tracker"]


def test_route_modules_are_imported_only_by_their_package():
    """Modules that attach routes to `bp` are imported by their package's __init__ and by nothing else."""
    runtime, _ = _graph()
    wrong = []
    for pkg in _blueprint_packages():
        routes = {m for m, targets in runtime.items() if f"{pkg}.blueprint" in targets and m != pkg}
        assert routes, f"{pkg} has no route modules"
        missing = routes - runtime[pkg]
        wrong += [f"{pkg} does not import {m}" for m in sorted(missing)]
        wrong += [f"{m} -> {r}" for m, targets in sorted(runtime.items()) if m != pkg
                  for r in sorted(targets & routes)]
    assert not wrong, "route modules imported other than by their package:\n" + "\n".join(wrong)


SERVICE_PACKAGES = {"accounts", "evaluations", "hiring", "infra", "people", "reminders", "reports", "stores",
                    "training"}


def test_services_are_grouped_in_packages_per_domain():
    """models/services: packages per domain plus infra, no loose module, no prefix standing in for one."""
    services = ROOT / "models" / "services"
    loose = sorted(p.name for p in services.glob("*.py") if p.name != "__init__.py")
    packages = {p.name for p in services.iterdir() if (p / "__init__.py").exists()}
    assert loose == []
    assert packages == SERVICE_PACKAGES
    prefixed = sorted(
        f"{pkg}/{p.name}"
        for pkg in packages
        for p in (services / pkg).glob("*.py")
        if any(p.stem.startswith(f"{other.rstrip('s')}_") for other in packages)
    )
    assert prefixed == []
    oversized = sorted(
        f"{p.relative_to(services)}" for p in services.rglob("*.py") if len(p.read_text().splitlines()) > 400
    )
    assert oversized == []
