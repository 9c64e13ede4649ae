from __future__ import annotations

import json

from workers.cli.render import record_matches, render

EVENT = {
    "article_id": "a1",
    "source": "northwire",
    "title": "T",
    "story_id": "s",
    "event_id": "e",
    "body": "x",
    "lines_removed": {"repeat": 1},
    "entities": [
        {
            "canonical": "Christine Lagarde",
            "text": "Christine Lagarde",
            "label": "PERSON",
            "count": 2,
            "mentions": [{"text": "Christine Lagarde"}, {"text": "Lagarde"}],
        },
        {"canonical": "Frankfurt", "text": "Frankfurt", "label": "GPE", "count": 1},
    ],
}


def test_filters() -> None:
    assert record_matches(EVENT, entity="lagarde")
    assert record_matches(EVENT, entity="FRANKFURT", label="gpe", source="NorthWire")
    assert not record_matches(EVENT, entity="Paris")
    assert not record_matches(EVENT, label="ORG")
    assert not record_matches(EVENT, source="other")
    assert not record_matches({"article_id": "d", "source": "x"}, label="PERSON")
    assert record_matches(EVENT)


def test_render_is_readable_and_never_raises() -> None:
    text = render("enriched", json.dumps(EVENT).encode())
    assert "Christine Lagarde (PERSON x2)" in text and "repeat 1" in text
    assert "update:" not in text
    update = {**EVENT, "relation": "update", "related_to": "a0", "new_sentences": 4}
    assert "update:   of a0, 4 new sentences" in render("enriched", json.dumps(update).encode())
    assert render("dlq", b"\xff not json").startswith("[dlq] (not JSON")
    assert render("duplicates", b"[1, 2]").startswith("[duplicates] (unexpected JSON")


def test_rates_between_snapshots() -> None:
    from workers.cli.stats import Snapshot, format_rates, rates

    before = Snapshot(10.0, {"raw": 100, "enriched": 50, "duplicates": 10, "dlq": 0}, {0: 5})
    after = Snapshot(12.0, {"raw": 140, "enriched": 74, "duplicates": 18, "dlq": 2}, {0: 3, 1: 4})
    r = rates(before, after)
    assert r.per_second == {"raw": 20.0, "enriched": 12.0, "duplicates": 4.0, "dlq": 1.0}
    assert r.lag_total == 7 and r.duplicate_share == 0.25
    assert "lag of g: 7 [p0:3 p1:4]" in format_rates(r, "g")


def test_run_lists_outputs_in_publish_order_and_counts_relations() -> None:
    import json

    from workers.cli.run import relation_counts
    from workers.cli.watch import Outcome

    def event(article_id: str, relation: str | None) -> bytes:
        data = {"article_id": article_id} | ({"relation": relation} if relation else {})
        return json.dumps(data).encode()

    outcome = Outcome(
        records=[
            ("enriched", event("c", "coverage")),
            ("duplicates", b"{}"),
            ("enriched", event("a", None)),
            ("enriched", event("u", "update")),
        ],
        keys=["c", "b", "a", "u"],
    )
    assert ["a", "b", "u", "c"] == [
        json.loads(value or b"{}").get("article_id", "b")
        for _, value in outcome.in_order(["a", "b", "u", "c"])
    ]
    assert relation_counts(outcome.records) == " (first 1, update 1, coverage 1)"
    assert relation_counts([("duplicates", b"{}")]) == ""
