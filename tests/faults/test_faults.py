"""Fault scenarios, short form (the full form is `make chaos`): nothing lost, doubled or repeated.

Each scenario's outputs are read back with ``read_committed``, as subscribers read them,
under both processing guarantees.
"""

from __future__ import annotations

import pytest

from bench.faults import Row, format_row, run_scenario
from workers.config import Settings

ARTICLES = 300
SECONDS = 20.0
BAD = sum(1 for i in range(ARTICLES) if i % 50 == 49)
SCENARIOS = ["sigkill", "redis-outage", "broker-restart", "sigterm", "rebalance", "long-article"]


def check(row: Row) -> None:
    print(format_row(row))
    assert row.lost == 0, format_row(row)
    assert row.doubled == 0, format_row(row)
    assert row.dead_lettered == BAD, format_row(row)  # Redis or Kafka trouble never dead-letters
    assert row.enriched + row.duplicates + row.dead_lettered == row.articles
    assert row.duplicates > 0 and row.enriched > 0


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_article_accounted_for_once(stack: Settings, scenario: str) -> None:
    """at_least_once (the default): a batch re-processed after a fault is published again
    with the same ids (repeats), never as a different outcome."""
    check(run_scenario(scenario, articles=ARTICLES, seconds=SECONDS, full=False))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_exactly_once_a_read_committed_reader_sees_no_repeats(
    stack: Settings, scenario: str
) -> None:
    """exactly_once: a batch's outputs and its offsets commit together, so a worker killed
    mid-batch, a partition moving or the broker restarting re-publishes nothing a
    read_committed reader sees."""
    row = run_scenario(
        scenario, articles=ARTICLES, seconds=SECONDS, full=False, guarantee="exactly_once"
    )
    check(row)
    assert row.repeats == 0, format_row(row)
