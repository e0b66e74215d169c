"""The app graph stays layered with no exceptions (docs/decisions/0013-app-layers.md).

import-linter (``make lint``) checks that no app imports one above it; these tests keep that check honest: the
contract may not gain exceptions, every app must be in a layer, and no import may hide inside a function to
get round it (a function-local import is invisible to nobody but the reader: import-linter sees it, so one
that goes up a layer fails the contract; one that goes down or sideways has no reason to hide).
"""

import ast
import tomllib
from pathlib import Path

import openmash

ROOT = Path(openmash.__file__).parent
PYPROJECT = ROOT.parent / "pyproject.toml"

# Function-local imports of openmash modules that are genuinely lazy, each with its reason. Anything else
# belongs at the top of its module (or under ``if TYPE_CHECKING:`` when only annotations need it).
LAZY_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {}


def _contracts() -> list[dict]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    return config["contracts"]


def _function_local_imports(path: Path) -> list[tuple[str, str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("openmash"):
                found.append((node.name, inner.module or "", inner.lineno))
            elif isinstance(inner, ast.Import):
                found += [
                    (node.name, a.name, inner.lineno) for a in inner.names if a.name.startswith("openmash")
                ]
    return found


def test_the_layers_contract_has_no_exceptions():
    contracts = _contracts()
    assert [contract["type"] for contract in contracts] == ["layers"]
    for contract in contracts:
        assert not contract.get("ignore_imports"), "fix the import instead: see docs/architecture.md"
        assert not contract.get("unmatched_ignore_imports_alerting")


def test_every_app_is_in_a_layer():
    layered = {
        name.strip().removeprefix("openmash.")
        for layer in _contracts()[0]["layers"]
        for name in layer.replace(":", "|").split("|")
    }
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    modules = {path.stem for path in ROOT.glob("*.py")} - {
        "__init__",
        "settings",
        "urls",
        "asgi",
        "wsgi",
        "cli",
    }
    assert packages | modules <= layered


def test_no_function_local_import_dodges_the_layers():
    hidden = [
        f"{path.relative_to(ROOT.parent)}:{line} in {function}(): from {module}"
        for path in sorted(ROOT.rglob("*.py"))
        for function, module, line in _function_local_imports(path)
        if (str(path.relative_to(ROOT.parent)), module) not in LAZY_IMPORTS_ALLOWED
    ]
    assert hidden == [], "import these at the top of the module (see tests/test_layers.py)"


def test_the_check_finds_a_function_local_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def late():\n    from openmash.sharing.models import Share\n    return Share\n")
    assert _function_local_imports(sample) == [("late", "openmash.sharing.models", 2)]
