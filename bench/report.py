"""Print bench/results.json as the Markdown table the README shows.

.venv/bin/python -m bench.report
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.throughput import TARGETS

RESULTS = Path(__file__).resolve().parent / "results.json"


def markdown(results: dict[str, Any]) -> str:
    runs = results["runs"]
    lines = [
        "| configuration | 0% duplicates | 30% duplicates |",
        "|---|---:|---:|",
    ]
    for label, key in (
        ("bare `nlp.pipe` (the limit)", "limit_same_texts"),
        ("naive consumer loop, `nlp(text)` per message", "naive"),
        ("newsworker, 1 worker", "one_worker"),
        ("newsworker, 2 workers", "two_workers"),
        ("newsworker, NER off (articles/s)", "ner_off"),
    ):
        cells = [
            f"{runs[d][key]['docs_per_s']:.1f}/s" if key in runs[d] else "-"
            for d in ("0dup", "30dup")
        ]
        lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
    lines += ["", "| target | measured | |", "|---|---:|---|"]
    for label, key, op, target in TARGETS:
        value = results["ratios"][key]
        met = value >= target if op == ">=" else value > target
        lines.append(f"| {label} {op} {target}x | {value:.2f}x | {'met' if met else 'not met'} |")
    checks = [
        ("NER off >= 1,000 articles/s", results["ner_off_articles_per_s"], 1000, True),
        (
            "Redis round trips per batch <= 2",
            results.get(
                "redis_round_trips_per_batch_steady", results["redis_round_trips_per_batch"]
            ),
            2,
            False,
        ),
        (
            f"RSS growth over {results.get('rss_articles', 0):,} articles <= 10%",
            results.get("rss_growth_pct", float("nan")),
            10,
            False,
        ),
    ]
    for label, value, target, higher in checks:
        met = value >= target if higher else value <= target
        lines.append(f"| {label} | {value:.2f} | {'met' if met else 'not met'} |")
    lines.append(
        f"| p50 / p99 end-to-end latency at {results['latency_rate_per_s']:.1f} articles/s "
        f"(half the 1-worker rate) | {results['p50_latency_ms']:.0f} / "
        f"{results['p99_latency_ms']:.0f} ms | |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(json.loads(RESULTS.read_text())))
