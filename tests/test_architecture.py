"""The folders are the architecture: imports point one way, checked on the source itself.

Layers, lowest first; a module may import its own layer and the ones below it, never above:
base (errors, clock, i18n) < calendar (pure time) < config < runtime < engine (the only writer)
< effects (what runs without a person) < read (read models) < render < cli. `flows` and
`store` import nothing of `routing`. Imports only needed for type hints (under
`if TYPE_CHECKING:`) do not count: they are not executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    "": 0, "errors": 0, "clock": 0, "i18n": 0, "text": 0, "calendar": 1, "config": 2, "runtime": 3, "engine": 4,
    "effects": 5, "read": 6, "render": 7, "cli": 8, "__main__": 9,
}  # fmt: skip
MAX_LINES = 500


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in relative.parts if p != "__init__"]
    return ".".join(parts)


def _runtime_imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "routing":
                for alias in node.names:
                    yield node.lineno, f"routing.{alias.name}"
            else:
                yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _sources("routing"), ids=lambda p: str(p.relative_to(ROOT)))
def test_routing_imports_point_down(path: Path) -> None:
    own = _layer(_module_name(path))
    assert own in LAYERS, f"{path}: put the module in one of the layers {sorted(LAYERS)}"
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name} ({_layer(name)} is above {own})"
        for line, name in _runtime_imports(ast.parse(path.read_text(encoding="utf-8")))
        if name.startswith("routing.") and LAYERS.get(_layer(name), 99) > LAYERS[own]
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", ["flows", "store"])
def test_flows_and_store_never_import_routing(package: str) -> None:
    for path in _sources(package):
        names = [n for _, n in _runtime_imports(ast.parse(path.read_text(encoding="utf-8")))]
        assert not [n for n in names if n == "routing" or n.startswith("routing.")], path


def test_every_package_says_what_it_holds_and_modules_stay_small() -> None:
    for init in (ROOT / "routing").glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "TODO" not in doc and "import" in doc.lower(), f"{init}: say what it holds"
    for path in _sources("routing"):
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= MAX_LINES, f"{path}: {lines} lines; a module this long holds two nouns"
