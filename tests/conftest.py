"""Fixtures of every layer: the shared samples (when present) and the real services.

Tests under ``tests/integration`` and ``tests/faults`` are marked
``integration`` (``pytest -m integration`` runs them, ``-m "not integration"``
the rest).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "samples" / "seed-article.txt"
#: The project's own scraped article (written here, not copied): repeated headline, a
#: truncated teaser before its full line, site chrome, a sources footer, a numbered summary.
SCRAPED = ROOT / "tests" / "data" / "scraped-article.txt"
SERVICE_LAYERS = ("integration", "faults")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of the service layers ``integration``."""
    for item in items:
        parts = Path(str(item.path)).relative_to(ROOT).parts
        if len(parts) > 1 and parts[1] in SERVICE_LAYERS:
            item.add_marker(pytest.mark.integration)


def shared_file(path: Path) -> Path:
    """A file of ../shared, for the tests that use the shared data.

    With ../shared beside the project (as CI has it) a missing file fails the
    test. On a plain clone of the project alone there is no ../shared: the
    test is skipped, and ``-ra`` prints why.
    """
    if path.exists():
        return path
    if SHARED.is_dir():
        pytest.fail(f"{path} is missing from {SHARED}")
    pytest.skip(f"no {SHARED} beside the project (a plain clone): {path.name} is not here")


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The real scraped article of ../shared (read-only; never copied into the repo)."""
    return shared_file(SEED).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def scraped_text() -> str:
    """The project's own scraped article (tests/data): what every plain clone tests with."""
    return SCRAPED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def stack() -> Settings:
    """The real Kafka + Redis stack's settings (started when needed)."""
    from tests.support.services import start_stack

    return start_stack()
