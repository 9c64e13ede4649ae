"""The import rules of the layout (README, Layout): each room imports only what it may."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKERS = ROOT / "workers"
#: Libraries that do I/O or run the stream; the pure core imports none of them.
IO_LIBRARIES = ("faust", "mode", "aiokafka", "kafka", "redis", "spacy", "prometheus_client")
#: Rooms of the package the pure core may not import.
OUTER_ROOMS = (
    "workers.adapters",
    "workers.cli",
    "workers.devtools",
    "workers.app",
    "workers.pipeline",
)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (absolute names)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def offenders(folder: Path, forbidden: tuple[str, ...]) -> dict[str, set[str]]:
    bad: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        hits = {name for name in imports_of(path) if under(name, forbidden)}
        if hits:
            bad[module_name(path)] = hits
    return bad


def test_core_imports_no_adapter_and_no_io_library() -> None:
    assert offenders(WORKERS / "core", IO_LIBRARIES + OUTER_ROOMS) == {}


def test_adapters_import_neither_cli_nor_devtools_nor_composition() -> None:
    rooms = ("workers.cli", "workers.devtools", "workers.app", "workers.pipeline")
    assert offenders(WORKERS / "adapters", rooms) == {}


def test_only_dev_commands_reach_devtools_and_nothing_ships_bench_or_tests() -> None:
    allowed = {"workers.cli.dev", "workers.cli.run"}
    shipped = [p for p in WORKERS.rglob("*.py") if "devtools" not in p.parts]
    bad = {
        module_name(p): hits
        for p in shipped
        if (hits := {n for n in imports_of(p) if under(n, ("workers.devtools", "bench", "tests"))})
        and module_name(p) not in allowed
    }
    assert bad == {}


def test_bench_does_not_import_tests() -> None:
    assert offenders(ROOT / "bench", ("tests",)) == {}


def test_importing_the_core_loads_no_io_library() -> None:
    """Checked in a fresh interpreter: transitive imports count too."""
    modules = sorted(module_name(p) for p in (WORKERS / "core").glob("*.py"))
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in modules)
        + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {IO_LIBRARIES!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_readme_layout_names_every_room() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1]
    rooms = [p for p in sorted(WORKERS.iterdir()) if p.is_dir() and p.name != "__pycache__"]
    for room in rooms:
        assert f"workers/{room.name}/" in layout, room.name
    for top in ("topics/", "tests/", "bench/", "deploy/", "scripts/", "examples/"):
        assert top in layout, top
