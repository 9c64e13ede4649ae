"""`make chaos`: every fault scenario in full, a table of what happened to each article.

.venv/bin/python -m bench.chaos [--articles 2000] [--seconds 60] [--guarantee at_least_once]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.faults import HEADER, SCENARIOS, as_dict, format_row, run_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--guarantee", choices=["at_least_once", "exactly_once"], default="at_least_once"
    )
    parser.add_argument("--only", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--out", default="bench/chaos_results.json")
    args = parser.parse_args()
    print(
        f"processing guarantee: {args.guarantee}; {args.articles} articles per scenario, "
        f"published over {args.seconds:.0f}s"
    )
    print(HEADER)
    rows = []
    for name in args.only:
        row = run_scenario(
            name, articles=args.articles, seconds=args.seconds, full=True, guarantee=args.guarantee
        )
        rows.append(row)
        print(format_row(row), flush=True)
    Path(args.out).write_text(
        json.dumps({"guarantee": args.guarantee, "rows": [as_dict(r) for r in rows]}, indent=2)
        + "\n"
    )
    bad = [r.scenario for r in rows if not r.ok()]
    print("lost and doubled are 0 everywhere" if not bad else f"FAILED: {', '.join(bad)}")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
