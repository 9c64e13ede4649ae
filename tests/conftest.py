"""Shared test helpers: paths to the project's and the shared samples."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "samples" / "seed-article.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The real scraped article of ../shared (read-only; never copied into the repo)."""
    if not SEED.exists():
        pytest.fail(f"{SEED} is missing: the seed article is expected beside the project")
    return SEED.read_text(encoding="utf-8")
