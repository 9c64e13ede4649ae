"""The schema evolution rule, as code: within a major version only new optional fields.

:func:`breaking_changes` compares two JSON Schemas of one record (objects with
``properties`` and ``required``, nested objects and arrays of objects) and
lists what a subscriber of the old one could trip on.
"""

from __future__ import annotations

from typing import Any


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    if kind is None:
        if "const" in schema:
            return {type(schema["const"]).__name__}
        if "enum" in schema:
            return {type(v).__name__ for v in schema["enum"]}
        return set()
    return set(kind) if isinstance(kind, list) else {kind}


def breaking_changes(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """What in ``new`` breaks a reader of ``old``: removed or retyped fields, new required
    fields, narrowed enums. New optional fields are fine."""
    problems: list[str] = []
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name, old_field in old_props.items():
        where = f"{path}.{name}" if path else name
        if name not in new_props:
            problems.append(f"{where}: removed")
            continue
        new_field = new_props[name]
        if _types(old_field) and not _types(old_field) <= _types(new_field):
            problems.append(
                f"{where}: type {sorted(_types(old_field))} -> {sorted(_types(new_field))}"
            )
        if "enum" in old_field and "enum" in new_field:
            lost = set(map(str, old_field["enum"])) - set(map(str, new_field["enum"]))
            if lost:
                problems.append(f"{where}: enum values removed {sorted(lost)}")
        if (
            "const" in old_field
            and new_field.get("const", old_field["const"]) != old_field["const"]
        ):
            problems.append(f"{where}: const {old_field['const']!r} -> {new_field['const']!r}")
        problems += breaking_changes(old_field, new_field, where)
        if "items" in old_field and "items" in new_field:
            problems += breaking_changes(old_field["items"], new_field["items"], where + "[]")
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        where = f"{path}.{name}" if path else name
        problems.append(f"{where}: newly required")
    return problems
