"""Imports run one way (DESIGN.md, Layers; house rule 11): down the app layers, without circles, at the top.

No database: these read the source, its import graph and the contracts of pyproject.toml.
"""

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "documents", "health", "alerts", "cases", "reviews")  # lowest layer first
PACKAGES = (*APPS, "config")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
IMPORTLINTER = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["type"]: contract for contract in IMPORTLINTER["contracts"]}


def lint_imports(project):
    """Run lint-imports on the packages in ``project`` (and only those: they come first on the path); wide
    columns keep its report from wrapping a contract's name."""
    env = {**os.environ, "PYTHONPATH": str(project), "COLUMNS": "200"}
    return subprocess.run([LINT_IMPORTS], cwd=project, env=env, capture_output=True, text=True, check=False)


@pytest.fixture
def project_copy(tmp_path):
    """The project's packages (their Python files, no migrations) and pyproject.toml, to add a bad import to."""

    def not_python(folder, names):
        return [name for name in names if name in ("migrations", "__pycache__")
                or (not name.endswith(".py") and not (Path(folder) / name).is_dir())]

    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=not_python)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_import_contracts_of_pyproject_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers_run_from_reviews_down_to_accounts():
    assert CONTRACTS["layers"]["layers"] == list(reversed(APPS))
    assert sorted(IMPORTLINTER["root_packages"]) == sorted(PACKAGES)


def test_accounts_imports_no_domain_app(project_copy):
    (project_copy / "accounts" / "_layer_probe.py").write_text("import health.models\n")
    result = lint_imports(project_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACTS['forbidden']['name']} BROKEN" in result.stdout
    assert "accounts._layer_probe -> health.models" in result.stdout


def test_a_lower_app_importing_a_higher_one_breaks_the_layers(project_copy):
    (project_copy / "health" / "_layer_probe.py").write_text("import cases.models\n")
    result = lint_imports(project_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACTS['layers']['name']} BROKEN" in result.stdout
    assert "health is not allowed to import cases" in result.stdout
    assert "health._layer_probe -> cases.models" in result.stdout


def import_cycles(graph, modules):
    """The modules that import each other in a circle (strongly connected components), each circle sorted."""
    imports = {module: graph.find_modules_directly_imported_by(module) & modules for module in modules}

    def reachable_from(module):
        seen, todo = set(), [module]
        while todo:
            for imported in imports[todo.pop()] - seen:
                seen.add(imported)
                todo.append(imported)
        return seen

    reach = {module: reachable_from(module) for module in modules}
    return sorted({
        tuple(sorted({module} | {other for other in reach[module] if module in reach[other]}))
        for module in modules if module in reach[module]
    })


def test_no_import_cycles_between_project_modules():
    # grimp also records imports inside functions, so a circle hidden by one is still found.
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    modules = {module for module in graph.modules if module.split(".")[0] in PACKAGES}
    cycles = import_cycles(graph, modules)
    assert not cycles, "Import cycles:\n" + "\n".join(" <-> ".join(cycle) for cycle in cycles)


def test_the_cycle_finder_finds_a_circle_of_three_and_nothing_else():
    graph = grimp.ImportGraph()
    for importer, imported in [("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w")]:
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph, set(graph.modules)) == [("a.x", "a.y", "a.z")]


def is_app_config(node):
    return isinstance(node, ast.ClassDef) and any(ast.unparse(base).endswith("AppConfig") for base in node.bases)


def runs_in_a_function(node, parents):
    """Whether ``node`` sits in a function body; ``AppConfig.ready()`` and ``if TYPE_CHECKING:`` do not count."""
    while node in parents:
        parent = parents[node]
        if isinstance(parent, ast.If) and node in parent.body and ast.unparse(parent.test).endswith("TYPE_CHECKING"):
            return False
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
            return not (parent.name == "ready" and is_app_config(parents.get(parent)))
        node = parent
    return False


def function_level_imports(source):
    """The lines of the imports in ``source`` that run in a function body."""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom) and runs_in_a_function(node, parents)]


def test_no_import_inside_a_function_body():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.relative_to(ROOT).parts
        for line in function_level_imports(path.read_text())
    ]
    assert not found, "Imports inside a function body (move them to the top of the module):\n" + "\n".join(found)


def test_the_import_finder_allows_only_app_config_ready_and_type_checking():
    source = """
from typing import TYPE_CHECKING
from django.apps import AppConfig
if TYPE_CHECKING:
    from a import b
class ShopConfig(AppConfig):
    def ready(self):
        from . import signals
def clean():
    from .rules import store_errors
    if TYPE_CHECKING:
        from .models import Store
class Store:
    def ready(self):
        import json
"""
    assert function_level_imports(source) == [10, 15]
