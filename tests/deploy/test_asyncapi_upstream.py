"""topics/asyncapi.yaml checked by the official AsyncAPI parser (parser-js), as tools read it.

The parser validates the document against the AsyncAPI 3.0 JSON Schema and
each message payload against its ``schemaFormat``. Payloads declared as JSON
Schema draft 2020-12 were silently left unchecked by it (no parser for that
format); draft-07 is one every AsyncAPI 3.0 tool supports. The second test
proves the payloads are really checked: a broken payload schema must fail.
The parser is pinned in ``tests/deploy/asyncapi/package.json`` and installed
by ``make install`` (``npm ci``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tests" / "deploy" / "asyncapi"
DOCUMENT = ROOT / "topics" / "asyncapi.yaml"


def parse(document: Path) -> tuple[int, list[dict[str, Any]]]:
    node = shutil.which("node")
    if node is None or not (TOOL / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail("the AsyncAPI parser is not installed: run make install (needs node and npm)")
    result = subprocess.run(
        [node, str(TOOL / "check.mjs"), str(document)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=TOOL,
    )
    diagnostics = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.returncode, diagnostics


def test_the_asyncapi_document_is_valid_for_the_official_parser() -> None:
    code, diagnostics = parse(DOCUMENT)
    errors = [d for d in diagnostics if d["severity"] == 0]
    assert code == 0 and not errors, errors


def test_payload_schemas_are_really_checked(tmp_path: Path) -> None:
    broken = DOCUMENT.read_text().replace("type: object", "type: 5", 1)
    assert broken != DOCUMENT.read_text()
    copy = tmp_path / "asyncapi.yaml"
    copy.write_text(broken)
    code, diagnostics = parse(copy)
    assert code == 1
    paths = [[str(part) for part in d["path"]] for d in diagnostics if d["severity"] == 0]
    assert any("payload" in path for path in paths), diagnostics
