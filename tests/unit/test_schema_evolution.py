"""Within a major version only new optional fields; v1 -> v2 keeps every v1 field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from topics import load_schema
from topics.compat import breaking_changes

RELEASED = Path(__file__).resolve().parent.parent.parent / "topics" / "schemas" / "released"
BASE: dict[str, Any] = {
    "type": "object",
    "required": ["a"],
    "properties": {
        "a": {"type": "string"},
        "n": {"type": "integer"},
        "kind": {"enum": ["x", "y"]},
        "items": {
            "type": "array",
            "items": {"type": "object", "required": ["t"], "properties": {"t": {"type": "string"}}},
        },
    },
}


def changed(**props: object) -> dict[str, Any]:
    new: dict[str, Any] = json.loads(json.dumps(BASE))
    new["properties"].update(props)
    return new


def test_adding_an_optional_field_is_fine() -> None:
    assert breaking_changes(BASE, changed(extra={"type": "string"})) == []
    assert breaking_changes(BASE, changed(n={"type": ["integer", "null"]})) == []  # widened


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        (
            {**BASE, "properties": {k: v for k, v in BASE["properties"].items() if k != "n"}},
            "n: removed",
        ),
        (changed(n={"type": "string"}), "n: type"),
        (changed(kind={"enum": ["x"]}), "kind: enum values removed"),
        ({**BASE, "required": ["a", "n"]}, "n: newly required"),
        (
            changed(items={"type": "array", "items": {"type": "object", "properties": {}}}),
            "items[].t: removed",
        ),
    ],
)
def test_breaking_changes_are_caught(new: dict[str, Any], problem: str) -> None:
    assert any(p.startswith(problem) for p in breaking_changes(BASE, new)), breaking_changes(
        BASE, new
    )


@pytest.mark.parametrize("name", sorted(p.name for p in RELEASED.glob("*.json")))
def test_live_schemas_only_add_optional_fields_to_their_release(name: str) -> None:
    released = json.loads((RELEASED / name).read_text())
    assert breaking_changes(released, load_schema(name)) == []


def test_v2_keeps_every_v1_field() -> None:
    problems = breaking_changes(load_schema("enriched.v1.json"), load_schema("enriched.v2.json"))
    # a new major version: the version number itself and the new required fields
    allowed = {
        "schema_version: const 1 -> 2",
        "language: newly required",
        "model: newly required",
        "entities[].mentions: newly required",
        "entities[].first_offset: newly required",
        "entities[].salience: newly required",
    }
    assert set(problems) <= allowed, set(problems) - allowed
