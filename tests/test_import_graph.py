"""The package's import graph: no private names across units, no cycles, imports only downward.

Every module under ``neurosym/`` is parsed with ``ast`` (no import runs, no model loads),
and every import is read: at module level, inside functions, under ``TYPE_CHECKING``,
relative or absolute, on one line or several. A *unit* is a subpackage
(``neurosym.solver``) or a top-level module (``neurosym.planner``); the root package
``neurosym`` (its ``__init__``, the lazy facade) is a unit of its own.

Three rules hold between units:

(a) privacy: nothing whose dotted path has a ``_name`` component past the unit is
    imported from another unit, neither a ``_name`` object nor a ``_name.py`` module,
    nor read as ``module._name`` through an imported module. A name another unit needs
    is public in its home. The one exception is ``PRIVATE_OWNERS`` below: a top-level
    ``_name.py`` split off one top-level module for size, imported only by that owner.
(b) no cycles: the graph of units, lazy imports inside functions counted, has no
    strongly connected component of more than one unit (a lazy import that would close
    a cycle still couples the two units; it is fixed by moving code, not exempted).
(c) layering: a unit imports only units of a lower layer in ``LAYERS`` (see
    docs/ARCHITECTURE.md, "Layers"), never a unit of its own layer.

Imports under ``if TYPE_CHECKING:`` obey (a) but make no edge for (b) and (c): they never
run, and they name a caller's type where a callee is handed its caller (an engine, the
verdict and the server's chat are given the Planner). ``neurosym/__init__.py`` loads its
public names by module name at first use; inside the package only ``__version__`` is
taken from it, so it sits low, and every other name is imported from its home.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "neurosym"

# Layers from the bottom up (docs/ARCHITECTURE.md, "Layers"): a unit imports only units of
# lower layers, never one of its own layer. The order follows the data path: plain
# definitions at the bottom, the languages and the solver over them, the model and the
# search that combine them, the records a plan call gives, execution, the engines, the
# Planner that ties them together, and the ways in on top.
LAYERS: tuple[frozenset[str], ...] = tuple(frozenset(layer) for layer in (
    {"errors", "arguments"},        # 0. the error hierarchy; the command lines' argument types
    {""},                           # 1. the root module: __version__ and the lazy facade
    {"tools"},                      # 2. Tool, Param, ToolSet and their sources
    {"plan"},                       # 3. the plan language: AST, grammar file, parsing, rendering
    {"constraints", "grammar"},     # 4. the constraint language; the grammar for a tool set
    {"graph", "model"},             # 5. a plan's dependency graph; GGUF models and prompts
    {"decode"},                     # 6. the token loop: masks, checkpoints, rollback
    {"solver"},                     # 7. Z3: incremental checks, forward checking, cores
    {"search"},                     # 8. the beam over plans and its potentials
    {"result", "redact"},           # 9. what a plan call gives back; values kept out of texts
    {"verdict"},                    # 10. faithful / adjusted / ...: each value's source
    {"execute"},                    # 11. executor, policies, audit log, agent loop
    {"engine", "_planner_args"},    # 12. what the Planner decodes through; its argument checks
    {"planner"},                    # 13. the Planner
    {"demo", "run_cli", "serve"},   # 14. the demo's tools, `neurosym run`, the server
    {"bench"},                      # 15. benchmarks (they plan the demo)
    {"cli", "notebook", "tune"},    # 16. `neurosym` (runs run_cli, bench, serve, tune by name);
                                    #     notebooks; the adapter recipe (checks BFCL for overlap)
    {"__main__"},                   # 17. `python -m neurosym`
))

# A top-level private module owned by one top-level module: {module: (its one importer, why)}.
PRIVATE_OWNERS: dict[str, tuple[str, str]] = {
    "_planner_args": ("planner", "the Planner's construction-time checks, split off "
                                 "planner.py to keep that module one concept"),
}


@dataclass(frozen=True)
class Import:
    """One imported target: the module holding it, and the name read from it if any."""

    source: str           # dotted name of the importing module
    path: Path
    line: int
    module: str           # dotted name of the module the target lives in
    name: str | None      # the object imported from it (None: the module itself)
    lazy: bool            # inside a function
    typing: bool = False  # under ``if TYPE_CHECKING:``: read for names, never run

    @property
    def target(self) -> str:
        return self.module if self.name is None else f"{self.module}.{self.name}"

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root.parent)}:{self.line}"


def module_names(root: Path) -> dict[str, Path]:
    """Every module under ``root`` (a package directory) by its dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def unit_of(module: str, root: str) -> str:
    """The unit a dotted module name belongs to: ``""`` for the root package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == root else ""


def _is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _imports_under(tree: ast.AST, kinds: tuple[type, ...], test: bool = False) -> set[int]:
    """The ids of the import nodes inside a node of ``kinds`` (with ``test``: inside an
    ``if TYPE_CHECKING:`` body)."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, kinds):
            continue
        if test:
            name = node.test.attr if isinstance(node.test, ast.Attribute) else \
                getattr(node.test, "id", None)
            if name != "TYPE_CHECKING":
                continue
            inside: list[ast.AST] = list(node.body)
        else:
            inside = [node]
        for part in inside:
            found.update(id(inner) for inner in ast.walk(part)
                         if isinstance(inner, (ast.Import, ast.ImportFrom)))
    return found


def lazy_names(root: Path) -> dict[str, str]:
    """The root module's lazily loaded names and their homes (its ``_LAZY`` table)."""
    init = root / "__init__.py"
    if not init.is_file():
        return {}
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(getattr(target, "id", None) == "_LAZY" for target in targets):
            return dict(ast.literal_eval(node.value))  # type: ignore[arg-type]
    return {}


def imports_of(root: Path) -> Iterator[Import]:
    """Every import of a module of the package under ``root``, resolved to dotted names
    (a name the root loads lazily resolves to its home)."""
    modules = module_names(root)
    package = root.name
    homes = lazy_names(root)
    for source, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        lazy = _imports_under(tree, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        typing = _imports_under(tree, (ast.If,), test=True)
        is_package = path.name == "__init__.py"
        # module names bound by an import, to catch ``alias._name`` reads
        bound: dict[str, tuple[str, int, bool]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] != package:
                        continue
                    yield Import(source, path, node.lineno, alias.name, None, id(node) in lazy,
                                 id(node) in typing)
                    if alias.asname or "." not in alias.name:
                        bound[alias.asname or alias.name] = (alias.name, node.lineno,
                                                             id(node) in lazy)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = source.split(".")
                    if not is_package:
                        base.pop()
                    base = base[:len(base) - (node.level - 1)]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                if origin.split(".")[0] != package:
                    continue
                for alias in node.names:
                    if alias.name == "*":
                        yield Import(source, path, node.lineno, origin, None,
                                     id(node) in lazy, id(node) in typing)
                        continue
                    candidate = f"{origin}.{alias.name}"
                    if candidate in modules:
                        yield Import(source, path, node.lineno, candidate, None,
                                     id(node) in lazy, id(node) in typing)
                        bound[alias.asname or alias.name] = (candidate, node.lineno,
                                                             id(node) in lazy)
                    else:
                        home = homes.get(alias.name) if origin == package else None
                        yield Import(source, path, node.lineno, home or origin, alias.name,
                                     id(node) in lazy, id(node) in typing)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in bound and _is_private(node.attr)):
                module, _line, is_lazy = bound[node.value.id]
                yield Import(source, path, node.lineno, module, node.attr, is_lazy)
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id in bound and bound[node.value.id][0] == package
                  and node.attr in homes):
                _module, _line, is_lazy = bound[node.value.id]
                yield Import(source, path, node.lineno, homes[node.attr], node.attr, is_lazy)


def privacy_violations(root: Path, imports: Iterable[Import]) -> list[str]:
    """Rule (a): the private targets one unit takes from another."""
    package = root.name
    found = []
    for imp in imports:
        here, there = unit_of(imp.source, package), unit_of(imp.module, package)
        if here == there:
            continue
        owner = PRIVATE_OWNERS.get(there)
        if owner is not None and owner[0] == here:
            continue
        # the unit's own name counts: a top-level ``_name.py`` is private to the package
        parts = imp.target.split(".")[1:]
        private = [part for part in parts if _is_private(part)]
        if private:
            found.append(f"{imp.where(root)}: {imp.source} imports {imp.target}, private "
                         f"to {package}.{there or '(root)'}; give {private[-1]!r} a public "
                         f"name in its home (and __all__) and import that")
    return found


def unit_graph(root: Path, imports: Iterable[Import]) -> nx.DiGraph:
    """Units as nodes; an edge where one unit imports another at run time (at module level
    or inside a function), with those imports. Imports under ``TYPE_CHECKING`` make no
    edge: they never run, and name the caller's type where a callee is handed its caller
    (an engine is given the Planner that calls it)."""
    package = root.name
    graph = nx.DiGraph()
    for name in module_names(root):
        graph.add_node(unit_of(name, package))
    for imp in imports:
        here, there = unit_of(imp.source, package), unit_of(imp.module, package)
        if here != there and not imp.typing:
            graph.add_edge(here, there)
            graph.edges[here, there].setdefault("imports", []).append(imp)
    return graph


def _edge_lines(root: Path, graph: nx.DiGraph, here: str, there: str) -> str:
    return "; ".join(f"{imp.where(root)} {imp.target}" + (" (lazy)" if imp.lazy else "")
                     for imp in graph.edges[here, there]["imports"])


def cycle_violations(root: Path, graph: nx.DiGraph) -> list[str]:
    """Rule (b): every strongly connected component of more than one unit, with its edges."""
    found = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        inside = graph.subgraph(component)
        edges = "\n    ".join(f"{a or '(root)'} -> {b or '(root)'}: "
                              f"{_edge_lines(root, graph, a, b)}"
                              for a, b in sorted(inside.edges))
        found.append(f"cycle between {sorted(u or '(root)' for u in component)}; move the "
                     f"code one side needs to the lower unit:\n    {edges}")
    return found


def layer_violations(root: Path, graph: nx.DiGraph,
                     layers: tuple[frozenset[str], ...] = LAYERS) -> list[str]:
    """Rule (c): edges that go up a layer, or across to a unit of the same layer."""
    level = {unit: index for index, layer in enumerate(layers) for unit in layer}
    found = [f"unit {unit or '(root)'} is in no layer; add it to LAYERS in "
             f"tests/test_import_graph.py and to docs/ARCHITECTURE.md"
             for unit in sorted(graph.nodes) if unit not in level]
    for here, there in sorted(graph.edges):
        if here not in level or there not in level:
            continue
        if level[there] < level[here]:
            continue
        kind = "up" if level[there] > level[here] else "across"
        found.append(f"{here or '(root)'} (layer {level[here]}) imports {kind} to "
                     f"{there or '(root)'} (layer {level[there]}): "
                     f"{_edge_lines(root, graph, here, there)}; move the code to the "
                     f"lower unit or pass it in as an argument")
    return found


def check(root: Path) -> list[str]:
    """Every violation of the three rules in the package under ``root``."""
    imports = list(imports_of(root))
    graph = unit_graph(root, imports)
    owners = [f"{root.name}.{module}: imported by {unit or '(root)'}, owned by "
              f"{owner} only ({reason})"
              for module, (owner, reason) in PRIVATE_OWNERS.items()
              for unit in graph.predecessors(module) if unit != owner] \
        if any(module in graph for module in PRIVATE_OWNERS) else []
    return (privacy_violations(root, imports) + owners + cycle_violations(root, graph)
            + layer_violations(root, graph))


def test_the_package_keeps_its_import_rules() -> None:
    problems = check(PACKAGE_DIR)
    assert not problems, "\n".join([f"{len(problems)} import rule(s) broken:", *problems])


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "neurosym"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


_CLEAN = {
    "__init__.py": "",
    "errors.py": "",
    "tools/__init__.py": "from .tool import Tool\n",
    "tools/tool.py": "from ..errors import *\nclass Tool: pass\n",
    "tools/_names.py": "def _split(): pass\n",
    "plan/__init__.py": "from neurosym.tools import Tool\n",
}


def test_the_checker_passes_a_clean_package(tmp_path: Path) -> None:
    assert check(_package(tmp_path, _CLEAN)) == []


@pytest.mark.parametrize(("files", "expected"), [
    # a private name from another unit, in a multi-line import inside a function
    ({"plan/parse.py": "def f():\n    from ..tools._names import (\n        _split,\n    )\n"},
     ["neurosym/plan/parse.py:2: neurosym.plan.parse imports neurosym.tools._names._split"]),
    # a private module read through an attribute of an imported module
    ({"plan/parse.py": "from neurosym import tools\nx = tools._hidden\n"},
     ["neurosym/plan/parse.py:2: neurosym.plan.parse imports neurosym.tools._hidden"]),
    # an upward import: tools below plan
    ({"tools/tool.py": "from neurosym.plan import ast\n", "plan/ast.py": ""},
     ["tools (layer 2) imports up to plan (layer 3)"]),
    # a cycle closed by a lazy import
    ({"tools/tool.py": "def f():\n    import neurosym.plan\n"},
     ["cycle between ['plan', 'tools']"]),
    # a name the root loads lazily is imported from its home, so this goes up too
    ({"__init__.py": "_LAZY = {'Plan': 'neurosym.plan'}\n",
      "tools/tool.py": "import neurosym as ns\nx = ns.Plan\n", "plan/ast.py": ""},
     ["tools (layer 2) imports up to plan (layer 3)"]),
    # a unit no layer names
    ({"newpart/__init__.py": ""}, ["unit newpart is in no layer"]),
])
def test_the_checker_names_each_offending_import(tmp_path: Path, files: dict[str, str],
                                                 expected: list[str]) -> None:
    problems = check(_package(tmp_path, {**_CLEAN, **files}))
    for text in expected:
        assert any(text in problem for problem in problems), (text, problems)
