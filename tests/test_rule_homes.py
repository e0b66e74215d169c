"""Each rule in one home (docs/architecture.md): who may see or do something is decided in ``access/policy.py``
and nowhere else; a statutory clock is started in ``clocks/`` (``clocks/starts.py`` says which step starts which
clock) and nowhere else. These tests read the source, so a new ``may_*`` or a new clock start elsewhere fails
here before review has to find it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "openmash"
POLICY = ROOT / "access" / "policy.py"
CLOCK_STARTS = {"clock_start", "clocks_start_many"}
# Demo data only: the demo story back-dates an assessment clock for a referral it does not record.
CLOCK_STARTS_ALLOWED = {ROOT / "demo" / "story.py"}


def _modules():
    return sorted(ROOT.rglob("*.py"))


def _module_level_may(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("may_")
    ]


def _clock_starts(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in CLOCK_STARTS:
                lines.append(node.lineno)
    return lines


def test_every_may_decision_is_the_policys():
    elsewhere = [
        f"{path.relative_to(ROOT.parent)}: {name}"
        for path in _modules()
        if path != POLICY
        for name in _module_level_may(path)
    ]
    assert elsewhere == [], "decide it in openmash/access/policy.py and call it from here"
    assert len(_module_level_may(POLICY)) > 40


def test_every_clock_starts_in_the_clocks_app():
    elsewhere = [
        f"{path.relative_to(ROOT.parent)}:{line}"
        for path in _modules()
        if ROOT / "clocks" not in path.parents and path not in CLOCK_STARTS_ALLOWED
        for line in _clock_starts(path)
    ]
    assert elsewhere == [], "start it from openmash/clocks/starts.py (which step starts which clock)"


def test_the_checks_find_what_they_look_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from openmash.clocks.services import clock_start\n"
        "def may_open(actor):\n    return True\n"
        "def step():\n    clock_start(rule='x')\n    clocks.clocks_start_many([])\n"
    )
    assert _module_level_may(sample) == ["may_open"]
    assert _clock_starts(sample) == [5, 6]
