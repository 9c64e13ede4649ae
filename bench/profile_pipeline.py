"""Where the time goes apart from NER: pyinstrument over the worker's pipeline.

Runs generated articles through :class:`workers.pipeline.Pipeline` (real Redis,
NER off unless --ner) in batches of 32, and prints pyinstrument's report.

    .venv/bin/python -m bench.profile_pipeline [--articles 3000] [--ner]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from pyinstrument import Profiler

from workers.adapters.redis_dedupe import RedisDedupe, delete_state
from workers.app import build_pipeline
from workers.config import load_settings
from workers.devtools.corpus import iter_plain_articles
from workers.pipeline import RawMessage


async def run(count: int, ner: bool) -> tuple[Profiler, float]:
    settings = load_settings().isolated("profile")
    pipeline = build_pipeline(settings, ner_enabled=ner)
    messages = [
        RawMessage(json.dumps(a.as_message()).encode(), a.id.encode(), "raw", 0, i)
        for i, a in enumerate(iter_plain_articles(count, seed=4, duplicate_rate=0.3))
    ]
    profiler = Profiler(interval=0.0005)
    began = time.perf_counter()
    profiler.start()
    for start in range(0, len(messages), 32):
        await pipeline.process(messages[start : start + 32])
    profiler.stop()
    elapsed = time.perf_counter() - began
    dedupe = pipeline.dedupe
    if isinstance(dedupe, RedisDedupe):
        await delete_state(dedupe.client, settings.key_prefix)
        await dedupe.client.aclose()
    return profiler, len(messages) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--ner", action="store_true")
    args = parser.parse_args()
    profiler, rate = asyncio.run(run(args.articles, args.ner))
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    print(f"{rate:.0f} articles/s through the pipeline (NER {'on' if args.ner else 'off'})")


if __name__ == "__main__":
    main()
