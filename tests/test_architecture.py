"""The staircase: imports point down (prices -> events -> study -> report -> cli, with the base
modules underneath), no module reaches into another's private names, every environment variable
is read in research.config, and no module or function outgrows what a reader can hold.

Every module's AST is walked, imports inside functions included, so a lazy import is held to the
same rule as a top-level one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import research

PACKAGE = Path(research.__file__).parent
#: Height of each floor; a module may import its own floor and the floors below.
FLOORS = {"prices": 1, "events": 2, "study": 3, "report": 4, "cli": 5}
#: The base: securities, calendars, config, errors, files, timezones, outputs (floor 0).
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 120
#: Compiled kernels: one numba function per hot loop, kept whole so the compiler sees the loop.
SIZE_EXEMPT = {"research.study.kernels"}
#: Private names read across modules (none: keep it so).
PRIVATE_PENDING: set = set()
#: Environment variables read outside research.config (none: keep it so).
ENVIRONMENT_PENDING: set = set()


def modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return out


MODULES = modules()


def floor(module: str) -> int:
    parts = module.split(".")
    return FLOORS.get(parts[1], 0) if len(parts) > 1 else 0


def imports(tree: ast.Module, module: str):
    """``(line, imported module, name or None)`` of every import of a research module."""
    package = module if module in MODULES and _is_package(module) else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "research":
                    yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "research":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield (node.lineno, full, None) if full in MODULES else (node.lineno, base, alias.name)


def _is_package(module: str) -> bool:
    return (PACKAGE.parent / Path(*module.split(".")) / "__init__.py").exists()


def test_the_walk_sees_every_floor_and_lazy_imports():
    assert {floor(m) for m in MODULES} == {0, 1, 2, 3, 4, 5}
    lazy = [target for _, target, _ in imports(MODULES["research.study.commands"], "research.study.commands")]
    assert "research.study.bridge" in lazy or "research.study.simulation" in lazy   # imported in handlers


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    upward = [f"line {line}: {target}" for line, target, _ in imports(MODULES[module], module)
              if floor(target) > floor(module)]
    assert not upward, f"{module} (floor {floor(module)}) imports from above: {upward}"


def test_study_prices_and_events_never_import_report():
    for module in MODULES:
        if floor(module) in (1, 2, 3):
            assert not [t for _, t, _ in imports(MODULES[module], module) if t.startswith("research.report")], module


def test_no_private_name_crosses_modules():
    crossing = []
    for module, tree in MODULES.items():
        aliases = {}
        for line, target, name in imports(tree, module):
            if name and name.startswith("_") and not name.startswith("__"):
                crossing.append((module, target, name))
        for node in ast.walk(tree):           # research modules imported under a name
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("research"):
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in MODULES:
                        aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("research") and alias.asname:
                        aliases[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_") and not node.attr.startswith("__")):
                crossing.append((module, aliases[node.value.id], node.attr))
    assert set(crossing) <= PRIVATE_PENDING, sorted(set(crossing) - PRIVATE_PENDING)


def environment_reads(tree: ast.Module):
    """Names of the variables read with ``os.environ.get(NAME)``, ``os.environ[NAME]`` or ``os.getenv(NAME)``."""
    def is_environ(node):
        return isinstance(node, ast.Attribute) and node.attr == "environ"

    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute):
            if (node.func.attr == "get" and is_environ(node.func.value)) or node.func.attr == "getenv":
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and is_environ(node.value) and isinstance(node.ctx, ast.Load):
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield key.value


def test_every_environment_variable_is_read_in_config():
    from research import config
    from research.cli import build_parser

    read = {(m, v) for m, tree in MODULES.items() for v in environment_reads(tree)}
    outside = {(m, v) for m, v in read if m != "research.config"}
    assert outside <= ENVIRONMENT_PENDING, sorted(outside - ENVIRONMENT_PENDING)
    assert {v for _, v in read} <= set(config.ENVIRONMENT)
    epilog = build_parser().epilog
    assert all(name in epilog for name in config.ENVIRONMENT)


@pytest.mark.parametrize("module", sorted(set(MODULES) - SIZE_EXEMPT))
def test_modules_and_functions_stay_readable(module):
    tree = MODULES[module]
    lines = max((getattr(n, "end_lineno", 0) or 0) for n in ast.walk(tree)) if tree.body else 0
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines"
    long = [f"{n.name} ({n.end_lineno - n.lineno + 1} lines)" for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{module}: {long}"


def test_study_imports_without_matplotlib_or_report():
    """A fresh interpreter imports the study (and runs a tiny event study) with neither loaded."""
    import subprocess
    import sys

    code = ("import sys, numpy as np, pandas as pd\n"
            "from research.study import event_study\n"
            "d = pd.bdate_range('2020-01-01', periods=300); rng = np.random.default_rng(0)\n"
            "m = pd.Series(rng.normal(0, .01, 300), d); r = pd.DataFrame({'A': m + rng.normal(0, .01, 300)}, d)\n"
            "ev = pd.DataFrame({'event_id': ['e'], 'ticker': ['A'], 'day0': [d[280]]})\n"
            "res = event_study(r, m, ev, estimation=(-200, -11),\n"
            "                  windows=[(0, 0)], tests=['csect_t'])\n"
            "res.car, res.tests\n"
            "bad = sorted(k for k in sys.modules if k.startswith(('matplotlib', 'research.report')))\n"
            "assert not bad, bad\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("argv, banned", [
    ([], ("pandas", "numpy", "scipy", "numba", "matplotlib", "nbclient", "exchange_calendars", "yaml")),
    (["run", "--help"], ("scipy", "numba", "matplotlib", "nbclient")),
    (["simulate", "--help"], ("scipy", "numba", "matplotlib", "nbclient")),
    (["report", "--help"], ("scipy", "numba", "matplotlib", "nbclient")),
])
def test_the_command_line_loads_only_what_the_command_needs(argv, banned):
    """``research --help`` needs argparse alone; a command's options never load the statistics,
    the compiled kernels, matplotlib or the notebook runner (its handler does, when it runs)."""
    import subprocess
    import sys

    code = ("import sys, research.cli as cli\n"
            f"cli.build_parser(only=next((w for w in {argv!r} if not w.startswith('-')), ''))\n"
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {banned!r} or m in {banned!r})\n"
            "assert not bad, bad\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
