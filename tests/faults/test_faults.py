"""Fault scenarios, short form (the full form is `make chaos`): nothing lost, nothing doubled."""

from __future__ import annotations

import pytest

from bench.faults import format_row, run_scenario
from workers.config import Settings

ARTICLES = 300
SECONDS = 20.0


@pytest.mark.parametrize(
    "scenario",
    ["sigkill", "redis-outage", "broker-restart", "sigterm", "rebalance", "long-article"],
)
def test_every_article_accounted_for_once(stack: Settings, scenario: str) -> None:
    row = run_scenario(scenario, articles=ARTICLES, seconds=SECONDS, full=False)
    print(format_row(row))
    assert row.lost == 0, format_row(row)
    assert row.doubled == 0, format_row(row)
    bad = sum(1 for i in range(ARTICLES) if i % 50 == 49)
    assert row.dead_lettered == bad, format_row(row)  # Redis or Kafka trouble never dead-letters
    assert row.enriched + row.duplicates + row.dead_lettered == row.articles
    assert row.duplicates > 0 and row.enriched > 0
