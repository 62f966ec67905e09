"""The package's layers: every import points down (or sideways), and no module imports itself back.

Reads every module's imports with ``ast``, including those inside functions (a lazy
import is still a dependency), so the test needs no import side effects.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sp_xl"

# Lower number = deeper layer. A module may import its own layer or lower ones.
LAYERS = {
    "sp_xl": 0, "sp_xl.errors": 0, "sp_xl.i18n": 0,
    "sp_xl.calc": 1,
    "sp_xl.excel": 2, "sp_xl.udfs": 2,
    "sp_xl.extracts": 3, "sp_xl.docs": 3, "sp_xl.ooxml": 3,
    "sp_xl.engine": 4,
    "sp_xl.master": 5, "sp_xl.importing": 5, "sp_xl.share": 5, "sp_xl.checks": 5,
    "sp_xl.actions": 6,
    "sp_xl.addin": 7, "sp_xl.cli": 7,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def layer_of(module: str) -> int:
    best = max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len)
    return LAYERS[best]


def imports_of(module: str) -> set[str]:
    """The sp_xl modules that ``module`` imports, anywhere in its body."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("sp_xl"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("sp_xl"):
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in MODULES else base)
    out.discard(module)
    return {m for m in out if m in MODULES}


GRAPH = {m: imports_of(m) for m in MODULES}


def test_every_module_is_in_a_layer():
    unplaced = [m for m in MODULES if not any(m == k or m.startswith(k + ".") for k in LAYERS)]
    assert unplaced == []


def test_imports_point_down_the_layers():
    upward = sorted(f"{m} (layer {layer_of(m)}) imports {d} (layer {layer_of(d)})"
                    for m, deps in GRAPH.items() for d in deps if layer_of(d) > layer_of(m))
    assert upward == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_one_that_imports_it_back():
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_circle_through_three_modules():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_the_package_layer_is_over_400_lines():
    long = {m: n for m in MODULES if m.startswith("sp_xl.ooxml")
            if (n := MODULES[m].read_text().count("\n")) > 400}
    assert long == {}
