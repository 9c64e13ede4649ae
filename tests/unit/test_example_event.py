"""The stored example event is what the code produces, and it validates against schema v2."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.scripts import load_script
from topics import ENRICHED_SCHEMA, load_schema

ROOT = Path(__file__).resolve().parent.parent.parent


def test_example_event_is_in_sync_with_code_and_schema() -> None:
    script = load_script("example_event")
    stored = json.loads(script.EXAMPLE.read_text(encoding="utf-8"))
    jsonschema.validate(stored, load_schema(ENRICHED_SCHEMA))
    assert stored["schema_version"] == 2
    rebuilt = script.build_example()
    assert rebuilt == stored, "run: .venv/bin/python scripts/example_event.py"
