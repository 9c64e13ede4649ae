"""Fault scenarios, short form (the full form is `make chaos`): nothing lost, doubled or repeated.

Each scenario waits until its workers hold every partition before publishing, injects its
fault at a point in the stream, waits on observed state (see ``bench/faults.py``) and reads
the outputs back with ``read_committed``, as subscribers read them, under both processing
guarantees. The scenarios that need transactions run under exactly-once only.
"""

from __future__ import annotations

import pytest

from bench.faults import SCENARIOS, Row, applies, format_row, run_scenario
from workers.config import Settings

ARTICLES = 300
SECONDS = 20.0
BAD = sum(1 for i in range(ARTICLES) if i % 50 == 49)


def check(row: Row) -> None:
    print(format_row(row))
    assert row.lost == 0, format_row(row)
    assert row.doubled == 0, format_row(row)
    assert row.dead_lettered == BAD, format_row(row)  # Redis or Kafka trouble never dead-letters
    assert row.enriched + row.duplicates + row.dead_lettered == row.articles
    assert row.duplicates > 0 and row.enriched > 0


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if applies(s, "at_least_once")])
def test_every_article_accounted_for_once(stack: Settings, scenario: str) -> None:
    """at_least_once: a batch re-processed after a fault is published again with the same
    ids (repeats), never as a different outcome."""
    check(run_scenario(scenario, articles=ARTICLES, seconds=SECONDS, full=False))


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_exactly_once_a_read_committed_reader_sees_no_repeats(
    stack: Settings, scenario: str
) -> None:
    """exactly_once: a batch's outputs and its offsets commit together, so a worker killed
    mid-batch or mid-transaction, a partition moving or the broker going away re-publishes
    nothing a read_committed reader sees."""
    row = run_scenario(
        scenario, articles=ARTICLES, seconds=SECONDS, full=False, guarantee="exactly_once"
    )
    check(row)
    assert row.repeats == 0, format_row(row)
