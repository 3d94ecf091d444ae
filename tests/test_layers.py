"""Imports run one way: common below every layer; in the service views -> intake -> storage ->
domain; the classifier below the service, and the service apart from the training code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("classifier", "policies", "service", "moderation")


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, by absolute name (also imports inside functions)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from service import metrics`` imports the module service.metrics, ``from
            # service.storage import db`` a name of service.storage.
            modules.update(f"{node.module}.{alias.name}" if _is_module(f"{node.module}.{alias.name}")
                           else node.module for alias in node.names)
    return modules


def _is_module(name: str) -> bool:
    """Whether ``name`` is a module or package of this checkout."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def offending(where: str, under: str, allowed: tuple[str, ...] = ()) -> dict[str, set[str]]:
    """The imports of modules in ``under`` (and not in ``allowed``) by the files at ``where``."""
    found = {}
    for path in sorted((ROOT / where).rglob("*.py")) if (ROOT / where).is_dir() else [ROOT / where]:
        bad = {module for module in imported_modules(path)
               if _inside(module, (under,)) and not _inside(module, allowed)}
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def _inside(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def test_the_helper_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from service import intake\n    import service.storage.models\n"
                      "    from service.storage import db\n")
    assert imported_modules(source) == {"service.intake", "service.storage.models", "service.storage"}


def test_the_check_finds_an_import_that_is_there():
    assert offending("service/intake.py", "service.storage", ("service.storage.models",)) == {
        "service/intake.py": {"service.storage", "service.storage.comments"}}


@pytest.mark.parametrize("layer", LAYERS)
def test_common_imports_none_of_the_layers(layer):
    assert offending("common", layer) == {}


def test_storage_imports_only_storage_and_the_domain():
    assert offending("service/storage", "service", ("service.storage", "service.domain")) == {}


def test_the_domain_imports_nothing_of_the_service():
    assert offending("service/domain.py", "service") == {}


def test_the_intake_imports_no_view():
    below = ("service.storage", "service.domain", "service.metrics", "service.model_registry")
    assert offending("service/intake.py", "service", below) == {}


@pytest.mark.parametrize("offline", ["classifier.training", "classifier.data"])
def test_the_service_imports_no_training_code(offline):
    assert offending("service", offline) == {}


def test_the_classifier_imports_nothing_of_the_service():
    assert offending("classifier", "service") == {}


@pytest.mark.parametrize("per_request", ["classifier/text", "classifier/estimators", "classifier/ontopic",
                                         "classifier/serving"])
@pytest.mark.parametrize("offline", ["classifier.data", "classifier.training", "classifier.cli"])
def test_what_runs_per_request_imports_nothing_offline(per_request, offline):
    assert offending(per_request, offline) == {}


@pytest.mark.parametrize(("layer", "above"), [("classifier", "policies"), ("classifier", "moderation"),
                                              ("policies", "service"), ("policies", "moderation"),
                                              ("service", "moderation")])
def test_no_layer_imports_one_above_it(layer, above):
    assert offending(layer, above) == {}
