"""`make chaos`: every fault scenario in full, a table of what happened to each article.

.venv/bin/python -m bench.chaos [--articles 2000] [--seconds 60]
                                [--guarantee exactly_once at_least_once] [--only NAME ...]

Both processing guarantees by default, exactly-once (the default) first; the scenarios
that need transactions run under exactly-once only. ``repeats`` counts what a
``read_committed`` subscriber reads twice, ``uncommitted`` what a ``read_uncommitted``
one would.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.faults import HEADER, SCENARIOS, applies, as_dict, format_row, run_scenario

GUARANTEES = ["exactly_once", "at_least_once"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--guarantee", nargs="+", choices=GUARANTEES, default=GUARANTEES)
    parser.add_argument("--only", nargs="*", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--out", default="bench/chaos_results.json")
    args = parser.parse_args()
    results: dict[str, list[dict[str, object]]] = {}
    bad = []
    for guarantee in args.guarantee:
        print(
            f"\nprocessing guarantee: {guarantee}; {args.articles} articles per scenario, "
            f"published over {args.seconds:.0f}s"
        )
        print(HEADER)
        rows = results.setdefault(guarantee, [])
        for name in args.only:
            if not applies(name, guarantee):
                continue
            row = run_scenario(
                name, articles=args.articles, seconds=args.seconds, full=True, guarantee=guarantee
            )
            rows.append(as_dict(row))
            print(format_row(row), flush=True)
            if not row.ok() or (guarantee == "exactly_once" and row.repeats):
                bad.append(f"{name} ({guarantee})")
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(
        "\nlost and doubled 0 everywhere, no repeats under exactly_once"
        if not bad
        else f"\nFAILED: {', '.join(bad)}"
    )
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
