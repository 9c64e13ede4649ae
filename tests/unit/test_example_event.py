"""The stored example event is what the code produces, and it validates against schema v2."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema

from topics import ENRICHED_SCHEMA, load_schema

ROOT = Path(__file__).resolve().parent.parent.parent


def load_script():
    spec = importlib.util.spec_from_file_location(
        "example_event", ROOT / "scripts" / "example_event.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_event_is_in_sync_with_code_and_schema() -> None:
    script = load_script()
    stored = json.loads(script.EXAMPLE.read_text(encoding="utf-8"))
    jsonschema.validate(stored, load_schema(ENRICHED_SCHEMA))
    assert stored["schema_version"] == 2
    rebuilt = script.build_example()
    assert rebuilt == stored, "run: .venv/bin/python scripts/example_event.py"
