"""The layers contract of pyproject.toml ([tool.importlinter]) holds: no module imports a layer above its own,
and no package has an import cycle among its modules (except the ones listed there as 'to be cut')."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tremorlab.paths import ROOT


def test_import_layers_contract():
    if not os.environ.get("CI"):
        pytest.importorskip("importlinter")  # in the test extra: CI always has it
    exe = Path(sys.executable).with_name("lint-imports")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "lib"), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout


# Internal modules are imported at the top of a file (CONTRIBUTING.md, "Layers").  The exceptions, with their reason:
FUNCTION_IMPORTS_ALLOWED = {
    # the command's start-up: `tremorlab` imports these three at every invocation (also for --help), so each
    # sub-command imports what it runs (measured: `tremorlab --help` 0.3 s, 0.9-1.2 s with their imports at the top)
    "cli.py": "the tremorlab command's start-up time",
    "pen/cli.py": "the tremorlab command's start-up time (an EXTENSION of cli.py)",
    "learn/dysgraphia_cli.py": "the tremorlab command's start-up time (an EXTENSION of cli.py)",
}


def _function_level_internal_imports(path: Path, package: str) -> list[str]:
    """``file:line: statement`` for each import of a ``tremorlab`` module inside a function of ``path``."""
    import ast

    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def internal(node) -> bool:
        if isinstance(node, ast.Import):
            return any(a.name == "tremorlab" or a.name.startswith("tremorlab.") for a in node.names)
        if node.level:  # relative: inside the package by definition
            return True
        return node.module == "tremorlab" or node.module.startswith("tremorlab.")

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, (ast.Import, ast.ImportFrom)) and internal(child):
                found.append(f"{package}/{path.name}:{child.lineno}: {ast.unparse(child)}")
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return found


def test_internal_modules_are_imported_at_the_top_of_files():
    """No function imports a ``tremorlab`` module, except in the files listed above (with their reason)."""
    lib = ROOT / "lib" / "tremorlab"
    offenders, still_needed = [], set()
    for path in sorted(lib.rglob("*.py")):
        rel = path.relative_to(lib).as_posix()
        hits = _function_level_internal_imports(path, str(path.parent.relative_to(lib.parent).as_posix()))
        if hits and rel in FUNCTION_IMPORTS_ALLOWED:
            still_needed.add(rel)
        elif hits:
            offenders += hits
    assert not offenders, "move these imports to the top of their files:\n" + "\n".join(offenders)
    stale = set(FUNCTION_IMPORTS_ALLOWED) - still_needed
    assert not stale, f"no function-level internal import left in {sorted(stale)}: remove them from the allowlist"


def test_the_import_check_finds_function_level_imports(tmp_path):
    """The check above can fail: it finds absolute, relative and nested function-level imports, not top-level ones."""
    src = ("from tremorlab import dsp\nimport numpy\n\ndef f():\n    import numpy\n    from tremorlab.io import types\n"
           "    def g():\n        from . import x\n    class C:\n        def m(self):\n            import tremorlab.data\n")
    (tmp_path / "m.py").write_text(src)
    hits = _function_level_internal_imports(tmp_path / "m.py", "pkg")
    assert [h.split(":")[1] for h in hits] == ["6", "8", "11"], hits
