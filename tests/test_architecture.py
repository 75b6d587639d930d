"""The layering rules of docs/STYLE (models own the physics; data flows one way)."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "computeatlas"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m.startswith("computeatlas")}


def _modules(folder: str) -> list[Path]:
    return sorted((SRC / folder).rglob("*.py"))


def _uses(imports: set[str], package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in imports)


@pytest.mark.parametrize("path", _modules("models"), ids=lambda p: p.name)
def test_models_import_nothing_above_them(path):
    imports = _imports(path)
    for above in ("datasets", "ranking", "site", "export", "cli", "pipeline", "inputs", "regions"):
        assert not _uses(imports, f"computeatlas.{above}"), (path.name, above)


@pytest.mark.parametrize("path", _modules("datasets"), ids=lambda p: p.name)
def test_datasets_import_no_model(path):
    imports = _imports(path)
    assert not _uses(imports, "computeatlas.models"), path.name
    assert not _uses(imports, "computeatlas._kernels"), path.name


def test_only_models_import_kernels():
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).parts
        if rel[0] in ("models", "_kernels"):
            continue
        assert not _uses(_imports(path), "computeatlas._kernels"), path


def test_no_function_longer_than_100_lines():
    long = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > 100:
                    long.append(f"{path.relative_to(SRC)}:{node.name} ({n} lines)")
    assert not long, long


def test_the_checks_see_a_violation(tmp_path):
    # The helpers above must catch what they look for.
    bad = tmp_path / "bad.py"
    bad.write_text("from computeatlas.datasets import climate\nimport computeatlas._kernels.geo\n")
    imports = _imports(bad)
    assert _uses(imports, "computeatlas.datasets") and _uses(imports, "computeatlas._kernels")
