"""The AsyncAPI document describes exactly the topics and schemas of topics/."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.scripts import load_script
from topics import TOPICS, load_schema

ROOT = Path(__file__).resolve().parent.parent.parent


def test_committed_document_is_generated_from_topics() -> None:
    script = load_script("asyncapi")
    committed = (ROOT / "topics" / "asyncapi.yaml").read_text(encoding="utf-8")
    assert committed == script.render(), "run: .venv/bin/python scripts/asyncapi.py"


def test_channels_and_payloads_match_specs_and_schemas() -> None:
    script = load_script("asyncapi")
    doc = yaml.safe_load((ROOT / "topics" / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert doc["asyncapi"].startswith("3.")
    assert {c["address"] for c in doc["channels"].values()} == {t.name("news.") for t in TOPICS}
    for role, (message, schema_name, _) in script.PAYLOADS.items():
        payload = doc["components"]["messages"][message]["payload"]["schema"]
        expected = {k: v for k, v in load_schema(schema_name).items() if k != "$schema"}
        assert payload == expected, role
